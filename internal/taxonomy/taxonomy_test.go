package taxonomy_test

import (
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/otopmarket/otop/internal/taxonomy"
)

func mustLoad(t *testing.T) *taxonomy.Taxonomy {
	t.Helper()
	tx, err := taxonomy.Load()
	if err != nil {
		t.Fatalf("Load() error: %v", err)
	}
	return tx
}

func TestCounts(t *testing.T) {
	tx := mustLoad(t)
	tests := []struct {
		name string
		got  int
		want int
	}{
		{"regions", len(tx.Regions()), 4},
		{"provinces", len(mustProvinces(t, tx, taxonomy.ProvinceFilter{})), 77},
		{"clusters", len(tx.Clusters()), 18},
		{"select centers", len(tx.SelectCenters()), 4},
		{"categories", len(tx.Categories()), 5},
		{"creative groups", len(tx.CreativeGroups()), 4},
		{"creative industries", len(tx.CreativeIndustries()), 15},
		{"certification kinds", len(tx.CertificationKinds()), 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %d %s, want %d", tc.got, tc.name, tc.want)
			}
		})
	}
}

func mustProvinces(t *testing.T, tx *taxonomy.Taxonomy, f taxonomy.ProvinceFilter) []taxonomy.Province {
	t.Helper()
	ps, err := tx.Provinces(f)
	if err != nil {
		t.Fatalf("Provinces(%+v) error: %v", f, err)
	}
	return ps
}

func codes(ps []taxonomy.Province) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Code
	}
	return out
}

// provinceNamesEN is ISO 3166-2:TH without TH-S (Pattaya).
var provinceNamesEN = map[string]string{
	"TH-10": "Bangkok", "TH-11": "Samut Prakan", "TH-12": "Nonthaburi", "TH-13": "Pathum Thani",
	"TH-14": "Phra Nakhon Si Ayutthaya", "TH-15": "Ang Thong", "TH-16": "Lop Buri", "TH-17": "Sing Buri",
	"TH-18": "Chai Nat", "TH-19": "Saraburi", "TH-20": "Chon Buri", "TH-21": "Rayong", "TH-22": "Chanthaburi",
	"TH-23": "Trat", "TH-24": "Chachoengsao", "TH-25": "Prachin Buri", "TH-26": "Nakhon Nayok", "TH-27": "Sa Kaeo",
	"TH-30": "Nakhon Ratchasima", "TH-31": "Buri Ram", "TH-32": "Surin", "TH-33": "Si Sa Ket",
	"TH-34": "Ubon Ratchathani", "TH-35": "Yasothon", "TH-36": "Chaiyaphum", "TH-37": "Amnat Charoen",
	"TH-38": "Bueng Kan", "TH-39": "Nong Bua Lam Phu", "TH-40": "Khon Kaen", "TH-41": "Udon Thani", "TH-42": "Loei",
	"TH-43": "Nong Khai", "TH-44": "Maha Sarakham", "TH-45": "Roi Et", "TH-46": "Kalasin", "TH-47": "Sakon Nakhon",
	"TH-48": "Nakhon Phanom", "TH-49": "Mukdahan", "TH-50": "Chiang Mai", "TH-51": "Lamphun", "TH-52": "Lampang",
	"TH-53": "Uttaradit", "TH-54": "Phrae", "TH-55": "Nan", "TH-56": "Phayao", "TH-57": "Chiang Rai",
	"TH-58": "Mae Hong Son", "TH-60": "Nakhon Sawan", "TH-61": "Uthai Thani", "TH-62": "Kamphaeng Phet",
	"TH-63": "Tak", "TH-64": "Sukhothai", "TH-65": "Phitsanulok", "TH-66": "Phichit", "TH-67": "Phetchabun",
	"TH-70": "Ratchaburi", "TH-71": "Kanchanaburi", "TH-72": "Suphan Buri", "TH-73": "Nakhon Pathom",
	"TH-74": "Samut Sakhon", "TH-75": "Samut Songkhram", "TH-76": "Phetchaburi", "TH-77": "Prachuap Khiri Khan",
	"TH-80": "Nakhon Si Thammarat", "TH-81": "Krabi", "TH-82": "Phangnga", "TH-83": "Phuket",
	"TH-84": "Surat Thani", "TH-85": "Ranong", "TH-86": "Chumphon", "TH-90": "Songkhla", "TH-91": "Satun",
	"TH-92": "Trang", "TH-93": "Phatthalung", "TH-94": "Pattani", "TH-95": "Yala", "TH-96": "Narathiwat",
}

