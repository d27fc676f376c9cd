package media_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	_ "image/png" // image.Decode of the PNG outputs
	"io"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/image/webp"

	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/media"
	"github.com/otopmarket/otop/internal/media/mediatest"
)

// Tiny WebP files known to be valid (1×1 pixel), the ones browsers' feature
// tests use; TestSniff checks that the x/image decoder accepts them.
const (
	webpLossless = "UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA=="
	webpLossy    = "UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA"
	webpAnimated = "UklGRlIAAABXRUJQVlA4WAoAAAASAAAAAAAAAAAAQU5JTQYAAAD/////AABBTk1GJgAAAAAAAAAAAAAAAAAAAGQAAABWUDhMDQAAAC8AAAAQBxAREYiI/gcA"
)

const gpsMarker = "GPS-SECRET-18.7883N"

func mustBase64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("decode base64 literal: %v", err)
	}
	return b
}

func process(t *testing.T, l media.Limits, in []byte) (*media.Result, error) {
	t.Helper()
	return media.NewProcessor(l).Process(context.Background(), bytes.NewReader(in))
}

func mustProcess(t *testing.T, in []byte) *media.Result {
	t.Helper()
	res, err := process(t, media.DefaultLimits(), in)
	if err != nil {
		t.Fatalf("Process: %v", err)
	}
	return res
}

// solid returns a w×h RGBA image filled with c.
func solid(w, h int, c color.Color) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(m, m.Rect, image.NewUniform(c), image.Point{}, draw.Src)
	return m
}

func TestSniff(t *testing.T) {
	jpg := mediatest.JPEG(solid(8, 8, color.White), 90)
	pngData := mediatest.PNG(solid(8, 8, color.White))
	tests := []struct {
		name    string
		head    []byte
		want    media.Format
		wantErr string // substring of the error text; "" means accepted
	}{
		{"JPEG", jpg, media.FormatJPEG, ""},
		{"JPEG header only", jpg[:3], media.FormatJPEG, ""},
		{"PNG", pngData, media.FormatPNG, ""},
		{"WebP lossless", mustBase64(t, webpLossless), media.FormatWebP, ""},
		{"WebP lossy", mustBase64(t, webpLossy), media.FormatWebP, ""},
		{"WebP extended with EXIF", mediatest.WebP(64, 64, nil, mediatest.EXIF(6, "x", false)), media.FormatWebP, ""},
		{"WebP animated", mustBase64(t, webpAnimated), "", "animated WebP"},
		{"SVG", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>`), "", "SVG image"},
		{"SVG with XML declaration", []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), "", "SVG image"},
		{"SVG with leading whitespace", []byte("\n\n   \t<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), "", "SVG image"},
		{"SVG with BOM and XML declaration", []byte("\xEF\xBB\xBF  <?xml version=\"1.0\"?><svg/>"), "", "SVG image"},
		{"SVG with doctype and comment", []byte(`<?xml version="1.0"?><!-- Generator: Adobe Illustrator --><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x"><svg/>`), "", "SVG image"},
		{"SVG in UTF-16", []byte("\xFF\xFE<\x00s\x00v\x00g\x00/\x00>\x00"), "", "SVG image"},
		{"text file named .jpg", []byte("IMG_2041.jpg\nPhoto of our silk scarf, 180 x 60 cm.\n"), "", "text file"},
		{"Thai text", []byte("ผ้าไหมมัดหมี่ บ้านเขวา ชัยภูมิ"), "", "text file"},
		{"GIF", []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00"), "", "GIF image"},
		{"PDF", []byte("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj"), "", "PDF document"},
		{"HEIC", []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), "", "HEIC"},
		{"AVIF", []byte("\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1"), "", "AVIF image"},
		{"HTML", []byte("<!DOCTYPE html>\n<html><head><title>Shop</title></head><body></body></html>"), "", "HTML page"},
		{"empty", nil, "", "the file is empty"},
		{"unknown binary", []byte{0x00, 0x01, 0x02, 0x03, 0xFE, 0x80, 0x81}, "", "not a JPEG, PNG or WebP image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := media.Sniff(tt.head)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Sniff: unexpected error %v", err)
				}
				if got != tt.want {
					t.Fatalf("Sniff = %q, want %q", got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("Sniff = %q, want an error containing %q", got, tt.wantErr)
			}
			if !errors.Is(err, errs.ErrUnsupportedMediaType) {
				t.Errorf("error %v does not wrap errs.ErrUnsupportedMediaType", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), "JPEG, PNG or WebP") {
				t.Errorf("error %q does not tell the user what to upload instead", err)
			}
		})
	}

	// The WebP literals above must be real WebP files, not just magic numbers.
	for _, lit := range []string{webpLossless, webpLossy} {
		if _, err := webp.Decode(bytes.NewReader(mustBase64(t, lit))); err != nil {
			t.Errorf("WebP literal %q does not decode: %v", lit, err)
		}
	}
}

