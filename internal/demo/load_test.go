package demo

import (
	"strings"
	"testing"

	"github.com/otopmarket/otop/internal/taxonomy"
)

func TestDataIsValid(t *testing.T) {
	tax := loadTax(t)
	lib := loadLibrary(t, tax)
	provinces, err := tax.Provinces(taxonomy.ProvinceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(lib.provinces) != len(provinces) {
		t.Errorf("%d provinces practise crafts, want all %d", len(lib.provinces), len(provinces))
	}
	lines := 0
	for id, c := range lib.crafts {
		if len(c.lines) == 0 {
			t.Errorf("craft %s makes nothing", id)
		}
		lines += len(c.lines)
	}
	if len(lib.crafts) < 40 || lines < 150 {
		t.Errorf("%d crafts with %d product lines; want a variety", len(lib.crafts), lines)
	}
}

// edit replaces the first occurrence of old by new in a data file.
type edit struct{ file, old, new string }

// loadEdited is load with edits applied to the embedded files.
func loadEdited(t *testing.T, edits ...edit) error {
	t.Helper()
	files := map[string]string{}
	for _, e := range edits {
		if _, ok := files[e.file]; !ok {
			b, err := readEmbedded(e.file)
			if err != nil {
				t.Fatal(err)
			}
			files[e.file] = string(b)
		}
		if !strings.Contains(files[e.file], e.old) {
			t.Fatalf("%s no longer holds %q", e.file, e.old)
		}
		files[e.file] = strings.Replace(files[e.file], e.old, e.new, 1)
	}
	_, err := load(loadTax(t), func(name string) ([]byte, error) {
		if s, ok := files[name]; ok {
			return []byte(s), nil
		}
		return readEmbedded(name)
	})
	return err
}

func TestDataRefusesBrokenFiles(t *testing.T) {
	tests := []struct {
		name string
		edit edit
		want string
	}{
		{"unknown field", edit{fileVariants, `"tag": "naga"`, `"colour": "naga"`}, `unknown field "colour"`},
		{"trailing data", edit{fileNames, `"bangkok_places"`, `"bangkok_places"`}, ""},
		{"price percent out of range", edit{fileVariants, `"price_percent": 105`, `"price_percent": 0`}, "price_percent 0 is not within 10–1000"},
		{"variant name in Thai only", edit{fileVariants, `"name_en": "lac red"`, `"name_en": "สีแดงครั่ง"`}, `name_en "สีแดงครั่ง" is empty or not plain ASCII`},
		{"unknown unit", edit{fileFamilies, `"unit": "metre"`, `"unit": "metres"`}, `unit "metres" is not one of`},
		{"unknown category", edit{fileFamilies, `"category": "textile"`, `"category": "textiles"`}, `unknown category "textiles"`},
		{"unknown creative industry", edit{fileFamilies, `"creative_industry": "crafts"`, `"creative_industry": "craft"`}, `unknown creative industry "craft"`},
		{"unknown art style", edit{fileFamilies, `"art_style": "weave"`, `"art_style": "weaving"`}, `Art draws no style "weaving"`},
		{"unknown variant dimension", edit{fileFamilies, `"variants": ["silk_patterns", "dyes"]`, `"variants": ["silk_patterns", "dye"]`}, `unknown variant dimension "dye"`},
		{"price range upside down", edit{fileFamilies, `"price_baht": {"min": 1500, "max": 6000}`, `"price_baht": {"min": 6000, "max": 1500}`}, "price_baht 6000–1500 is not a range"},
		{"lead time the generator would cut", edit{fileFamilies, `"lead_time_days": {"min": 14, "max": 60}`, `"lead_time_days": {"min": 14, "max": 120}`}, "lead_time_days 14–120 is not a range within 0–90"},
		{"stars as a certificate", edit{fileFamilies, `"certifications": ["mor_phor_chor"]`, `"certifications": ["otop_stars"]`}, `unknown certification kind "otop_stars"`},
		{"unknown placeholder", edit{fileFamilies, `"{o} woven {material_en} basket"`, `"{o} woven {materials_en} basket"`}, "unknown placeholder {materials_en}"},
		{"origin in a tag", edit{fileFamilies, `"tags": ["silk", "necktie", "gift"]`, `"tags": ["silk", "necktie", "{o}"]`}, "unknown placeholder {o}"},
		{"tag in upper case", edit{fileFamilies, `"tags": ["silk", "necktie", "gift"]`, `"tags": ["silk", "necktie", "Gift"]`}, `tag "Gift" must be lower case`},
		{"missing parameter", edit{fileCrafts, `"parameters": {"material_th": "กก", "material_en": "reed"}`, `"parameters": {"material_th": "กก"}`}, `family mats needs parameter "material_en"`},
		{"parameter the family lacks", edit{fileCrafts, `"parameters": {"ware": "stoneware"}`, `"parameters": {"ware": "stoneware", "glaze": "jade"}`}, `family celadon has no parameter "glaze"`},
		{"parameter makes a bad HS code", edit{fileCrafts, `"hs_code": "460211"`, `"hs_code": "4602"`}, `hs_code "4602" is not 6 digits`},
		{"unknown family", edit{fileCrafts, `[{"family": "silk"}]`, `[{"family": "silks"}]`}, `unknown family "silks"`},
		{"unknown product of a family", edit{fileCrafts, `"products": ["pha_khao_ma_cotton_cloth"]`, `"products": ["pha_khao_ma"]`}, `family cotton has no product "pha_khao_ma"`},
		{"GI that covers nothing", edit{fileCrafts, `"trade_en": "Brocade Weavers"`, `"trade_en": "Brocade Weavers", "registered_gi": true`}, "brocade: registered_gi, but the GI covers none of its products"},
		{"certificate twice", edit{fileCrafts, `"extra_certifications": ["organic"]`, `"extra_certifications": ["gmp"]`}, "repeat a kind"},
		{"unknown placeholder in a story", edit{fileCrafts, `"The farmers of {v}, {p}, grow, mill`, `"The farmers of {village}, {p}, grow, mill`}, "rice: unknown placeholder {village} in a story"},
		{"unknown craft", edit{fileProvinceCrafts, `{"craft": "herbal", "amphoe": "เขตพระนคร"`, `{"craft": "herbs", "amphoe": "เขตพระนคร"`}, "TH-10 craft 1 (herbs): unknown craft"},
		{"pork where there is none", edit{fileProvinceCrafts, `{"craft": "halal", "origin_th": "ปัตตานี"`, `{"craft": "pork", "origin_th": "ปัตตานี"`}, "TH-94 craft 1 (pork): every product of the craft contains pork"},
		{"province missing", edit{fileProvinceCrafts, `"province": "TH-96"`, `"province": "TH-99"`}, "province TH-96 is missing"},
		{"half an origin", edit{fileProvinceCrafts, `"origin_th": "บางบ่อ", "origin_en": "Bang Bo", `, `"origin_th": "บางบ่อ", `}, "origin_th and origin_en go together"},
		{"craft nobody practises", edit{fileProvinceCrafts, `{"craft": "tea", "origin_th"`, `{"craft": "arabica", "origin_th"`}, "tea: no province practises it"},
		{"village named in Thai only", edit{fileNames, `"name_en": "Nong Bua"`, `"name_en": ""`}, `villages 1: name_en "" is empty or not plain ASCII`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want == "" { // trailing data
				b, _ := readEmbedded(tt.edit.file)
				tt.edit.old, tt.edit.new = string(b), string(b)+"{}"
				tt.want = "after the top-level value"
			}
			err := loadEdited(t, tt.edit)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("load = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestDataListsEveryProblem: one load reports the problems of every file.
func TestDataListsEveryProblem(t *testing.T) {
	err := loadEdited(t,
		edit{fileFamilies, `"unit": "metre"`, `"unit": "metres"`},
		edit{fileProvinceCrafts, `{"craft": "herbal", "amphoe": "เขตพระนคร"`, `{"craft": "herbs", "amphoe": "เขตพระนคร"`},
	)
	for _, want := range []string{`unit "metres"`, "(herbs): unknown craft"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("load = %v, want an error containing %q", err, want)
		}
	}
}
