package taxonomy

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
)

//go:embed data/*.json
var dataFS embed.FS

// Names of the data files, relative to data/.
const (
	fileRegions            = "regions.json"
	fileProvinces          = "provinces.json"
	fileClusters           = "clusters.json"
	fileSelectCenters      = "select_centers.json"
	fileCategories         = "categories.json"
	fileCreativeGroups     = "creative_groups.json"
	fileCreativeIndustries = "creative_industries.json"
	fileCertificationKinds = "certification_kinds.json"
)

// Expected sizes of the reference data.
const (
	wantRegions            = 4
	wantProvinces          = 77
	wantClusters           = 18
	wantSelectCenters      = 4
	wantCategories         = 5
	wantCreativeGroups     = 4
	wantCreativeIndustries = 15
	wantCertificationKinds = 8
)

// bangkokCode is the only province that belongs to no cluster.
const bangkokCode = "TH-10"

// ratedCertificationKind is the only certification kind that carries a rating.
const ratedCertificationKind = "otop_stars"

// knownRegionIDs are the region ids other code may rely on.
var knownRegionIDs = [...]string{"north", "northeast", "central", "south"}

// provinceRecord is a province as stored in provinces.json: SelectCenterID
// is derived, so the file must not carry it.
type provinceRecord struct {
	Code      string  `json:"code"`
	NameEN    string  `json:"name_en"`
	NameTH    string  `json:"name_th"`
	Region    string  `json:"region"`
	ClusterID *string `json:"cluster_id"`
}

// Load parses the embedded reference data, derives each province's Select
// center from its region and checks every invariant of the data. The error,
// if any, lists every problem found.
func Load() (*Taxonomy, error) {
	return load(func(name string) ([]byte, error) {
		return dataFS.ReadFile("data/" + name)
	})
}

// load builds a Taxonomy from the files that read returns; tests use it to
// feed in broken data.
func load(read func(name string) ([]byte, error)) (*Taxonomy, error) {
	var (
		t         Taxonomy
		provinces []provinceRecord
	)
	err := errors.Join(
		decodeFile(read, fileRegions, &t.regions),
		decodeFile(read, fileProvinces, &provinces),
		decodeFile(read, fileClusters, &t.clusters),
		decodeFile(read, fileSelectCenters, &t.selectCenters),
		decodeFile(read, fileCategories, &t.categories),
		decodeFile(read, fileCreativeGroups, &t.creativeGroups),
		decodeFile(read, fileCreativeIndustries, &t.creativeIndustries),
		decodeFile(read, fileCertificationKinds, &t.certificationKinds),
	)
	if err != nil {
		return nil, fmt.Errorf("taxonomy: %w", err)
	}

	t.provinces = make([]Province, len(provinces))
	for i, p := range provinces {
		t.provinces[i] = Province{
			Code:      p.Code,
			NameEN:    p.NameEN,
			NameTH:    p.NameTH,
			Region:    p.Region,
			ClusterID: p.ClusterID,
		}
	}
	sort.SliceStable(t.provinces, func(i, j int) bool { return t.provinces[i].Code < t.provinces[j].Code })

	var v validator
	t.regionByID = index(&v, "region", t.regions, func(r Region) string { return r.ID })
	t.provinceByCode = index(&v, "province", t.provinces, func(p Province) string { return p.Code })
	t.clusterByID = index(&v, "cluster", t.clusters, func(c Cluster) string { return c.ID })
	t.selectCenterByID = index(&v, "select center", t.selectCenters, func(s SelectCenter) string { return s.ID })
	t.categoryByID = index(&v, "category", t.categories, func(c Category) string { return c.ID })
	t.creativeGroupByID = index(&v, "creative group", t.creativeGroups, func(g CreativeGroup) string { return g.ID })
	t.creativeIndustryByID = index(&v, "creative industry", t.creativeIndustries, func(c CreativeIndustry) string { return c.ID })
	t.certificationKindByID = index(&v, "certification kind", t.certificationKinds, func(c CertificationKind) string { return c.ID })

	v.count("regions", len(t.regions), wantRegions)
	v.count("provinces", len(t.provinces), wantProvinces)
	v.count("clusters", len(t.clusters), wantClusters)
	v.count("select centers", len(t.selectCenters), wantSelectCenters)
	v.count("categories", len(t.categories), wantCategories)
	v.count("creative groups", len(t.creativeGroups), wantCreativeGroups)
	v.count("creative industries", len(t.creativeIndustries), wantCreativeIndustries)
	v.count("certification kinds", len(t.certificationKinds), wantCertificationKinds)

	t.validateGeography(&v)
	t.validateCatalog(&v)

	if err := v.err(); err != nil {
		return nil, fmt.Errorf("taxonomy: invalid data:\n%w", err)
	}
	return &t, nil
}

