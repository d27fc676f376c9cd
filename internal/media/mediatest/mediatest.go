// Package mediatest builds synthetic images for tests and benchmarks of the
// image pipeline: a photo-like generator, JPEG/PNG/WebP encoders, hand-built
// EXIF/XMP/IPTC/ICC/comment metadata segments and decompression bombs.
//
// Everything is generated in memory; nothing is downloaded and no binary
// fixture is needed. The helpers panic on impossible errors (encoding into a
// memory buffer), like net/http/httptest does.
package mediatest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"math"
)

// Photo returns a w×h opaque *image.RGBA that compresses like a phone photo
// of woven Thai silk: an ikat (mudmee) diamond motif on a plain weave, thread
// shading, soft folds, vignetting and sensor noise. A 4000×3000 photo encoded
// at JPEG quality 92 is about 4 MB. The same seed gives the same image.
func Photo(w, h int, seed int64) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	palette := [...][3]float64{
		{148, 24, 82},  // magenta
		{212, 160, 40}, // gold
		{36, 48, 122},  // indigo
		{22, 120, 88},  // emerald
		{196, 72, 36},  // lac red
		{236, 220, 190},
	}
	const thread = 7
	// Thread cross-section profile: brighter in the middle of each thread.
	var profile [thread]float64
	for i := range profile {
		t := (float64(i)+0.5)/thread*2 - 1
		profile[i] = 0.8 + 0.2*math.Sqrt(1-t*t)
	}
	// Lighting: vignette and folds are separable products of 1-D tables.
	lx, ly := make([]float64, w), make([]float64, h)
	sx, cx := make([]float64, w), make([]float64, w)
	sy, cy := make([]float64, h), make([]float64, h)
	phase := float64(seed%97) / 7
	for x := range w {
		u := float64(x)/float64(w)*2 - 1
		lx[x] = 1 - 0.22*u*u
		sx[x], cx[x] = math.Sincos(float64(x)/83 + phase)
	}
	for y := range h {
		v := float64(y)/float64(h)*2 - 1
		ly[y] = 1 - 0.22*v*v
		sy[y], cy[y] = math.Sincos(float64(y)/131 + phase)
	}
	motifW, motifH := 240+int(seed%5)*16, 180
	// The scarf covers the middle of the frame; around it is a smooth,
	// slightly grainy teak table, as in a typical product shot.
	x0, x1 := w/8, w-w/8
	y0, y1 := h/7, h-h/7
	wood := [3]float64{150, 104, 64}
	rng := uint64(seed)*0x9E3779B97F4A7C15 + 1
	for y := range h {
		row := img.Pix[y*img.Stride : y*img.Stride+w*4]
		ty, py := y/thread, y%thread
		my := y%motifH - motifH/2
		if my < 0 {
			my = -my
		}
		for x := range w {
			// xorshift64* sensor noise, roughly Gaussian (sum of two uniforms).
			rng ^= rng >> 12
			rng ^= rng << 25
			rng ^= rng >> 27
			n := rng * 0x2545F4914F6CDD1D
			noise := float64(int(n&15)+int(n>>4&15)-15) * 0.3
			// Folds and grain: sin(a+b) from the separable tables.
			wave := sx[x]*cy[y] + cx[x]*sy[y]
			var c [3]float64
			var l float64
			edge := int(wave * 12)
			if x < x0+edge || x >= x1+edge || y < y0-edge || y >= y1-edge {
				c, l = wood, (0.8+0.12*sy[y]*sy[y]+0.05*wave)*lx[x]*ly[y]
			} else {
				tx, px := x/thread, x%thread
				mx := x%motifW - motifW/2
				if mx < 0 {
					mx = -mx
				}
				// Ikat diamonds; the weft is dyed with a shifted palette.
				m := (mx*motifH/motifW + my) / 26
				var shade float64
				c = palette[m%len(palette)]
				if (tx+ty)&1 == 0 { // warp thread on top: shot silk, tinted by the warp dye
					a := palette[(m+2)%len(palette)]
					c = [3]float64{c[0]*0.7 + a[0]*0.3, c[1]*0.7 + a[1]*0.3, c[2]*0.7 + a[2]*0.3}
					shade = profile[px]
				} else { // weft thread on top: the ikat-dyed thread
					shade = profile[py] * 0.94
				}
				l = shade * (0.9 + 0.1*wave) * lx[x] * ly[y]
			}
			p := row[x*4 : x*4+4 : x*4+4]
			p[0] = clamp(c[0]*l + noise)
			p[1] = clamp(c[1]*l + noise)
			p[2] = clamp(c[2]*l + noise)
			p[3] = 255
		}
	}
	return img
}

