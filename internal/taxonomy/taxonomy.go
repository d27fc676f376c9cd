// Package taxonomy holds the marketplace's read-only reference data: Thai
// regions, the 77 provinces, the 18 provincial clusters, the OTOP Select
// centers, product categories, the creative-economy industries and the kinds
// of product certification.
//
// The data is embedded in the binary as JSON files under data/ and is parsed
// and validated by Load. A *Taxonomy never changes after Load returns, so it
// is safe for concurrent use; every getter returns a copy, so callers cannot
// alter it either.
package taxonomy

import (
	"errors"
	"fmt"
	"slices"
)

// Sentinel errors returned (wrapped with the offending value) by
// Taxonomy.Provinces. Compare with errors.Is.
var (
	ErrUnknownRegion  = errors.New("unknown region")
	ErrUnknownCluster = errors.New("unknown cluster")
)

// Region is one of the four regions the marketplace uses: "north",
// "northeast", "central" and "south". The eastern and western provinces
// count as central.
type Region struct {
	ID             string `json:"id"`
	NameEN         string `json:"name_en"`
	NameTH         string `json:"name_th"`
	SelectCenterID string `json:"select_center_id"`
}

// Province is one of Thailand's 77 provinces (Bangkok included).
type Province struct {
	// Code is the ISO 3166-2 code, e.g. "TH-50".
	Code   string `json:"code"`
	NameEN string `json:"name_en"`
	NameTH string `json:"name_th"`
	Region string `json:"region"`
	// ClusterID is nil (JSON null) only for Bangkok, TH-10, which belongs
	// to no provincial cluster.
	ClusterID *string `json:"cluster_id"`
	// SelectCenterID is the default OTOP Select center of the province: the
	// center of its region. It is derived by Load, not stored in the data.
	SelectCenterID string `json:"select_center_id"`
}

// Cluster is one of the 18 provincial clusters (กลุ่มจังหวัด).
type Cluster struct {
	ID                string   `json:"id"`
	NameEN            string   `json:"name_en"`
	NameTH            string   `json:"name_th"`
	Region            string   `json:"region"`
	StrategicPosition string   `json:"strategic_position"`
	ProvinceCodes     []string `json:"province_codes"`
}

// SelectCenter is an OTOP Select center; there is one per region.
type SelectCenter struct {
	ID           string `json:"id"`
	NameEN       string `json:"name_en"`
	NameTH       string `json:"name_th"`
	Region       string `json:"region"`
	ProvinceCode string `json:"province_code"`
}

// Category is one of the five OTOP product categories.
type Category struct {
	ID          string `json:"id"`
	NameEN      string `json:"name_en"`
	NameTH      string `json:"name_th"`
	Description string `json:"description"`
}

// CreativeGroup is one of the four groups of creative-economy industries.
type CreativeGroup struct {
	ID     string `json:"id"`
	NameEN string `json:"name_en"`
	NameTH string `json:"name_th"`
}

// CreativeIndustry is one of Thailand's 15 creative-economy industries.
type CreativeIndustry struct {
	ID     string `json:"id"`
	NameEN string `json:"name_en"`
	NameTH string `json:"name_th"`
	Group  string `json:"group"`
}

// CertificationKind is a kind of certificate or mark a product can hold.
type CertificationKind struct {
	ID     string `json:"id"`
	NameEN string `json:"name_en"`
	NameTH string `json:"name_th"`
	Issuer string `json:"issuer"`
	// Rated is true when a certificate of this kind carries a rating
	// (only the OTOP Product Champion stars, 1–5).
	Rated       bool   `json:"rated"`
	Description string `json:"description"`
}

// ProvinceFilter narrows Taxonomy.Provinces. An empty field means no filter.
type ProvinceFilter struct {
	Region  string
	Cluster string
}

// Taxonomy is the validated reference data. Build it with Load.
type Taxonomy struct {
	// The slices keep the order of the data files, except provinces, which
	// are sorted by code. The maps index into them by id (or code).
	regions            []Region
	provinces          []Province
	clusters           []Cluster
	selectCenters      []SelectCenter
	categories         []Category
	creativeGroups     []CreativeGroup
	creativeIndustries []CreativeIndustry
	certificationKinds []CertificationKind

	regionByID            map[string]int
	provinceByCode        map[string]int
	clusterByID           map[string]int
	selectCenterByID      map[string]int
	categoryByID          map[string]int
	creativeGroupByID     map[string]int
	creativeIndustryByID  map[string]int
	certificationKindByID map[string]int
}

// Regions returns the four regions.
func (t *Taxonomy) Regions() []Region { return slices.Clone(t.regions) }

// Region returns the region with the given id.
func (t *Taxonomy) Region(id string) (Region, bool) { return lookup(t.regions, t.regionByID, id) }