// validateGeography checks regions, Select centers, provinces and clusters,
// and derives each province's SelectCenterID.
func (t *Taxonomy) validateGeography(v *validator) {
	for _, id := range knownRegionIDs {
		if _, ok := t.regionByID[id]; !ok {
			v.addf("region %q is missing", id)
		}
	}
	for _, r := range t.regions {
		if !slices.Contains(knownRegionIDs[:], r.ID) {
			v.addf("region %q: not one of %q", r.ID, knownRegionIDs)
		}
		v.names("region "+r.ID, r.NameEN, r.NameTH)
	}

	// Each region has exactly one Select center, located in that region,
	// and the region points at it.
	centerOfRegion := make(map[string]string, len(t.selectCenters))
	for _, s := range t.selectCenters {
		what := "select center " + s.ID
		v.names(what, s.NameEN, s.NameTH)
		if _, ok := t.regionByID[s.Region]; !ok {
			v.addf("%s: unknown region %q", what, s.Region)
		}
		if other, dup := centerOfRegion[s.Region]; dup {
			v.addf("%s: region %q already has select center %q", what, s.Region, other)
		} else {
			centerOfRegion[s.Region] = s.ID
		}
		if i, ok := t.provinceByCode[s.ProvinceCode]; !ok {
			v.addf("%s: unknown province %q", what, s.ProvinceCode)
		} else if p := t.provinces[i]; p.Region != s.Region {
			v.addf("%s: province %s is in region %q, not %q", what, p.Code, p.Region, s.Region)
		}
	}
	for _, r := range t.regions {
		want, ok := centerOfRegion[r.ID]
		switch {
		case !ok:
			v.addf("region %s: no select center is located in it", r.ID)
		case r.SelectCenterID != want:
			v.addf("region %s: select_center_id is %q, want %q (the center located in the region)", r.ID, r.SelectCenterID, want)
		}
	}

	// Provinces: code format, names, region, cluster reference; derive the
	// Select center.
	for i := range t.provinces {
		p := &t.provinces[i]
		what := "province " + p.Code
		if !validProvinceCode(p.Code) {
			v.addf("%s: code does not match TH-NN", what)
		}
		v.names(what, p.NameEN, p.NameTH)
		ri, ok := t.regionByID[p.Region]
		if !ok {
			v.addf("%s: unknown region %q", what, p.Region)
		} else {
			p.SelectCenterID = t.regions[ri].SelectCenterID
		}
		switch {
		case p.Code == bangkokCode:
			if p.ClusterID != nil {
				v.addf("%s: Bangkok must not belong to a cluster, has cluster_id %q", what, *p.ClusterID)
			}
		case p.ClusterID == nil:
			v.addf("%s: cluster_id is null; only Bangkok (%s) has no cluster", what, bangkokCode)
		default:
			ci, ok := t.clusterByID[*p.ClusterID]
			if !ok {
				v.addf("%s: unknown cluster %q", what, *p.ClusterID)
				break
			}
			if c := t.clusters[ci]; !slices.Contains(c.ProvinceCodes, p.Code) {
				v.addf("%s: cluster_id is %q but that cluster does not list it", what, c.ID)
			}
		}
	}
	if _, ok := t.provinceByCode[bangkokCode]; !ok {
		v.addf("province %s (Bangkok) is missing", bangkokCode)
	}

	// Clusters: every listed province exists, shares the cluster's region,
	// points back at the cluster, and is listed nowhere else.
	clusterOf := make(map[string]string, len(t.provinces))
	for _, c := range t.clusters {
		what := "cluster " + c.ID
		v.names(what, c.NameEN, c.NameTH)
		if c.StrategicPosition == "" {
			v.addf("%s: strategic_position is empty", what)
		}
		if _, ok := t.regionByID[c.Region]; !ok {
			v.addf("%s: unknown region %q", what, c.Region)
		}
		if len(c.ProvinceCodes) == 0 {
			v.addf("%s: has no provinces", what)
		}
		for _, code := range c.ProvinceCodes {
			if other, dup := clusterOf[code]; dup {
				v.addf("%s: province %s is already in cluster %q", what, code, other)
				continue
			}
			clusterOf[code] = c.ID
			i, ok := t.provinceByCode[code]
			if !ok {
				v.addf("%s: unknown province %q", what, code)
				continue
			}
			p := t.provinces[i]
			if p.Region != c.Region {
				v.addf("%s: province %s is in region %q, the cluster in %q", what, code, p.Region, c.Region)
			}
			if p.ClusterID == nil || *p.ClusterID != c.ID {
				v.addf("%s: lists province %s whose cluster_id is %s", what, code, quoteOrNull(p.ClusterID))
			}
		}
	}
	for _, p := range t.provinces {
		if _, ok := clusterOf[p.Code]; !ok && p.Code != bangkokCode {
			v.addf("province %s: listed in no cluster", p.Code)
		}
	}
}