func clamp(v float64) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v + 0.5)
}

// JPEG encodes img as a baseline JPEG of the given quality (1–100).
func JPEG(img image.Image, quality int) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		panic("mediatest: jpeg encode: " + err.Error())
	}
	return buf.Bytes()
}

// PNG encodes img as a PNG.
func PNG(img image.Image) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic("mediatest: png encode: " + err.Error())
	}
	return buf.Bytes()
}

// XMPNamespace is the namespace URI every XMP packet declares; a stripped
// output must not contain it.
const XMPNamespace = "http://ns.adobe.com/xap/1.0/"

// EXIF returns a TIFF structure as found in a JPEG APP1 "Exif" segment or a
// WebP EXIF chunk (without the "Exif\x00\x00" prefix): IFD0 with
// ImageDescription and Make (both carrying marker), Orientation (omitted when
// orientation is 0) and a GPS IFD pointer; the GPS IFD holds GPSVersionID,
// GPSLatitudeRef/GPSLatitude (18°47'17.88" N), GPSLongitudeRef/GPSLongitude
// (98°59'24" E) and GPSProcessingMethod carrying marker. bigEndian selects
// "MM" (iPhone) instead of "II" (most Android phones) byte order.
func EXIF(orientation int, marker string, bigEndian bool) []byte {
	var bo binary.ByteOrder = binary.LittleEndian
	head := []byte("II")
	if bigEndian {
		bo, head = binary.BigEndian, []byte("MM")
	}
	const (
		typeByte      = 1
		typeASCII     = 2
		typeShort     = 3
		typeLong      = 4
		typeRational  = 5
		typeUndefined = 7
	)
	type entry struct {
		tag, typ uint16
		count    uint32
		value    []byte
	}
	ascii := func(s string) []byte { return append([]byte(s), 0) }
	short := func(v uint16) []byte { b := make([]byte, 2); bo.PutUint16(b, v); return b }
	long := func(v uint32) []byte { b := make([]byte, 4); bo.PutUint32(b, v); return b }
	rationals := func(v ...uint32) []byte {
		b := make([]byte, 4*len(v))
		for i, x := range v {
			bo.PutUint32(b[4*i:], x)
		}
		return b
	}
	desc := ascii("Silk scarf " + marker)
	mk := ascii("OTOP Test Phone " + marker)
	ifd0 := []entry{
		{0x010E, typeASCII, uint32(len(desc)), desc},
		{0x010F, typeASCII, uint32(len(mk)), mk},
	}
	if orientation != 0 {
		ifd0 = append(ifd0, entry{0x0112, typeShort, 1, short(uint16(orientation))})
	}
	gpsPointer := len(ifd0)
	ifd0 = append(ifd0, entry{0x8825, typeLong, 1, long(0)}) // patched below
	method := append([]byte("ASCII\x00\x00\x00"), marker...)
	gps := []entry{
		{0x0000, typeByte, 4, []byte{2, 3, 0, 0}},
		{0x0001, typeASCII, 2, ascii("N")},
		{0x0002, typeRational, 3, rationals(18, 1, 47, 1, 1788, 100)},
		{0x0003, typeASCII, 2, ascii("E")},
		{0x0004, typeRational, 3, rationals(98, 1, 59, 1, 2400, 100)},
		{0x001B, typeUndefined, uint32(len(method)), method},
	}
	ifdSize := func(n int) int { return 2 + 12*n + 4 }
	ifd0Off := 8
	gpsOff := ifd0Off + ifdSize(len(ifd0))
	dataOff := gpsOff + ifdSize(len(gps))
	ifd0[gpsPointer].value = long(uint32(gpsOff))

	out := make([]byte, dataOff)
	copy(out, head)
	bo.PutUint16(out[2:], 42)
	bo.PutUint32(out[4:], uint32(ifd0Off))
	writeIFD := func(at int, entries []entry) {
		bo.PutUint16(out[at:], uint16(len(entries)))
		for i, e := range entries {
			p := out[at+2+12*i:]
			bo.PutUint16(p[0:], e.tag)
			bo.PutUint16(p[2:], e.typ)
			bo.PutUint32(p[4:], e.count)
			if len(e.value) <= 4 {
				copy(p[8:12], e.value)
				continue
			}
			bo.PutUint32(p[8:], uint32(len(out)))
			out = append(out, e.value...)
			if len(out)%2 == 1 { // TIFF values start on word boundaries
				out = append(out, 0)
			}
		}
		bo.PutUint32(out[at+2+12*len(entries):], 0) // no next IFD
	}
	writeIFD(ifd0Off, ifd0)
	writeIFD(gpsOff, gps)
	return out
}