func TestProvinces(t *testing.T) {
	tx := mustLoad(t)
	ps := mustProvinces(t, tx, taxonomy.ProvinceFilter{})

	t.Run("sorted unique well-formed codes", func(t *testing.T) {
		got := codes(ps)
		if !sort.StringsAreSorted(got) {
			t.Errorf("provinces not sorted by code: %v", got)
		}
		if c := slices.Compact(slices.Clone(got)); len(c) != len(got) {
			t.Errorf("duplicate province codes: %v", got)
		}
		for _, code := range got {
			if len(code) != 5 || code[:3] != "TH-" || code[3] < '0' || code[3] > '9' || code[4] < '0' || code[4] > '9' {
				t.Errorf("code %q does not match ^TH-\\d{2}$", code)
			}
		}
	})

	t.Run("ISO 3166-2 codes and English names", func(t *testing.T) {
		if len(ps) != len(provinceNamesEN) {
			t.Errorf("got %d provinces, want %d", len(ps), len(provinceNamesEN))
		}
		for _, p := range ps {
			want, ok := provinceNamesEN[p.Code]
			if !ok {
				t.Errorf("unexpected province %s (%s)", p.Code, p.NameEN)
			} else if p.NameEN != want {
				t.Errorf("%s: name_en %q, want %q", p.Code, p.NameEN, want)
			}
		}
	})

	thaiNames := []struct{ code, nameTH string }{
		{"TH-10", "กรุงเทพมหานคร"},
		{"TH-14", "พระนครศรีอยุธยา"},
		{"TH-31", "บุรีรัมย์"},
		{"TH-33", "ศรีสะเกษ"},
		{"TH-39", "หนองบัวลำภู"},
		{"TH-50", "เชียงใหม่"},
		{"TH-82", "พังงา"},
		{"TH-84", "สุราษฎร์ธานี"},
		{"TH-92", "ตรัง"},
		{"TH-93", "พัทลุง"},
		{"TH-96", "นราธิวาส"},
	}
	for _, tc := range thaiNames {
		t.Run("Thai name "+tc.code, func(t *testing.T) {
			p, ok := tx.Province(tc.code)
			if !ok {
				t.Fatalf("Province(%q) not found", tc.code)
			}
			if p.NameTH != tc.nameTH {
				t.Errorf("name_th %q, want %q", p.NameTH, tc.nameTH)
			}
		})
	}

	t.Run("no Pattaya", func(t *testing.T) {
		if _, ok := tx.Province("TH-S"); ok {
			t.Errorf("Province(TH-S) found; Pattaya is not a province")
		}
	})
}

func TestEveryProvinceButBangkokInExactlyOneCluster(t *testing.T) {
	tx := mustLoad(t)
	memberships := map[string][]string{}
	for _, c := range tx.Clusters() {
		for _, code := range c.ProvinceCodes {
			memberships[code] = append(memberships[code], c.ID)
		}
	}
	for _, p := range mustProvinces(t, tx, taxonomy.ProvinceFilter{}) {
		t.Run(p.Code, func(t *testing.T) {
			in := memberships[p.Code]
			if p.Code == "TH-10" {
				if len(in) != 0 {
					t.Errorf("Bangkok is in clusters %v, want none", in)
				}
				if p.ClusterID != nil {
					t.Errorf("Bangkok ClusterID = %q, want nil", *p.ClusterID)
				}
				if p.Region != "central" {
					t.Errorf("Bangkok region %q, want central", p.Region)
				}
				return
			}
			if len(in) != 1 {
				t.Fatalf("in clusters %v, want exactly one", in)
			}
			if p.ClusterID == nil || *p.ClusterID != in[0] {
				t.Errorf("ClusterID = %v, want %q", p.ClusterID, in[0])
			}
		})
	}
	for code := range memberships {
		if _, ok := tx.Province(code); !ok {
			t.Errorf("a cluster lists unknown province %q", code)
		}
	}
}

func TestClusterProvincesShareRegion(t *testing.T) {
	tx := mustLoad(t)
	for _, c := range tx.Clusters() {
		t.Run(c.ID, func(t *testing.T) {
			if _, ok := tx.Region(c.Region); !ok {
				t.Fatalf("cluster region %q unknown", c.Region)
			}
			for _, code := range c.ProvinceCodes {
				p, ok := tx.Province(code)
				if !ok {
					t.Errorf("unknown province %q", code)
					continue
				}
				if p.Region != c.Region {
					t.Errorf("province %s in region %q, cluster in %q", code, p.Region, c.Region)
				}
			}
		})
	}
}