// jpegMarkers lists the markers of the segments of a JPEG file before its
// image data (start of scan).
func jpegMarkers(t *testing.T, b []byte) []byte {
	t.Helper()
	if len(b) < 2 || b[0] != 0xFF || b[1] != 0xD8 {
		t.Fatalf("output is not a JPEG file")
	}
	var markers []byte
	for i := 2; ; {
		if i+4 > len(b) || b[i] != 0xFF {
			t.Fatalf("malformed JPEG segment at offset %d", i)
		}
		m := b[i+1]
		markers = append(markers, m)
		if m == 0xDA {
			return markers
		}
		i += 2 + int(binary.BigEndian.Uint16(b[i+2:]))
	}
}

// pngChunks lists the chunk types of a PNG file.
func pngChunks(t *testing.T, b []byte) []string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("output is not a PNG file")
	}
	var types []string
	for i := 8; i+8 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[i:]))
		types = append(types, string(b[i+4:i+8]))
		i += 12 + n
	}
	return types
}

func allOutputs(res *media.Result) []media.Variant {
	return append([]media.Variant{res.Original}, res.Variants...)
}

func TestProcessStripsMetadata(t *testing.T) {
	photo := mediatest.Photo(480, 360, 7)
	tests := []struct {
		name string
		in   []byte
	}{
		{"JPEG with EXIF GPS, XMP, ICC, IPTC and comment",
			mediatest.WithMetadata(mediatest.WithEXIF(mediatest.JPEG(photo, 92), 1, gpsMarker), gpsMarker)},
		{"PNG with tEXt, iTXt XMP and eXIf chunks",
			mediatest.WithPNGText(mediatest.PNG(photo), gpsMarker)},
		{"WebP with EXIF chunk",
			mediatest.WebP(300, 200, nil, mediatest.EXIF(1, gpsMarker, false))},
	}
	forbidden := []string{gpsMarker, "Exif\x00\x00", mediatest.XMPNamespace, "ICC_PROFILE", "Photoshop 3.0"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !bytes.Contains(tt.in, []byte(gpsMarker)) {
				t.Fatalf("test input does not carry the marker; the test proves nothing")
			}
			res := mustProcess(t, tt.in)
			for _, v := range allOutputs(res) {
				for _, f := range forbidden {
					if bytes.Contains(v.Data, []byte(f)) {
						t.Errorf("%s output contains %q", v.Name, f)
					}
				}
				switch v.ContentType {
				case "image/jpeg":
					for _, m := range jpegMarkers(t, v.Data) {
						if m >= 0xE1 && m <= 0xEF || m == 0xFE {
							t.Errorf("%s output has a metadata segment (marker 0xFF%02X)", v.Name, m)
						}
					}
				case "image/png":
					for _, c := range pngChunks(t, v.Data) {
						switch c {
						case "IHDR", "PLTE", "tRNS", "IDAT", "IEND":
						default:
							t.Errorf("%s output has a %s chunk", v.Name, c)
						}
					}
				default:
					t.Errorf("%s output has content type %q", v.Name, v.ContentType)
				}
			}
			m, format, err := image.Decode(bytes.NewReader(res.Original.Data))
			if err != nil {
				t.Fatalf("original does not decode: %v", err)
			}
			if b := m.Bounds(); b.Dx() != res.Width || b.Dy() != res.Height {
				t.Errorf("original decodes as %v (%s), want %d×%d", b, format, res.Width, res.Height)
			}
		})
	}
}

// corner names where a marker ends up after orientation.
type corner int

const (
	topLeft corner = iota
	topRight
	bottomLeft
	bottomRight
)

func (c corner) String() string {
	return [...]string{"top-left", "top-right", "bottom-left", "bottom-right"}[c]
}