// WithEXIF returns a copy of the JPEG file jpg with an APP1 "Exif" segment
// (see EXIF, big-endian) inserted right after SOI, as a phone camera writes it.
func WithEXIF(jpg []byte, orientation int, gpsMarker string) []byte {
	payload := append([]byte("Exif\x00\x00"), EXIF(orientation, gpsMarker, true)...)
	return insertSegments(jpg, segment(0xE1, payload))
}

// WithMetadata returns a copy of the JPEG file jpg carrying every other kind
// of metadata block a phone or editor writes, each containing marker: an XMP
// APP1 segment, an ICC profile APP2 segment, a Photoshop/IPTC APP13 segment
// and a COM (comment) segment.
func WithMetadata(jpg []byte, marker string) []byte {
	xmp := XMPNamespace + "\x00" +
		`<?xpacket begin="` + "\ufeff" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>` +
		`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
		`<rdf:Description xmlns:xmp="` + XMPNamespace + `" xmlns:exif="http://ns.adobe.com/exif/1.0/" ` +
		`exif:GPSLatitude="` + marker + `" xmp:CreatorTool="` + marker + `"/>` +
		`</rdf:RDF></x:xmpmeta><?xpacket end="w"?>`
	icc := append([]byte("ICC_PROFILE\x00\x01\x01"), iccProfile(marker)...)
	iptcValue := []byte(marker)
	iptc := []byte("Photoshop 3.0\x00" + "8BIM\x04\x04\x00\x00")
	record := append([]byte{0x1C, 0x02, 0x5C, 0, byte(len(iptcValue))}, iptcValue...) // 2:92 Sub-location
	iptc = binary.BigEndian.AppendUint32(iptc, uint32(len(record)))
	iptc = append(iptc, record...)
	if len(record)%2 == 1 {
		iptc = append(iptc, 0)
	}
	return insertSegments(jpg,
		segment(0xE1, []byte(xmp)),
		segment(0xE2, icc),
		segment(0xED, iptc),
		segment(0xFE, []byte("GPS "+marker)),
	)
}

// iccProfile returns a small structurally plausible ICC profile header whose
// description tag carries marker.
func iccProfile(marker string) []byte {
	desc := append([]byte("desc\x00\x00\x00\x00"), binary.BigEndian.AppendUint32(nil, uint32(len(marker)+1))...)
	desc = append(append(desc, marker...), 0)
	p := make([]byte, 128+4+12)
	copy(p[4:], "lcms")
	copy(p[12:], "mntrRGB XYZ ")
	copy(p[36:], "acsp")
	binary.BigEndian.PutUint32(p[128:], 1) // tag count
	copy(p[132:], "desc")
	binary.BigEndian.PutUint32(p[136:], uint32(len(p)))
	binary.BigEndian.PutUint32(p[140:], uint32(len(desc)))
	p = append(p, desc...)
	binary.BigEndian.PutUint32(p[0:], uint32(len(p)))
	return p
}

func segment(marker byte, payload []byte) []byte {
	if len(payload) > 0xFFFF-2 {
		panic("mediatest: JPEG segment payload too large")
	}
	s := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(s[2:], uint16(len(payload)+2))
	return append(s, payload...)
}