// validateCatalog checks categories, creative industries and certification
// kinds.
func (t *Taxonomy) validateCatalog(v *validator) {
	for _, c := range t.categories {
		v.names("category "+c.ID, c.NameEN, c.NameTH)
		if c.Description == "" {
			v.addf("category %s: description is empty", c.ID)
		}
	}

	industries := make(map[string]int, len(t.creativeGroups))
	for _, c := range t.creativeIndustries {
		v.names("creative industry "+c.ID, c.NameEN, c.NameTH)
		if _, ok := t.creativeGroupByID[c.Group]; !ok {
			v.addf("creative industry %s: unknown group %q", c.ID, c.Group)
		}
		industries[c.Group]++
	}
	for _, g := range t.creativeGroups {
		v.names("creative group "+g.ID, g.NameEN, g.NameTH)
		if industries[g.ID] == 0 {
			v.addf("creative group %s: has no industries", g.ID)
		}
	}

	for _, c := range t.certificationKinds {
		what := "certification kind " + c.ID
		v.names(what, c.NameEN, c.NameTH)
		if c.Issuer == "" {
			v.addf("%s: issuer is empty", what)
		}
		if c.Description == "" {
			v.addf("%s: description is empty", what)
		}
		if want := c.ID == ratedCertificationKind; c.Rated != want {
			v.addf("%s: rated is %t, want %t (only %s is rated)", what, c.Rated, want, ratedCertificationKind)
		}
	}
	if _, ok := t.certificationKindByID[ratedCertificationKind]; !ok {
		v.addf("certification kind %s is missing", ratedCertificationKind)
	}
}

// decodeFile strictly decodes the JSON array in data file name into dst:
// unknown fields and trailing data are errors.
func decodeFile[T any](read func(string) ([]byte, error), name string, dst *[]T) error {
	b, err := read(name)
	if err != nil {
		return fmt.Errorf("data/%s: %w", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("data/%s: %w", name, err)
	}
	if dec.More() {
		return fmt.Errorf("data/%s: unexpected data after the top-level array", name)
	}
	return nil
}

// validator collects every problem found in the data.
type validator struct{ problems []error }

func (v *validator) addf(format string, args ...any) {
	v.problems = append(v.problems, fmt.Errorf(format, args...))
}

func (v *validator) err() error { return errors.Join(v.problems...) }

func (v *validator) count(what string, got, want int) {
	if got != want {
		v.addf("got %d %s, want %d", got, what, want)
	}
}

// names checks that both names are present, that the Thai name is written in
// Thai script and that the English one is not.
func (v *validator) names(what, en, th string) {
	switch {
	case en == "":
		v.addf("%s: name_en is empty", what)
	case hasThai(en):
		v.addf("%s: name_en %q contains Thai script", what, en)
	}
	switch {
	case th == "":
		v.addf("%s: name_th is empty", what)
	case !hasThai(th):
		v.addf("%s: name_th %q contains no Thai script", what, th)
	}
}

// index maps each item's key to its position, reporting empty and duplicate
// keys.
func index[T any](v *validator, what string, items []T, key func(T) string) map[string]int {
	m := make(map[string]int, len(items))
	for i, it := range items {
		k := key(it)
		if k == "" {
			v.addf("%s #%d: id is empty", what, i+1)
			continue
		}
		if _, dup := m[k]; dup {
			v.addf("%s %s: duplicate id", what, k)
			continue
		}
		m[k] = i
	}
	return m
}

// validProvinceCode reports whether code matches ^TH-\d{2}$.
func validProvinceCode(code string) bool {
	return len(code) == 5 && code[:3] == "TH-" &&
		'0' <= code[3] && code[3] <= '9' && '0' <= code[4] && code[4] <= '9'
}

// hasThai reports whether s contains a character of the Thai block
// (U+0E00–U+0E7F).
func hasThai(s string) bool {
	for _, r := range s {
		if r >= 0x0E00 && r <= 0x0E7F {
			return true
		}
	}
	return false
}

func quoteOrNull(s *string) string {
	if s == nil {
		return "null"
	}
	return fmt.Sprintf("%q", *s)
}
