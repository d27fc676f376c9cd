package api

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// The read paths' replies are encoding/json's JSON, byte for byte, but for
// <, >, & and the line and paragraph separators (U+2028, U+2029) written
// as themselves.
func TestReplyJSONIsEncodingJSONsWithoutHTMLEscapes(t *testing.T) {
	stars := 4
	area := "crafts"
	reply := searchReply{
		Hits: []searchHitJSON{{
			ID: "7f1c", NameTH: "ผ้าไหม \"มัดหมี่\"", NameEN: "Silk <scarf> & 'shawl'\\ \u2028 \u2029 \x01\t\n 😀",
			DescriptionEN: "bad \xff utf-8", CreativeIndustry: &area, OTOPStars: &stars,
			Price: moneyJSON{AmountMinor: 150000, Currency: "THB"}, Certifications: []string{}, Tags: []string{"silk"},
			PublishedAt: time.Date(2026, 11, 29, 8, 30, 0, 123456789, time.UTC),
			Highlights:  map[string]string{"name_th": "<em>ผ้าไหม</em>", "name_en": "<em>Silk</em>", "description_en": "x"},
		}},
		Facets: map[string]map[string]int{"region": {"south": 2, "north": 5}, "category": {"textile": 7}},
		Total:  7, Page: 1, PerPage: 20,
	}
	for _, v := range []any{reply, searchReply{Hits: []searchHitJSON{}, Facets: map[string]map[string]int{}}} {
		got := []byte("left as is: ")
		if err := encodeReply(&got, v); err != nil {
			t.Fatal(err)
		}
		got, ok := bytes.CutPrefix(got, []byte("left as is: "))
		if !ok {
			t.Fatalf("encodeReply overwrote what its buffer held: %q", got)
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		w := bytes.TrimSuffix(want.Bytes(), []byte("\n"))
		w = bytes.ReplaceAll(bytes.ReplaceAll(w, []byte(`\u2028`), []byte("\u2028")), []byte(`\u2029`), []byte("\u2029"))
		if !bytes.Equal(got, w) {
			t.Errorf("reply JSON\n%s\nencoding/json\n%s", got, w)
		}
	}
}