// TestClusterData checks the 18 clusters against the Thailand 4.0 "Agenda 4"
// list: order, region, member provinces and strategic position.
func TestClusterData(t *testing.T) {
	want := []struct {
		id, region, position string
		provinces            []string
	}{
		{"upper-north-1", "north", "Creative Cluster and Agricultural and Food Innopolis", []string{"TH-50", "TH-51", "TH-52", "TH-58"}},
		{"upper-north-2", "north", "Gateway to GMS and ASEAN+3 and Green Tourism Destination", []string{"TH-57", "TH-56", "TH-54", "TH-55"}},
		{"lower-north-1", "north", "Indo-China Trade and Service Center and Gateway to Myanmar", []string{"TH-63", "TH-65", "TH-67", "TH-64", "TH-53"}},
		{"lower-north-2", "north", "Rice Business Center and Heritage Tourism Destination", []string{"TH-62", "TH-66", "TH-60", "TH-61"}},
		{"upper-northeast-1", "northeast", "GMS Trading Center and Gateway to Eastern ASEAN & China", []string{"TH-41", "TH-43", "TH-42", "TH-39", "TH-38"}},
		{"upper-northeast-2", "northeast", "Agricultural and Livestock Center and Northeastern Green Tourism Destination", []string{"TH-47", "TH-48", "TH-49"}},
		{"middle-northeast", "northeast", "Northeastern Agricultural Food Innopolis and Logistics Hub", []string{"TH-40", "TH-44", "TH-45", "TH-46"}},
		{"lower-northeast-1", "northeast", "Khmer Civilization and Sport Creative Cluster and Agricultural Trading Center", []string{"TH-30", "TH-36", "TH-31", "TH-32"}},
		{"lower-northeast-2", "northeast", "World Jasmine Rice Production Center and Gateway to Eastern ASEAN", []string{"TH-34", "TH-33", "TH-35", "TH-37"}},
		{"upper-central-1", "central", "Cultural Heritage Tourism Hub and Food Innopolis", []string{"TH-12", "TH-13", "TH-14", "TH-19"}},
		{"upper-central-2", "central", "Organic Food Production Base", []string{"TH-18", "TH-16", "TH-17", "TH-15"}},
		{"middle-central", "central", "Green Industry Hub, Green Tourism, and Gateway to ASEAN & Global", []string{"TH-24", "TH-25", "TH-26", "TH-27", "TH-11"}},
		{"lower-central-1", "central", "Western Creative Tourism and Trade Destination", []string{"TH-71", "TH-73", "TH-70", "TH-72"}},
		{"lower-central-2", "central", "Seafood and Agricultural Trade Center and Global Tourism Destination", []string{"TH-76", "TH-77", "TH-74", "TH-75"}},
		{"east", "central", "Organic Fruits & Clean Industry, and Medical Tourism Destination", []string{"TH-22", "TH-20", "TH-23", "TH-21"}},
		{"south-gulf", "south", "Southern Agricultural Trading Center (Rubber, Oil Palm, Fruits)", []string{"TH-86", "TH-84", "TH-80", "TH-93"}},
		{"south-andaman", "south", "World Class Tourism, and Creative Cluster – City of Gastronomy", []string{"TH-81", "TH-82", "TH-83", "TH-85", "TH-92"}},
		{"south-border", "south", "Agricultural and Food Innopolis (Rubber, Fishery, Halal Food)", []string{"TH-90", "TH-91", "TH-94", "TH-95", "TH-96"}},
	}
	tx := mustLoad(t)
	got := tx.Clusters()
	if len(got) != len(want) {
		t.Fatalf("got %d clusters, want %d", len(got), len(want))
	}
	for i, w := range want {
		t.Run(w.id, func(t *testing.T) {
			c := got[i]
			if c.ID != w.id {
				t.Fatalf("cluster #%d is %q, want %q", i+1, c.ID, w.id)
			}
			if c.StrategicPosition != w.position {
				t.Errorf("strategic position %q, want %q", c.StrategicPosition, w.position)
			}
			if c.Region != w.region {
				t.Errorf("region %q, want %q", c.Region, w.region)
			}
			if !slices.Equal(c.ProvinceCodes, w.provinces) {
				t.Errorf("provinces %v, want %v", c.ProvinceCodes, w.provinces)
			}
			if !strings.HasPrefix(c.NameTH, "กลุ่มจังหวัด") {
				t.Errorf("name_th %q does not start with กลุ่มจังหวัด", c.NameTH)
			}
			if byID, ok := tx.Cluster(w.id); !ok || byID.ID != w.id {
				t.Errorf("Cluster(%q) = %v, %t", w.id, byID, ok)
			}
		})
	}
}

func TestSelectCenterFor(t *testing.T) {
	tx := mustLoad(t)
	tests := []struct {
		code, want string
	}{
		{"TH-50", "chiang-mai"},
		{"TH-57", "chiang-mai"},
		{"TH-63", "chiang-mai"},
		{"TH-60", "chiang-mai"},
		{"TH-40", "khon-kaen"},
		{"TH-30", "khon-kaen"},
		{"TH-34", "khon-kaen"},
		{"TH-38", "khon-kaen"},
		{"TH-10", "bangkok"},
		{"TH-20", "bangkok"},
		{"TH-11", "bangkok"},
		{"TH-71", "bangkok"},
		{"TH-77", "bangkok"},
		{"TH-90", "songkhla"},
		{"TH-83", "songkhla"},
		{"TH-86", "songkhla"},
		{"TH-93", "songkhla"},
		{"TH-96", "songkhla"},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			got, ok := tx.SelectCenterFor(tc.code)
			if !ok || got != tc.want {
				t.Errorf("SelectCenterFor(%q) = %q, %t; want %q, true", tc.code, got, ok, tc.want)
			}
			p, _ := tx.Province(tc.code)
			if p.SelectCenterID != tc.want {
				t.Errorf("Province(%q).SelectCenterID = %q, want %q", tc.code, p.SelectCenterID, tc.want)
			}
		})
	}
}

