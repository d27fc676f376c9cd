package embedded

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/otopmarket/otop/internal/catalog"
)

// Each document is stored whole in the index, and the documents of every
// page of hits are read back. JSON made that read a large share of a search's
// CPU (every byte scanned twice, Thai text escaped); the stored form is a
// flat binary record instead: the fields in the order below, a string as
// its length (uvarint) and bytes, a list as its length and strings, an
// integer as a varint, a time as Unix seconds and nanoseconds (read back
// in UTC), a flag as a byte.
// docCodecVersion leads the record; the index format changes with it.

const docCodecVersion = 2

// encodeDoc returns d's stored form.
func encodeDoc(d *catalog.SearchDocument) []byte {
	b := make([]byte, 0, 256+len(d.DescriptionTH)+len(d.DescriptionEN))
	b = append(b, docCodecVersion)
	for _, s := range docStrings(d) {
		b = binary.AppendUvarint(b, uint64(len(*s)))
		b = append(b, *s...)
	}
	for _, l := range docLists(d) {
		b = binary.AppendUvarint(b, uint64(len(*l)))
		for _, s := range *l {
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		}
	}
	b = binary.AppendVarint(b, int64(d.OTOPStars))
	b = binary.AppendVarint(b, d.PriceMinor)
	topotop := byte(0)
	if d.Topotop {
		topotop = 1
	}
	b = append(b, topotop)
	for _, t := range []time.Time{d.PublishedAt, d.CreatedAt} {
		b = binary.AppendVarint(b, t.Unix())
		b = binary.AppendVarint(b, int64(t.Nanosecond()))
	}
	staged := byte(0)
	if d.Staged {
		staged = 1
	}
	return append(b, staged)
}

var errShortDoc = errors.New("stored document: record cut short")

// decodeStored reads a stored form written by encodeDoc. The document's
// strings share raw's memory.
func decodeStored(raw string) (catalog.SearchDocument, error) {
	var d catalog.SearchDocument
	if len(raw) == 0 || raw[0] != docCodecVersion {
		return d, errors.New("stored document: unknown record version")
	}
	r := record{raw: raw, pos: 1}
	for _, s := range docStrings(&d) {
		*s = r.str()
	}
	for _, l := range docLists(&d) {
		switch n := r.uvarint(); {
		case n > uint64(len(raw)-r.pos): // every string takes a byte at least
			r.short = true
		case n > 0:
			*l = make([]string, n)
			for i := range *l {
				(*l)[i] = r.str()
			}
		}
	}
	d.OTOPStars, d.PriceMinor = int(r.varint()), r.varint()
	d.Topotop = r.byte() == 1
	d.PublishedAt = time.Unix(r.varint(), r.varint()).UTC()
	d.CreatedAt = time.Unix(r.varint(), r.varint()).UTC()
	d.Staged = r.byte() == 1
	switch {
	case r.short:
		return d, errShortDoc
	case r.pos != len(raw):
		return d, fmt.Errorf("stored document: %d bytes left over", len(raw)-r.pos)
	}
	return d, nil
}

// record reads a stored form; short records that it ran out of bytes
// (every later read then gives zero).
type record struct {
	raw   string
	pos   int
	short bool
}

func (r *record) byte() byte {
	if r.short || r.pos >= len(r.raw) {
		r.short = true
		return 0
	}
	r.pos++
	return r.raw[r.pos-1]
}

func (r *record) uvarint() uint64 {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		c := r.byte()
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
	r.short = true
	return 0
}

func (r *record) varint() int64 {
	u := r.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

func (r *record) str() string {
	n := r.uvarint()
	if r.short || n > uint64(len(r.raw)-r.pos) {
		r.short = true
		return ""
	}
	s := r.raw[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return s
}

// docStrings are the string fields of d in their stored order.
func docStrings(d *catalog.SearchDocument) []*string {
	return []*string{&d.ID, &d.NameTH, &d.NameEN, &d.DescriptionTH, &d.DescriptionEN, &d.ProducerID,
		&d.ProducerNameTH, &d.ProducerNameEN, &d.Category, &d.CreativeIndustry, &d.ProvinceCode,
		&d.ProvinceNameTH, &d.ProvinceNameEN, &d.ClusterID, &d.Region, &d.SelectCenterID, &d.Currency,
		&d.HSCode, &d.ImageURL}
}

// docLists are the list fields of d in their stored order.
func docLists(d *catalog.SearchDocument) []*[]string {
	return []*[]string{&d.Tags, &d.Certifications, &d.CertificateNumbers}
}
