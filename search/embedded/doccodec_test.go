package embedded

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/otopmarket/otop/internal/catalog"
)

// Every field of SearchDocument, each set to a value of its own, survives
// the stored form: a field added to the document but not to the codec
// fails here.
func TestStoredFormKeepsEveryField(t *testing.T) {
	var d catalog.SearchDocument
	v := reflect.ValueOf(&d).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Interface().(type) {
		case string:
			f.SetString(fmt.Sprintf("%s ผ้าไหม %d \x00\"\\", v.Type().Field(i).Name, i))
		case []string:
			f.Set(reflect.ValueOf([]string{fmt.Sprint(i), "", "ร่ม"}))
		case int, int64:
			f.SetInt(int64(-1000 * (i + 1)))
		case bool:
			f.SetBool(true)
		case time.Time:
			f.Set(reflect.ValueOf(time.Date(2026, 3, 1, 8, 0, i, 123456789, time.UTC)))
		default:
			t.Fatalf("field %s of type %s: the test and the stored form need it", v.Type().Field(i).Name, f.Type())
		}
	}
	got, err := decodeStored(string(encodeDoc(&d)))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, d) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, d)
	}
	// Zero values (no lists, zero times) round trip too.
	zero := catalog.SearchDocument{ID: "p1"}
	if got, err := decodeStored(string(encodeDoc(&zero))); err != nil || !reflect.DeepEqual(got, zero) {
		t.Errorf("zero round trip: %+v, %v", got, err)
	}
}

// A damaged record is an error, never a panic or a silently partial
// document.
func TestStoredFormRefusesDamagedRecords(t *testing.T) {
	d := catalog.SearchDocument{ID: "p1", NameEN: "Silk", Tags: []string{"silk"}, PublishedAt: time.Unix(1, 0)}
	rec := string(encodeDoc(&d))
	for n := range len(rec) {
		if _, err := decodeStored(rec[:n]); err == nil {
			t.Errorf("record cut to %d of %d bytes decoded without error", n, len(rec))
		}
	}
	if _, err := decodeStored(rec + "x"); err == nil {
		t.Error("record with a trailing byte decoded without error")
	}
	if _, err := decodeStored(`{"id":"p1"}`); err == nil {
		t.Error("a JSON record (an older format) decoded without error")
	}
}