func TestRegionsAndSelectCenters(t *testing.T) {
	tx := mustLoad(t)
	tests := []struct {
		region, center, centerProvince string
	}{
		{"north", "chiang-mai", "TH-50"},
		{"northeast", "khon-kaen", "TH-40"},
		{"central", "bangkok", "TH-10"},
		{"south", "songkhla", "TH-90"},
	}
	for _, tc := range tests {
		t.Run(tc.region, func(t *testing.T) {
			r, ok := tx.Region(tc.region)
			if !ok {
				t.Fatalf("Region(%q) not found", tc.region)
			}
			if r.SelectCenterID != tc.center {
				t.Errorf("SelectCenterID %q, want %q", r.SelectCenterID, tc.center)
			}
			sc, ok := tx.SelectCenter(tc.center)
			if !ok {
				t.Fatalf("SelectCenter(%q) not found", tc.center)
			}
			if sc.Region != tc.region || sc.ProvinceCode != tc.centerProvince {
				t.Errorf("select center %+v, want region %q in %s", sc, tc.region, tc.centerProvince)
			}
			for _, p := range mustProvinces(t, tx, taxonomy.ProvinceFilter{Region: tc.region}) {
				if p.SelectCenterID != tc.center {
					t.Errorf("province %s SelectCenterID %q, want %q", p.Code, p.SelectCenterID, tc.center)
				}
			}
		})
	}
}

func TestProvincesFilter(t *testing.T) {
	tx := mustLoad(t)
	tests := []struct {
		name      string
		filter    taxonomy.ProvinceFilter
		wantCount int
		want      []string // checked when non-nil
	}{
		{"all", taxonomy.ProvinceFilter{}, 77, nil},
		{"north", taxonomy.ProvinceFilter{Region: "north"}, 17, nil},
		{"northeast", taxonomy.ProvinceFilter{Region: "northeast"}, 20, nil},
		{"central", taxonomy.ProvinceFilter{Region: "central"}, 26, nil},
		{"south", taxonomy.ProvinceFilter{Region: "south"}, 14, nil},
		{"cluster south-gulf", taxonomy.ProvinceFilter{Cluster: "south-gulf"}, 4, []string{"TH-80", "TH-84", "TH-86", "TH-93"}},
		{"cluster upper-northeast-2", taxonomy.ProvinceFilter{Cluster: "upper-northeast-2"}, 3, []string{"TH-47", "TH-48", "TH-49"}},
		{"region and its cluster", taxonomy.ProvinceFilter{Region: "central", Cluster: "east"}, 4, []string{"TH-20", "TH-21", "TH-22", "TH-23"}},
		{"region and a cluster elsewhere", taxonomy.ProvinceFilter{Region: "north", Cluster: "east"}, 0, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps := mustProvinces(t, tx, tc.filter)
			if ps == nil {
				t.Errorf("Provinces returned nil, want a non-nil slice")
			}
			got := codes(ps)
			if len(got) != tc.wantCount {
				t.Errorf("got %d provinces %v, want %d", len(got), got, tc.wantCount)
			}
			if tc.want != nil && !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if !sort.StringsAreSorted(got) {
				t.Errorf("not sorted by code: %v", got)
			}
			for _, p := range ps {
				if tc.filter.Region != "" && p.Region != tc.filter.Region {
					t.Errorf("%s has region %q", p.Code, p.Region)
				}
				if tc.filter.Cluster != "" && (p.ClusterID == nil || *p.ClusterID != tc.filter.Cluster) {
					t.Errorf("%s has cluster %v", p.Code, p.ClusterID)
				}
			}
		})
	}

	t.Run("Bangkok only under region central", func(t *testing.T) {
		central := codes(mustProvinces(t, tx, taxonomy.ProvinceFilter{Region: "central"}))
		if !slices.Contains(central, "TH-10") {
			t.Errorf("central provinces %v lack TH-10", central)
		}
	})
}