// cornerPixel returns the colour 10 px inside the given corner of m.
func cornerPixel(m image.Image, c corner) color.NRGBA {
	b := m.Bounds()
	x, y := b.Min.X+10, b.Min.Y+10
	if c == topRight || c == bottomRight {
		x = b.Max.X - 11
	}
	if c == bottomLeft || c == bottomRight {
		y = b.Max.Y - 11
	}
	return color.NRGBAModel.Convert(m.At(x, y)).(color.NRGBA)
}

func isRed(c color.NRGBA) bool   { return c.R > 160 && c.G < 90 && c.B < 90 }
func isBlue(c color.NRGBA) bool  { return c.B > 160 && c.R < 90 && c.G < 90 }
func isGreen(c color.NRGBA) bool { return c.G > 160 && c.R < 90 && c.B < 90 }

func TestProcessAppliesEXIFOrientation(t *testing.T) {
	// A 300×200 photo with a red square in its top-left corner and a blue
	// one in its top-right corner, as stored by the camera.
	src := solid(300, 200, color.RGBA{200, 200, 200, 255})
	draw.Draw(src, image.Rect(0, 0, 40, 40), image.NewUniform(color.RGBA{255, 0, 0, 255}), image.Point{}, draw.Src)
	draw.Draw(src, image.Rect(260, 0, 300, 40), image.NewUniform(color.RGBA{0, 0, 255, 255}), image.Point{}, draw.Src)
	jpg := mediatest.JPEG(src, 95)

	tests := []struct {
		orientation int
		w, h        int
		red, blue   corner
	}{
		{0, 300, 200, topLeft, topRight}, // no Orientation tag
		{1, 300, 200, topLeft, topRight},
		{2, 300, 200, topRight, topLeft},       // mirrored
		{3, 300, 200, bottomRight, bottomLeft}, // rotated 180°
		{4, 300, 200, bottomLeft, bottomRight}, // flipped vertically
		{5, 200, 300, topLeft, bottomLeft},     // transposed
		{6, 200, 300, topRight, bottomRight},   // rotate 90° clockwise to view
		{7, 200, 300, bottomRight, topRight},   // transversed
		{8, 200, 300, bottomLeft, topLeft},     // rotate 90° counter-clockwise to view
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("orientation %d", tt.orientation), func(t *testing.T) {
			res := mustProcess(t, mediatest.WithEXIF(jpg, tt.orientation, gpsMarker))
			if res.Width != tt.w || res.Height != tt.h {
				t.Fatalf("result is %d×%d, want %d×%d", res.Width, res.Height, tt.w, tt.h)
			}
			for _, v := range allOutputs(res) {
				m, err := jpeg.Decode(bytes.NewReader(v.Data))
				if err != nil {
					t.Fatalf("%s does not decode: %v", v.Name, err)
				}
				if b := m.Bounds(); b.Dx() != v.Width || b.Dy() != v.Height {
					t.Fatalf("%s decodes as %v, labelled %d×%d", v.Name, b, v.Width, v.Height)
				}
				if v.Width*tt.h != v.Height*tt.w && v.Width*tt.h/tt.w != v.Height {
					t.Errorf("%s is %d×%d, not in the %d:%d aspect ratio", v.Name, v.Width, v.Height, tt.w, tt.h)
				}
				if c := cornerPixel(m, tt.red); !isRed(c) {
					t.Errorf("%s: %v corner is %v, want red", v.Name, tt.red, c)
				}
				if c := cornerPixel(m, tt.blue); !isBlue(c) {
					t.Errorf("%s: %v corner is %v, want blue", v.Name, tt.blue, c)
				}
			}
		})
	}

	// WebP carries EXIF in a RIFF chunk, little-endian here.
	webpTests := []struct {
		orientation int
		w, h        int
		green       corner
	}{
		{1, 300, 200, topLeft},
		{3, 300, 200, bottomRight},
		{6, 200, 300, topRight},
		{8, 200, 300, bottomLeft},
	}
	for _, tt := range webpTests {
		t.Run(fmt.Sprintf("WebP orientation %d", tt.orientation), func(t *testing.T) {
			in := mediatest.WebP(300, 200, func(x, y int) bool { return x < 40 && y < 40 }, mediatest.EXIF(tt.orientation, gpsMarker, false))
			res := mustProcess(t, in)
			if res.Format != media.FormatWebP {
				t.Errorf("Format = %q, want webp", res.Format)
			}
			if res.Width != tt.w || res.Height != tt.h {
				t.Fatalf("result is %d×%d, want %d×%d", res.Width, res.Height, tt.w, tt.h)
			}
			m, err := jpeg.Decode(bytes.NewReader(res.Original.Data))
			if err != nil {
				t.Fatalf("original is not a JPEG: %v", err)
			}
			if c := cornerPixel(m, tt.green); !isGreen(c) {
				t.Errorf("%v corner is %v, want green", tt.green, c)
			}
		})
	}
}