func insertSegments(jpg []byte, segs ...[]byte) []byte {
	if len(jpg) < 2 || jpg[0] != 0xFF || jpg[1] != 0xD8 {
		panic("mediatest: not a JPEG file")
	}
	out := append([]byte{}, jpg[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, jpg[2:]...)
}

// BombPNG returns a tiny PNG (a few dozen bytes) whose IHDR declares a w×h
// 8-bit RGBA image: decoding its pixels would need w*h*4 bytes, so a pipeline
// must refuse it from the declared size alone. The chunk CRCs are valid.
func BombPNG(w, h int) []byte {
	out := []byte("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA, deflate, no filter, no interlace
	out = pngChunk(out, "IHDR", ihdr)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	_, _ = zw.Write(make([]byte, 1+4*8)) // one filtered row of 8 transparent pixels
	_ = zw.Close()
	out = pngChunk(out, "IDAT", z.Bytes())
	return pngChunk(out, "IEND", nil)
}

// WithPNGText returns a copy of the PNG file p with metadata chunks inserted
// after IHDR, each carrying marker: tEXt (a comment), iTXt (an XMP packet)
// and eXIf (see EXIF).
func WithPNGText(p []byte, marker string) []byte {
	const ihdrEnd = 8 + 4 + 4 + 13 + 4
	if len(p) < ihdrEnd || string(p[12:16]) != "IHDR" {
		panic("mediatest: not a PNG file")
	}
	out := append([]byte{}, p[:ihdrEnd]...)
	out = pngChunk(out, "tEXt", []byte("Comment\x00"+marker))
	xmp := `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
		`<rdf:Description xmlns:xmp="` + XMPNamespace + `" xmp:CreatorTool="` + marker + `"/></rdf:RDF></x:xmpmeta>`
	out = pngChunk(out, "iTXt", []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00"+xmp))
	out = pngChunk(out, "eXIf", EXIF(1, marker, false))
	return append(out, p[ihdrEnd:]...)
}

func pngChunk(out []byte, typ string, data []byte) []byte {
	out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
	start := len(out)
	out = append(out, typ...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[start:]))
}

// WebP returns a valid lossless WebP (VP8L) file of w×h pixels, opaque
// black with the pixels for which marked returns true painted pure green
// (marked may be nil). The bitstream uses two-symbol "simple" prefix codes,
// one bit per pixel, so any size is cheap to build. When exif is non-nil
// (a TIFF structure, see EXIF) the file uses the extended format: a VP8X
// chunk with the EXIF flag, the VP8L chunk, then an EXIF chunk.
func WebP(w, h int, marked func(x, y int) bool, exif []byte) []byte {
	if w < 1 || h < 1 || w > 1<<14 || h > 1<<14 {
		panic("mediatest: WebP lossless dimensions must be 1..16384")
	}
	var bw bitWriter
	bw.buf = append(bw.buf, 0x2F)
	bw.write(uint64(w-1), 14)
	bw.write(uint64(h-1), 14)
	bw.write(0, 1) // alpha_is_used hint
	bw.write(0, 3) // version
	bw.write(0, 1) // no transform
	bw.write(0, 1) // no color cache
	bw.write(0, 1) // no meta prefix codes
	// Green: simple code with two 8-bit symbols, 0 (bit 0) and 255 (bit 1).
	bw.write(1, 1)
	bw.write(1, 1)
	bw.write(1, 1)
	bw.write(0, 8)
	bw.write(255, 8)
	oneSymbol := func(sym uint64) { // simple code with a single 8-bit symbol: zero bits per use
		bw.write(1, 1)
		bw.write(0, 1)
		bw.write(1, 1)
		bw.write(sym, 8)
	}
	oneSymbol(0)   // red
	oneSymbol(0)   // blue
	oneSymbol(255) // alpha
	oneSymbol(0)   // distance
	for y := range h {
		for x := range w {
			if marked != nil && marked(x, y) {
				bw.write(1, 1)
			} else {
				bw.write(0, 1)
			}
		}
	}
	bw.flush()
	vp8l := bw.buf

	var body []byte
	body = append(body, "WEBP"...)
	if exif != nil {
		x := make([]byte, 10)
		x[0] = 1 << 3 // EXIF metadata present
		putUint24(x[4:], uint32(w-1))
		putUint24(x[7:], uint32(h-1))
		body = riffChunk(body, "VP8X", x)
	}
	body = riffChunk(body, "VP8L", vp8l)
	if exif != nil {
		body = riffChunk(body, "EXIF", exif)
	}
	out := []byte("RIFF")
	out = binary.LittleEndian.AppendUint32(out, uint32(len(body)))
	return append(out, body...)
}

func putUint24(b []byte, v uint32) { b[0], b[1], b[2] = byte(v), byte(v>>8), byte(v>>16) }

func riffChunk(out []byte, fourCC string, data []byte) []byte {
	out = append(out, fourCC...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(data)))
	out = append(out, data...)
	if len(data)%2 == 1 {
		out = append(out, 0)
	}
	return out
}

// bitWriter packs bits least-significant first, as VP8L reads them.
type bitWriter struct {
	buf []byte
	acc uint64
	n   uint
}

func (b *bitWriter) write(v uint64, n uint) {
	b.acc |= v << b.n
	b.n += n
	for b.n >= 8 {
		b.buf = append(b.buf, byte(b.acc))
		b.acc >>= 8
		b.n -= 8
	}
}

func (b *bitWriter) flush() {
	if b.n > 0 {
		b.buf = append(b.buf, byte(b.acc))
		b.acc, b.n = 0, 0
	}
}