func TestProvincesUnknownFilter(t *testing.T) {
	tx := mustLoad(t)
	tests := []struct {
		name    string
		filter  taxonomy.ProvinceFilter
		wantErr error
	}{
		{"unknown region", taxonomy.ProvinceFilter{Region: "east"}, taxonomy.ErrUnknownRegion},
		{"region wrong case", taxonomy.ProvinceFilter{Region: "North"}, taxonomy.ErrUnknownRegion},
		{"unknown region with valid cluster", taxonomy.ProvinceFilter{Region: "west", Cluster: "east"}, taxonomy.ErrUnknownRegion},
		{"unknown cluster", taxonomy.ProvinceFilter{Cluster: "bangkok"}, taxonomy.ErrUnknownCluster},
		{"unknown cluster with valid region", taxonomy.ProvinceFilter{Region: "south", Cluster: "south-west"}, taxonomy.ErrUnknownCluster},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := tx.Provinces(tc.filter)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Provinces(%+v) error = %v, want %v", tc.filter, err, tc.wantErr)
			}
			if ps != nil {
				t.Errorf("Provinces(%+v) returned %d provinces along with the error", tc.filter, len(ps))
			}
			value := tc.filter.Region
			if errors.Is(err, taxonomy.ErrUnknownCluster) {
				value = tc.filter.Cluster
			}
			if !strings.Contains(err.Error(), value) {
				t.Errorf("error %q does not name the value %q", err, value)
			}
		})
	}
}

func TestUnknownLookups(t *testing.T) {
	tx := mustLoad(t)
	found := func(_ any, ok bool) bool { return ok }
	tests := []struct {
		name string
		ok   bool
	}{
		{"Region empty", found(tx.Region(""))},
		{"Region east", found(tx.Region("east"))},
		{"Region North", found(tx.Region("North"))},
		{"Province empty", found(tx.Province(""))},
		{"Province 50", found(tx.Province("50"))},
		{"Province th-50", found(tx.Province("th-50"))},
		{"Province TH50", found(tx.Province("TH50"))},
		{"Province TH-050", found(tx.Province("TH-050"))},
		{"Province padded", found(tx.Province(" TH-50 "))},
		{"Province TH-99", found(tx.Province("TH-99"))},
		{"Province TH-S", found(tx.Province("TH-S"))},
		{"Province by name", found(tx.Province("Chiang Mai"))},
		{"Cluster", found(tx.Cluster("upper-north-3"))},
		{"SelectCenter", found(tx.SelectCenter("phuket"))},
		{"Category", found(tx.Category("toys"))},
		{"CreativeIndustry", found(tx.CreativeIndustry("gaming"))},
		{"CertificationKind", found(tx.CertificationKind("iso9001"))},
		{"SelectCenterFor th-50", found(tx.SelectCenterFor("th-50"))},
		{"SelectCenterFor TH-99", found(tx.SelectCenterFor("TH-99"))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.ok {
				t.Errorf("lookup succeeded, want not found")
			}
		})
	}
}

func TestKnownLookups(t *testing.T) {
	tx := mustLoad(t)
	for _, r := range tx.Regions() {
		if got, ok := tx.Region(r.ID); !ok || got != r {
			t.Errorf("Region(%q) = %+v, %t; want %+v", r.ID, got, ok, r)
		}
	}
	for _, s := range tx.SelectCenters() {
		if got, ok := tx.SelectCenter(s.ID); !ok || got != s {
			t.Errorf("SelectCenter(%q) = %+v, %t; want %+v", s.ID, got, ok, s)
		}
	}
	for _, c := range tx.Categories() {
		if got, ok := tx.Category(c.ID); !ok || got != c {
			t.Errorf("Category(%q) = %+v, %t; want %+v", c.ID, got, ok, c)
		}
	}
	for _, c := range tx.CreativeIndustries() {
		if got, ok := tx.CreativeIndustry(c.ID); !ok || got != c {
			t.Errorf("CreativeIndustry(%q) = %+v, %t; want %+v", c.ID, got, ok, c)
		}
	}
	for _, c := range tx.CertificationKinds() {
		if got, ok := tx.CertificationKind(c.ID); !ok || got != c {
			t.Errorf("CertificationKind(%q) = %+v, %t; want %+v", c.ID, got, ok, c)
		}
	}
}