// jpegDeclaring returns a small valid JPEG whose SOF header is patched to
// declare w×h.
func jpegDeclaring(t *testing.T, w, h int) []byte {
	t.Helper()
	b := mediatest.JPEG(solid(16, 16, color.White), 80)
	for i := 2; i+9 < len(b); {
		if b[i+1] == 0xC0 { // SOF0: length(2) precision(1) height(2) width(2)
			binary.BigEndian.PutUint16(b[i+5:], uint16(h))
			binary.BigEndian.PutUint16(b[i+7:], uint16(w))
			return b
		}
		i += 2 + int(binary.BigEndian.Uint16(b[i+2:]))
	}
	t.Fatalf("no SOF0 segment in generated JPEG")
	return nil
}

// webpDeclaring returns a small valid lossless WebP whose VP8L header is
// patched to declare w×h (at most 16384 on a side, the VP8L maximum).
func webpDeclaring(w, h int) []byte {
	b := mediatest.WebP(64, 64, nil, nil)
	// RIFF header (12) + chunk header (8) + signature byte 0x2F.
	binary.LittleEndian.PutUint32(b[21:], uint32(w-1)|uint32(h-1)<<14)
	return b
}

func TestProcessRefusesDecompressionBombCheaply(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		wantMsg string
	}{
		{"PNG declaring 20000×20000", mediatest.BombPNG(20000, 20000), "12000 pixels on either side"},
		{"PNG declaring 8000×6000 (48 MP)", mediatest.BombPNG(8000, 6000), "40 megapixels"},
		{"PNG declaring 1×100000", mediatest.BombPNG(1, 100000), "12000 pixels on either side"},
		{"JPEG declaring 20000×20000", jpegDeclaring(t, 20000, 20000), "12000 pixels on either side"},
		{"WebP declaring 16000×16000", webpDeclaring(16000, 16000), "12000 pixels on either side"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.in) > 4096 {
				t.Fatalf("bomb is %d bytes; it should be tiny", len(tt.in))
			}
			p := media.NewProcessor(media.DefaultLimits())
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := p.Process(context.Background(), bytes.NewReader(tt.in))
			runtime.ReadMemStats(&after)

			var ve *errs.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Process error = %v, want a *errs.ValidationError", err)
			}
			if len(ve.Fields) != 1 || ve.Fields[0].Field != "file" || !strings.Contains(ve.Fields[0].Message, tt.wantMsg) {
				t.Errorf("validation fields = %+v, want one on \"file\" mentioning %q", ve.Fields, tt.wantMsg)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > 10<<20 {
				t.Errorf("refusing the bomb allocated %d bytes, want < 10 MB", got)
			}
		})
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestProcessEnforcesMaxBytes(t *testing.T) {
	jpg := mediatest.JPEG(mediatest.Photo(200, 150, 3), 90)
	big := append(append([]byte{}, jpg...), make([]byte, 1<<20)...) // trailing junk after EOI
	tests := []struct {
		name     string
		in       []byte
		maxBytes int64
		tooLarge bool
	}{
		{"one byte over", jpg, int64(len(jpg)) - 1, true},
		{"far over", big, 4096, true},
		{"exactly at the limit", jpg, int64(len(jpg)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := media.DefaultLimits()
			l.MaxBytes = tt.maxBytes
			// Hide the reader's length so Process cannot size its buffer from it.
			cr := &countingReader{r: io.MultiReader(bytes.NewReader(tt.in))}
			_, err := media.NewProcessor(l).Process(context.Background(), cr)
			if cr.n > tt.maxBytes+1 {
				t.Errorf("read %d bytes, want at most MaxBytes+1 = %d", cr.n, tt.maxBytes+1)
			}
			if got := errors.Is(err, errs.ErrTooLarge); got != tt.tooLarge {
				t.Fatalf("errors.Is(%v, ErrTooLarge) = %v, want %v", err, got, tt.tooLarge)
			}
			if tt.tooLarge && !strings.Contains(err.Error(), "larger than") {
				t.Errorf("error %q does not explain the limit", err)
			}
			if !tt.tooLarge && err != nil {
				t.Errorf("Process: %v", err)
			}
		})
	}
}