// Provinces returns the provinces matching f, sorted by code. It returns an
// error wrapping ErrUnknownRegion or ErrUnknownCluster when f names a region
// or cluster that does not exist. When both filters are set, a province must
// match both (so a cluster outside the region yields an empty list).
func (t *Taxonomy) Provinces(f ProvinceFilter) ([]Province, error) {
	if f.Region != "" {
		if _, ok := t.regionByID[f.Region]; !ok {
			return nil, fmt.Errorf("%w: %q", ErrUnknownRegion, f.Region)
		}
	}
	if f.Cluster != "" {
		if _, ok := t.clusterByID[f.Cluster]; !ok {
			return nil, fmt.Errorf("%w: %q", ErrUnknownCluster, f.Cluster)
		}
	}
	out := make([]Province, 0, len(t.provinces))
	for _, p := range t.provinces {
		if f.Region != "" && p.Region != f.Region {
			continue
		}
		if f.Cluster != "" && (p.ClusterID == nil || *p.ClusterID != f.Cluster) {
			continue
		}
		out = append(out, copyProvince(p))
	}
	return out, nil
}

// Province returns the province with the given ISO 3166-2 code. Only the
// canonical form ("TH-50") is accepted.
func (t *Taxonomy) Province(code string) (Province, bool) {
	i, ok := t.provinceByCode[code]
	if !ok {
		return Province{}, false
	}
	return copyProvince(t.provinces[i]), true
}

// Clusters returns the 18 provincial clusters.
func (t *Taxonomy) Clusters() []Cluster {
	out := make([]Cluster, len(t.clusters))
	for i, c := range t.clusters {
		out[i] = copyCluster(c)
	}
	return out
}

// Cluster returns the cluster with the given id.
func (t *Taxonomy) Cluster(id string) (Cluster, bool) {
	i, ok := t.clusterByID[id]
	if !ok {
		return Cluster{}, false
	}
	return copyCluster(t.clusters[i]), true
}

// SelectCenters returns the OTOP Select centers, one per region.
func (t *Taxonomy) SelectCenters() []SelectCenter { return slices.Clone(t.selectCenters) }

// SelectCenter returns the OTOP Select center with the given id.
func (t *Taxonomy) SelectCenter(id string) (SelectCenter, bool) {
	return lookup(t.selectCenters, t.selectCenterByID, id)
}

// Categories returns the product categories.
func (t *Taxonomy) Categories() []Category { return slices.Clone(t.categories) }

// Category returns the product category with the given id.
func (t *Taxonomy) Category(id string) (Category, bool) {
	return lookup(t.categories, t.categoryByID, id)
}

// CreativeGroups returns the four groups of creative-economy industries.
func (t *Taxonomy) CreativeGroups() []CreativeGroup { return slices.Clone(t.creativeGroups) }

// CreativeIndustries returns the 15 creative-economy industries.
func (t *Taxonomy) CreativeIndustries() []CreativeIndustry {
	return slices.Clone(t.creativeIndustries)
}

// CreativeIndustry returns the creative-economy industry with the given id.
func (t *Taxonomy) CreativeIndustry(id string) (CreativeIndustry, bool) {
	return lookup(t.creativeIndustries, t.creativeIndustryByID, id)
}

// CertificationKinds returns the kinds of product certification.
func (t *Taxonomy) CertificationKinds() []CertificationKind {
	return slices.Clone(t.certificationKinds)
}

// CertificationKind returns the certification kind with the given id.
func (t *Taxonomy) CertificationKind(id string) (CertificationKind, bool) {
	return lookup(t.certificationKinds, t.certificationKindByID, id)
}

// SelectCenterExists reports whether id names one of the four Select centers.
func (t *Taxonomy) SelectCenterExists(id string) bool {
	_, ok := t.selectCenterByID[id]
	return ok
}

// SelectCenterFor returns the id of the default OTOP Select center of the
// province with the given ISO 3166-2 code, and false if there is no such
// province.
func (t *Taxonomy) SelectCenterFor(provinceCode string) (string, bool) {
	i, ok := t.provinceByCode[provinceCode]
	if !ok {
		return "", false
	}
	return t.provinces[i].SelectCenterID, true
}

// lookup returns the element of items at the index stored under key. It is
// only for element types without pointers or slices, which copy by value.
func lookup[T any](items []T, index map[string]int, key string) (T, bool) {
	i, ok := index[key]
	if !ok {
		var zero T
		return zero, false
	}
	return items[i], true
}

func copyProvince(p Province) Province {
	if p.ClusterID != nil {
		id := *p.ClusterID
		p.ClusterID = &id
	}
	return p
}

func copyCluster(c Cluster) Cluster {
	c.ProvinceCodes = slices.Clone(c.ProvinceCodes)
	return c
}