func TestCatalogIDs(t *testing.T) {
	tx := mustLoad(t)
	ids := func(n int, id func(int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = id(i)
		}
		return out
	}
	regions, centers, cats := tx.Regions(), tx.SelectCenters(), tx.Categories()
	groups, inds, certs := tx.CreativeGroups(), tx.CreativeIndustries(), tx.CertificationKinds()
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"regions", ids(len(regions), func(i int) string { return regions[i].ID }),
			[]string{"north", "northeast", "central", "south"}},
		{"select centers", ids(len(centers), func(i int) string { return centers[i].ID }),
			[]string{"chiang-mai", "khon-kaen", "bangkok", "songkhla"}},
		{"categories", ids(len(cats), func(i int) string { return cats[i].ID }),
			[]string{"food", "beverage", "textile", "household", "herbal"}},
		{"creative groups", ids(len(groups), func(i int) string { return groups[i].ID }),
			[]string{"cultural_heritage", "arts", "media", "functional_creation"}},
		{"creative industries", ids(len(inds), func(i int) string { return inds[i].ID + "/" + inds[i].Group }),
			[]string{
				"crafts/cultural_heritage", "thai_food/cultural_heritage", "thai_traditional_medicine/cultural_heritage", "cultural_tourism/cultural_heritage",
				"performing_arts/arts", "visual_arts/arts",
				"film_video/media", "publishing/media", "broadcasting/media", "music/media",
				"design/functional_creation", "fashion/functional_creation", "architecture/functional_creation", "advertising/functional_creation", "software/functional_creation",
			}},
		{"certification kinds", ids(len(certs), func(i int) string { return certs[i].ID }),
			[]string{"thai_fda", "mor_phor_chor", "tis", "gmp", "halal", "organic", "gi", "otop_stars"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !slices.Equal(tc.got, tc.want) {
				t.Errorf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
}

func TestCreativeGroupsNonEmpty(t *testing.T) {
	tx := mustLoad(t)
	perGroup := map[string]int{}
	for _, c := range tx.CreativeIndustries() {
		perGroup[c.Group]++
	}
	for _, g := range tx.CreativeGroups() {
		t.Run(g.ID, func(t *testing.T) {
			if perGroup[g.ID] == 0 {
				t.Errorf("group has no industries")
			}
		})
		delete(perGroup, g.ID)
	}
	if len(perGroup) != 0 {
		t.Errorf("industries reference unknown groups: %v", perGroup)
	}
}

func TestCertificationKindsRated(t *testing.T) {
	tx := mustLoad(t)
	for _, c := range tx.CertificationKinds() {
		t.Run(c.ID, func(t *testing.T) {
			if want := c.ID == "otop_stars"; c.Rated != want {
				t.Errorf("Rated = %t, want %t", c.Rated, want)
			}
			if c.Issuer == "" || c.Description == "" {
				t.Errorf("issuer or description empty: %+v", c)
			}
		})
	}
}

func hasThai(s string) bool {
	for _, r := range s {
		if r >= 0x0E00 && r <= 0x0E7F {
			return true
		}
	}
	return false
}

func TestNamesInBothLanguages(t *testing.T) {
	tx := mustLoad(t)
	type named struct{ what, en, th string }
	var all []named
	for _, x := range tx.Regions() {
		all = append(all, named{"region " + x.ID, x.NameEN, x.NameTH})
	}
	for _, x := range mustProvinces(t, tx, taxonomy.ProvinceFilter{}) {
		all = append(all, named{"province " + x.Code, x.NameEN, x.NameTH})
	}
	for _, x := range tx.Clusters() {
		all = append(all, named{"cluster " + x.ID, x.NameEN, x.NameTH})
	}
	for _, x := range tx.SelectCenters() {
		all = append(all, named{"select center " + x.ID, x.NameEN, x.NameTH})
	}
	for _, x := range tx.Categories() {
		all = append(all, named{"category " + x.ID, x.NameEN, x.NameTH})
	}
	for _, x := range tx.CreativeGroups() {
		all = append(all, named{"creative group " + x.ID, x.NameEN, x.NameTH})
	}
	for _, x := range tx.CreativeIndustries() {
		all = append(all, named{"creative industry " + x.ID, x.NameEN, x.NameTH})
	}
	for _, x := range tx.CertificationKinds() {
		all = append(all, named{"certification kind " + x.ID, x.NameEN, x.NameTH})
	}
	for _, n := range all {
		t.Run(n.what, func(t *testing.T) {
			if n.en == "" || hasThai(n.en) {
				t.Errorf("name_en %q: want non-empty and without Thai script", n.en)
			}
			if !hasThai(n.th) {
				t.Errorf("name_th %q: want Thai script", n.th)
			}
		})
	}
}

func TestGettersReturnCopies(t *testing.T) {
	tx := mustLoad(t)
	tests := []struct {
		name   string
		mutate func()
		check  func() bool // true when the data is intact
	}{
		{"Regions",
			func() { tx.Regions()[0].ID = "x" },
			func() bool { return tx.Regions()[0].ID == "north" }},
		{"Provinces",
			func() { mustProvinces(t, tx, taxonomy.ProvinceFilter{})[0].Code = "x" },
			func() bool { return mustProvinces(t, tx, taxonomy.ProvinceFilter{})[0].Code == "TH-10" }},
		{"Provinces ClusterID pointer",
			func() { *mustProvinces(t, tx, taxonomy.ProvinceFilter{Region: "north"})[0].ClusterID = "x" },
			func() bool {
				return *mustProvinces(t, tx, taxonomy.ProvinceFilter{Region: "north"})[0].ClusterID == "upper-north-1"
			}},
		{"Province ClusterID pointer",
			func() { p, _ := tx.Province("TH-50"); *p.ClusterID = "x" },
			func() bool { p, _ := tx.Province("TH-50"); return *p.ClusterID == "upper-north-1" }},
		{"Clusters",
			func() { tx.Clusters()[0].ID = "x" },
			func() bool { return tx.Clusters()[0].ID == "upper-north-1" }},
		{"Clusters ProvinceCodes",
			func() { tx.Clusters()[0].ProvinceCodes[0] = "x" },
			func() bool { return tx.Clusters()[0].ProvinceCodes[0] == "TH-50" }},
		{"Cluster ProvinceCodes",
			func() { c, _ := tx.Cluster("upper-north-1"); c.ProvinceCodes[0] = "x" },
			func() bool { c, _ := tx.Cluster("upper-north-1"); return c.ProvinceCodes[0] == "TH-50" }},
		{"SelectCenters",
			func() { tx.SelectCenters()[0].ID = "x" },
			func() bool { return tx.SelectCenters()[0].ID == "chiang-mai" }},
		{"Categories",
			func() { tx.Categories()[0].ID = "x" },
			func() bool { return tx.Categories()[0].ID == "food" }},
		{"CreativeGroups",
			func() { tx.CreativeGroups()[0].ID = "x" },
			func() bool { return tx.CreativeGroups()[0].ID == "cultural_heritage" }},
		{"CreativeIndustries",
			func() { tx.CreativeIndustries()[0].ID = "x" },
			func() bool { return tx.CreativeIndustries()[0].ID == "crafts" }},
		{"CertificationKinds",
			func() { tx.CertificationKinds()[0].ID = "x" },
			func() bool { return tx.CertificationKinds()[0].ID == "thai_fda" }},
		{"Regions append",
			func() { _ = append(tx.Regions()[:1], taxonomy.Region{ID: "x"}) },
			func() bool { return tx.Regions()[1].ID == "northeast" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.check() {
				t.Fatalf("unexpected data before mutation")
			}
			tc.mutate()
			if !tc.check() {
				t.Errorf("mutating a returned value changed the taxonomy")
			}
		})
	}
}

func TestProvinceJSON(t *testing.T) {
	tx := mustLoad(t)
	bkk, _ := tx.Province("TH-10")
	b, err := json.Marshal(bkk)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	want := `{"code":"TH-10","name_en":"Bangkok","name_th":"กรุงเทพมหานคร","region":"central","cluster_id":null,"select_center_id":"bangkok"}`
	if string(b) != want {
		t.Errorf("Bangkok JSON = %s, want %s", b, want)
	}
}

// editJSON decodes the embedded data file name, applies edit to its records
// and returns the override map for LoadWith.
func editJSON(t *testing.T, name string, edit func([]map[string]any) []map[string]any) map[string][]byte {
	t.Helper()
	var records []map[string]any
	if err := json.Unmarshal(taxonomy.EmbeddedFile(name), &records); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	b, err := json.Marshal(edit(records))
	if err != nil {
		t.Fatalf("encode %s: %v", name, err)
	}
	return map[string][]byte{name: b}
}

// set returns an edit that sets field to value in the record whose key field
// equals id.
func set(key, id, field string, value any) func([]map[string]any) []map[string]any {
	return func(rs []map[string]any) []map[string]any {
		for _, r := range rs {
			if r[key] == id {
				r[field] = value
			}
		}
		return rs
	}
}

func TestLoadRejectsBrokenData(t *testing.T) {
	tests := []struct {
		name      string
		overrides func(t *testing.T) map[string][]byte
		wantErr   string
	}{
		{"malformed JSON", func(t *testing.T) map[string][]byte {
			return map[string][]byte{"regions.json": []byte(`[{"id": "north"`)}
		}, "data/regions.json"},
		{"trailing data", func(t *testing.T) map[string][]byte {
			return map[string][]byte{"categories.json": append(taxonomy.EmbeddedFile("categories.json"), "[]"...)}
		}, "unexpected data after"},
		{"missing province", func(t *testing.T) map[string][]byte {
			return editJSON(t, "provinces.json", func(rs []map[string]any) []map[string]any { return rs[:len(rs)-1] })
		}, "got 76 provinces, want 77"},
		{"duplicate province code", func(t *testing.T) map[string][]byte {
			return editJSON(t, "provinces.json", set("code", "TH-96", "code", "TH-95"))
		}, "province TH-95: duplicate id"},
		{"malformed province code", func(t *testing.T) map[string][]byte {
			return editJSON(t, "provinces.json", set("code", "TH-96", "code", "TH-096"))
		}, "does not match TH-NN"},
		{"select_center_id stored in provinces", func(t *testing.T) map[string][]byte {
			return editJSON(t, "provinces.json", set("code", "TH-50", "select_center_id", "chiang-mai"))
		}, `unknown field "select_center_id"`},
		{"Bangkok in a cluster", func(t *testing.T) map[string][]byte {
			return editJSON(t, "provinces.json", set("code", "TH-10", "cluster_id", "middle-central"))
		}, "Bangkok must not belong to a cluster"},
		{"province without cluster", func(t *testing.T) map[string][]byte {
			return editJSON(t, "provinces.json", set("code", "TH-50", "cluster_id", nil))
		}, "only Bangkok (TH-10) has no cluster"},
		{"cluster_id points at the wrong cluster", func(t *testing.T) map[string][]byte {
			return editJSON(t, "provinces.json", set("code", "TH-50", "cluster_id", "upper-north-2"))
		}, "that cluster does not list it"},
		{"unknown cluster_id", func(t *testing.T) map[string][]byte {
			return editJSON(t, "provinces.json", set("code", "TH-50", "cluster_id", "north"))
		}, `unknown cluster "north"`},
		{"province in two clusters", func(t *testing.T) map[string][]byte {
			return editJSON(t, "clusters.json", set("id", "upper-north-2", "province_codes",
				[]string{"TH-57", "TH-56", "TH-54", "TH-55", "TH-50"}))
		}, "province TH-50 is already in cluster"},
		{"province in no cluster", func(t *testing.T) map[string][]byte {
			return editJSON(t, "clusters.json", set("id", "upper-north-1", "province_codes",
				[]string{"TH-50", "TH-51", "TH-52"}))
		}, "province TH-58: listed in no cluster"},
		{"cluster spans two regions", func(t *testing.T) map[string][]byte {
			return editJSON(t, "provinces.json", set("code", "TH-63", "region", "central"))
		}, `province TH-63 is in region "central", the cluster in "north"`},
		{"wrong cluster count", func(t *testing.T) map[string][]byte {
			o := editJSON(t, "clusters.json", func(rs []map[string]any) []map[string]any { return rs[:17] })
			for k, v := range editJSON(t, "provinces.json", func(rs []map[string]any) []map[string]any {
				out := rs[:0]
				for _, r := range rs {
					if r["cluster_id"] != "south-border" {
						out = append(out, r)
					}
				}
				return out
			}) {
				o[k] = v
			}
			return o
		}, "got 17 clusters, want 18"},
		{"region points at the wrong select center", func(t *testing.T) map[string][]byte {
			return editJSON(t, "regions.json", set("id", "north", "select_center_id", "bangkok"))
		}, `region north: select_center_id is "bangkok", want "chiang-mai"`},
		{"select center outside its region", func(t *testing.T) map[string][]byte {
			return editJSON(t, "select_centers.json", set("id", "songkhla", "province_code", "TH-50"))
		}, `select center songkhla: province TH-50 is in region "north", not "south"`},
		{"unknown region id", func(t *testing.T) map[string][]byte {
			return editJSON(t, "regions.json", set("id", "south", "id", "southern"))
		}, `region "south" is missing`},
		{"Thai name without Thai script", func(t *testing.T) map[string][]byte {
			return editJSON(t, "provinces.json", set("code", "TH-50", "name_th", "Chiang Mai"))
		}, `province TH-50: name_th "Chiang Mai" contains no Thai script`},
		{"English name in Thai", func(t *testing.T) map[string][]byte {
			return editJSON(t, "clusters.json", set("id", "east", "name_en", "ภาคตะวันออก"))
		}, "cluster east: name_en"},
		{"empty English name", func(t *testing.T) map[string][]byte {
			return editJSON(t, "categories.json", set("id", "food", "name_en", ""))
		}, "category food: name_en is empty"},
		{"empty Thai name", func(t *testing.T) map[string][]byte {
			return editJSON(t, "certification_kinds.json", set("id", "gi", "name_th", ""))
		}, "certification kind gi: name_th is empty"},
		{"empty strategic position", func(t *testing.T) map[string][]byte {
			return editJSON(t, "clusters.json", set("id", "east", "strategic_position", ""))
		}, "cluster east: strategic_position is empty"},
		{"creative group without industries", func(t *testing.T) map[string][]byte {
			return editJSON(t, "creative_industries.json", set("group", "arts", "group", "media"))
		}, "creative group arts: has no industries"},
		{"industry in unknown group", func(t *testing.T) map[string][]byte {
			return editJSON(t, "creative_industries.json", set("id", "software", "group", "technology"))
		}, `creative industry software: unknown group "technology"`},
		{"second rated certification kind", func(t *testing.T) map[string][]byte {
			return editJSON(t, "certification_kinds.json", set("id", "halal", "rated", true))
		}, "certification kind halal: rated is true, want false"},
		{"otop_stars not rated", func(t *testing.T) map[string][]byte {
			return editJSON(t, "certification_kinds.json", set("id", "otop_stars", "rated", false))
		}, "certification kind otop_stars: rated is false, want true"},
		{"duplicate category", func(t *testing.T) map[string][]byte {
			return editJSON(t, "categories.json", set("id", "herbal", "id", "food"))
		}, "category food: duplicate id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tx, err := taxonomy.LoadWith(tc.overrides(t))
			if err == nil {
				t.Fatalf("LoadWith succeeded, want error containing %q", tc.wantErr)
			}
			if tx != nil {
				t.Errorf("LoadWith returned a taxonomy along with the error")
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error does not contain %q:\n%v", tc.wantErr, err)
			}
		})
	}

	t.Run("unmodified data loads", func(t *testing.T) {
		if _, err := taxonomy.LoadWith(nil); err != nil {
			t.Fatalf("LoadWith(nil): %v", err)
		}
	})
}