func TestProcessRefusesBadImages(t *testing.T) {
	jpg := mediatest.JPEG(mediatest.Photo(640, 480, 5), 90)
	pngData := mediatest.PNG(mediatest.Photo(320, 240, 5))
	corruptPNG := append([]byte{}, pngData...)
	for i := len(corruptPNG) / 2; i < len(corruptPNG)/2+64; i++ {
		corruptPNG[i] ^= 0x5A
	}
	tests := []struct {
		name        string
		in          []byte
		wantStatus  int // 415 or 422
		wantMessage string
	}{
		{"JPEG of 32×32", mediatest.JPEG(solid(32, 32, color.White), 90), 422, "at least 64 pixels"},
		{"PNG of 640×40", mediatest.PNG(solid(640, 40, color.White)), 422, "at least 64 pixels"},
		{"JPEG truncated in the image data", jpg[:len(jpg)/2], 422, "cannot be decoded"},
		{"JPEG truncated in the header", jpg[:40], 422, "cannot be decoded"},
		{"PNG truncated", pngData[:len(pngData)*2/3], 422, "cannot be decoded"},
		{"PNG with corrupt data", corruptPNG, 422, "cannot be decoded"},
		{"WebP truncated", mediatest.WebP(300, 200, func(x, y int) bool { return x > y }, nil)[:200], 422, "cannot be decoded"},
		{"SVG", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), 415, "SVG image"},
		{"GIF", []byte("GIF89a\x40\x00\x40\x00\x00\x00\x00;"), 415, "GIF image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := process(t, media.DefaultLimits(), tt.in)
			var msg string
			switch tt.wantStatus {
			case 422:
				var ve *errs.ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("Process error = %v, want a *errs.ValidationError", err)
				}
				if len(ve.Fields) != 1 || ve.Fields[0].Field != "file" {
					t.Fatalf("validation fields = %+v, want one on \"file\"", ve.Fields)
				}
				msg = ve.Fields[0].Message
			case 415:
				if !errors.Is(err, errs.ErrUnsupportedMediaType) {
					t.Fatalf("Process error = %v, want ErrUnsupportedMediaType", err)
				}
				msg = err.Error()
			}
			if !strings.Contains(msg, tt.wantMessage) {
				t.Errorf("message %q does not contain %q", msg, tt.wantMessage)
			}
			for _, internal := range []string{"media:", "unexpected EOF", "jpeg:", "png:", "webp:", "zlib"} {
				if strings.Contains(msg, internal) {
					t.Errorf("message %q leaks the internal detail %q", msg, internal)
				}
			}
		})
	}
}

