package embedded

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/otopmarket/otop/internal/catalog"
)

// formatOf names the layout of an index built with m: a hash of the
// mapping (fields and analysis), of the stored-document codec and of what
// indexDoc makes of a sample document (the grams and variants computed in
// Go, which the mapping does not show). The file "current" records it; an
// index of another format is not opened but replaced by an empty one
// (Fresh reports it), which serve rebuilds. Nobody bumps it by hand: any
// change of what is indexed changes it.
func formatOf(m *mapping.IndexMappingImpl) (string, error) {
	h := sha256.New()
	mj, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("embedded: format: mapping: %w", err)
	}
	sample := formatSample()
	fields, err := indexDoc(sample)
	if err != nil {
		return "", fmt.Errorf("embedded: format: sample: %w", err)
	}
	fj, err := json.Marshal(fields)
	if err != nil {
		return "", fmt.Errorf("embedded: format: sample fields: %w", err)
	}
	for _, part := range [][]byte{mj, fj, encodeDoc(&sample)} {
		_, _ = fmt.Fprintf(h, "%d:", len(part))
		_, _ = h.Write(part)
	}
	return "h" + hex.EncodeToString(h.Sum(nil)[:8]), nil
}

// formatSample is a document touching every field and script, so that a
// change in how any of them is indexed shows in formatOf.
func formatSample() catalog.SearchDocument {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return catalog.SearchDocument{
		ID: "00000000-0000-0000-0000-000000000001", NameTH: "ผ้าไหมยกดอกลำพูน", NameEN: "Lamphun Brocade Silk Scarves",
		DescriptionTH: "ทอมือด้วยไหมแท้ 100%", DescriptionEN: "Hand-woven running silks, naturally dyed.",
		Tags: []string{"silk", "ผ้าไหม"}, ProducerID: "p1", ProducerNameTH: "กลุ่มทอผ้า", ProducerNameEN: "Weavers",
		Category: "textile", CreativeIndustry: "crafts", ProvinceCode: "TH-51", ProvinceNameTH: "ลำพูน",
		ProvinceNameEN: "Lamphun", ClusterID: "upper-north-1", Region: "north", SelectCenterID: "chiang-mai",
		OTOPStars: 5, Topotop: true, PriceMinor: 450000, Currency: "THB", Certifications: []string{"gi"},
		CertificateNumbers: []string{"สช 49100006"}, HSCode: "500720", ImageURL: "http://img.example/x.jpg",
		PublishedAt: at, CreatedAt: at,
	}
}
