package embedded

import (
	"testing"

	"github.com/blevesearch/bleve/v2/mapping"
)

func TestIndexFormatFollowsTheMapping(t *testing.T) {
	mustFormat := func(m *mapping.IndexMappingImpl) string {
		t.Helper()
		f, err := formatOf(m)
		if err != nil {
			t.Fatalf("formatOf: %v", err)
		}
		return f
	}
	fresh := func() *mapping.IndexMappingImpl {
		t.Helper()
		m, err := newMapping()
		if err != nil {
			t.Fatalf("newMapping: %v", err)
		}
		return m
	}
	base := mustFormat(fresh())
	if again := mustFormat(fresh()); again != base {
		t.Fatalf("the same mapping gives two formats: %s and %s", base, again)
	}
	changes := map[string]func(m *mapping.IndexMappingImpl){
		"default analyzer": func(m *mapping.IndexMappingImpl) { m.DefaultAnalyzer = "standard" },
		"a field's analyzer": func(m *mapping.IndexMappingImpl) {
			for _, doc := range m.TypeMapping {
				for _, prop := range doc.Properties {
					for _, f := range prop.Fields {
						f.Analyzer = "keyword"
						return
					}
				}
			}
			m.DefaultMapping.Enabled = !m.DefaultMapping.Enabled
		},
		"store dynamic": func(m *mapping.IndexMappingImpl) { m.StoreDynamic = !m.StoreDynamic },
	}
	for name, change := range changes {
		t.Run(name, func(t *testing.T) {
			m := fresh()
			change(m)
			if got := mustFormat(m); got == base {
				t.Errorf("changing the %s left the format at %s", name, got)
			}
		})
	}
}