func TestProcessVariants(t *testing.T) {
	withAlpha := image.NewNRGBA(image.Rect(0, 0, 1000, 800))
	draw.Draw(withAlpha, withAlpha.Rect, image.NewUniform(color.NRGBA{200, 30, 90, 255}), image.Point{}, draw.Src)
	draw.Draw(withAlpha, image.Rect(0, 0, 1000, 200), image.Transparent, image.Point{}, draw.Src)

	grayPhoto := image.NewGray(image.Rect(0, 0, 1000, 800))
	draw.Draw(grayPhoto, grayPhoto.Rect, mediatest.Photo(1000, 800, 6), image.Point{}, draw.Src)

	type size struct {
		name string
		w, h int
	}
	tests := []struct {
		name            string
		in              []byte
		format          media.Format
		originalType    string
		variantType     string
		original        size
		variants        []size
		transparentAt00 bool // the pixel at (0, 0) of every output is transparent
	}{
		{"12 MP JPEG", mediatest.JPEG(mediatest.Photo(4000, 3000, 1), 85), media.FormatJPEG, "image/jpeg", "image/jpeg",
			size{"original", 4000, 3000}, []size{{"w200", 200, 150}, {"w800", 800, 600}, {"w1600", 1600, 1200}}, false},
		{"1000×800 JPEG", mediatest.JPEG(mediatest.Photo(1000, 800, 2), 90), media.FormatJPEG, "image/jpeg", "image/jpeg",
			size{"original", 1000, 800}, []size{{"w200", 200, 160}, {"w800", 800, 640}}, false},
		{"portrait 1200×1600 JPEG", mediatest.JPEG(mediatest.Photo(1200, 1600, 2), 90), media.FormatJPEG, "image/jpeg", "image/jpeg",
			size{"original", 1200, 1600}, []size{{"w200", 200, 267}, {"w800", 800, 1067}}, false},
		{"800×600 JPEG", mediatest.JPEG(mediatest.Photo(800, 600, 2), 90), media.FormatJPEG, "image/jpeg", "image/jpeg",
			size{"original", 800, 600}, []size{{"w200", 200, 150}}, false},
		{"150×100 JPEG is never upscaled", mediatest.JPEG(mediatest.Photo(150, 100, 2), 90), media.FormatJPEG, "image/jpeg", "image/jpeg",
			size{"original", 150, 100}, []size{{"w200", 150, 100}}, false},
		{"grayscale JPEG", mediatest.JPEG(grayPhoto, 90), media.FormatJPEG, "image/jpeg", "image/jpeg",
			size{"original", 1000, 800}, []size{{"w200", 200, 160}, {"w800", 800, 640}}, false},
		{"opaque PNG", mediatest.PNG(mediatest.Photo(1000, 800, 4)), media.FormatPNG, "image/png", "image/jpeg",
			size{"original", 1000, 800}, []size{{"w200", 200, 160}, {"w800", 800, 640}}, false},
		{"PNG with alpha", mediatest.PNG(withAlpha), media.FormatPNG, "image/png", "image/png",
			size{"original", 1000, 800}, []size{{"w200", 200, 160}, {"w800", 800, 640}}, true},
		{"lossless WebP", mediatest.WebP(300, 200, func(x, y int) bool { return (x/10+y/10)%2 == 0 }, nil), media.FormatWebP, "image/jpeg", "image/jpeg",
			size{"original", 300, 200}, []size{{"w200", 200, 133}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustProcess(t, tt.in)
			if res.Format != tt.format {
				t.Errorf("Format = %q, want %q", res.Format, tt.format)
			}
			if res.Width != tt.original.w || res.Height != tt.original.h {
				t.Errorf("result is %d×%d, want %d×%d", res.Width, res.Height, tt.original.w, tt.original.h)
			}
			want := append([]size{tt.original}, tt.variants...)
			got := allOutputs(res)
			if len(got) != len(want) {
				names := make([]string, len(got))
				for i, v := range got {
					names[i] = v.Name
				}
				t.Fatalf("outputs = %v, want %v", names, want)
			}
			for i, v := range got {
				wantType := tt.variantType
				if i == 0 {
					wantType = tt.originalType
				}
				if v.Name != want[i].name || v.Width != want[i].w || v.Height != want[i].h || v.ContentType != wantType {
					t.Errorf("output %d = %s %d×%d %s, want %s %d×%d %s",
						i, v.Name, v.Width, v.Height, v.ContentType, want[i].name, want[i].w, want[i].h, wantType)
				}
				m, format, err := image.Decode(bytes.NewReader(v.Data))
				if err != nil {
					t.Fatalf("%s does not decode: %v", v.Name, err)
				}
				if "image/"+format != v.ContentType {
					t.Errorf("%s is labelled %s but is %s", v.Name, v.ContentType, format)
				}
				if b := m.Bounds(); b.Dx() != v.Width || b.Dy() != v.Height {
					t.Errorf("%s decodes as %v, labelled %d×%d", v.Name, b, v.Width, v.Height)
				}
				if _, _, _, a := m.At(0, 0).RGBA(); (a == 0) != tt.transparentAt00 {
					t.Errorf("%s: alpha at (0,0) = %d, want transparent: %v", v.Name, a, tt.transparentAt00)
				}
			}
		})
	}
}

func TestProcessHashesTheInput(t *testing.T) {
	a := mediatest.JPEG(mediatest.Photo(320, 240, 1), 90)
	b := mediatest.JPEG(mediatest.Photo(320, 240, 2), 90)
	sum := sha256.Sum256(a)
	want := hex.EncodeToString(sum[:])

	first, second, other := mustProcess(t, a), mustProcess(t, a), mustProcess(t, b)
	if first.SHA256 != want {
		t.Errorf("SHA256 = %s, want %s", first.SHA256, want)
	}
	if first.Bytes != int64(len(a)) {
		t.Errorf("Bytes = %d, want %d", first.Bytes, len(a))
	}
	if second.SHA256 != first.SHA256 {
		t.Errorf("same input hashed twice: %s then %s", first.SHA256, second.SHA256)
	}
	if other.SHA256 == first.SHA256 {
		t.Errorf("different inputs have the same hash %s", other.SHA256)
	}
}

func TestProcessStopsOnCanceledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := media.NewProcessor(media.DefaultLimits()).Process(ctx, bytes.NewReader(mediatest.JPEG(mediatest.Photo(320, 240, 1), 90)))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Process error = %v, want context.Canceled", err)
	}
}

func TestNewProcessorDefaultsZeroLimits(t *testing.T) {
	if got := media.NewProcessor(media.Limits{MaxBytes: 1 << 20}).Limits(); got != (media.Limits{MaxBytes: 1 << 20, MaxPixels: 40_000_000, MaxSide: 12_000, MinSide: 64, MemoryBytes: 1 << 30}) {
		t.Errorf("Limits() = %+v, want MaxBytes kept and the rest defaulted", got)
	}
	_, err := media.NewProcessor(media.Limits{}).Process(context.Background(), bytes.NewReader(mediatest.BombPNG(12001, 100)))
	var ve *errs.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Process error = %v, want the default MaxSide to refuse a 12001 px wide image", err)
	}
	if _, err := media.NewProcessor(media.Limits{}).Process(context.Background(), bytes.NewReader(mediatest.PNG(solid(100, 100, color.White)))); err != nil {
		t.Fatalf("Process of a 100×100 PNG with default limits: %v", err)
	}
}

func BenchmarkProcess12MP(b *testing.B) {
	in := mediatest.WithEXIF(mediatest.JPEG(mediatest.Photo(4000, 3000, 1), 92), 1, gpsMarker)
	p := media.NewProcessor(media.DefaultLimits())
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := p.Process(context.Background(), bytes.NewReader(in)); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzProcess checks that no input makes the pipeline panic, and that every
// refusal is one of the client errors (413, 415, 422).
func FuzzProcess(f *testing.F) {
	small := mediatest.JPEG(mediatest.Photo(64, 64, 1), 80)
	f.Add(mediatest.WithEXIF(small, 6, gpsMarker))
	f.Add(mediatest.WithMetadata(small, gpsMarker))
	f.Add(mediatest.PNG(solid(64, 64, color.White)))
	f.Add(mediatest.WebP(64, 64, func(x, y int) bool { return x == y }, mediatest.EXIF(8, gpsMarker, false)))
	f.Add(mediatest.BombPNG(20000, 20000))
	f.Add([]byte("<svg/>"))
	l := media.DefaultLimits()
	l.MaxBytes = 1 << 20
	l.MaxPixels = 1 << 20
	p := media.NewProcessor(l)
	f.Fuzz(func(t *testing.T, in []byte) {
		res, err := p.Process(context.Background(), bytes.NewReader(in))
		if err != nil {
			var ve *errs.ValidationError
			if !errors.Is(err, errs.ErrTooLarge) && !errors.Is(err, errs.ErrUnsupportedMediaType) && !errors.As(err, &ve) {
				t.Fatalf("Process error %v is not a client error", err)
			}
			return
		}
		if res.Original.Width != res.Width || res.Original.Height != res.Height || len(res.Variants) == 0 {
			t.Fatalf("inconsistent result: %dx%d, original %dx%d, %d variants",
				res.Width, res.Height, res.Original.Width, res.Original.Height, len(res.Variants))
		}
	})
}

func TestAnImageBeyondTheMemoryBudgetIsRefusedBeforeDecoding(t *testing.T) {
	t.Parallel()
	p := media.NewProcessor(media.Limits{})
	in, err := p.Inspect(context.Background(), bytes.NewReader(mediatest.JPEG(mediatest.Photo(1200, 900, 3), 90)))
	if err != nil {
		t.Fatal(err)
	}
	// 1200×900 at 7 bytes a pixel plus the variants: about 28 MB.
	if in.Memory < 20<<20 || in.Memory > 40<<20 {
		t.Errorf("estimate %d bytes for a 1.1 MP JPEG", in.Memory)
	}
}
