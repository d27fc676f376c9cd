package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/disintegration/imaging"

	"github.com/otopmarket/otop/internal/errs"

	"github.com/otopmarket/otop/internal/media/mediatest"
)

var ratios = []image.YCbCrSubsampleRatio{
	image.YCbCrSubsampleRatio444,
	image.YCbCrSubsampleRatio422,
	image.YCbCrSubsampleRatio440,
	image.YCbCrSubsampleRatio420,
}

// toYCbCr converts an RGBA image to YCbCr with the given chroma subsampling,
// averaging the chroma of each block.
func toYCbCr(src *image.RGBA, ratio image.YCbCrSubsampleRatio) *image.YCbCr {
	b := src.Bounds()
	m := image.NewYCbCr(b, ratio)
	type sum struct{ cb, cr, n int }
	sums := make(map[int]*sum)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := src.RGBAAt(x, y)
			yy, cb, cr := color.RGBToYCbCr(c.R, c.G, c.B)
			m.Y[m.YOffset(x, y)] = yy
			ci := m.COffset(x, y)
			s := sums[ci]
			if s == nil {
				s = &sum{}
				sums[ci] = s
			}
			s.cb += int(cb)
			s.cr += int(cr)
			s.n++
		}
	}
	for ci, s := range sums {
		m.Cb[ci] = uint8((s.cb + s.n/2) / s.n)
		m.Cr[ci] = uint8((s.cr + s.n/2) / s.n)
	}
	return m
}

// reference transforms with imaging, which rotates counter-clockwise.
func referenceOrient(img image.Image, o int) *image.NRGBA {
	switch o {
	case orientFlipH:
		return imaging.FlipH(img)
	case orientRotate180:
		return imaging.Rotate180(img)
	case orientFlipV:
		return imaging.FlipV(img)
	case orientTranspose:
		return imaging.Transpose(img)
	case orientRotate90:
		return imaging.Rotate270(img)
	case orientTransverse:
		return imaging.Transverse(img)
	case orientRotate270:
		return imaging.Rotate90(img)
	}
	return imaging.Clone(img)
}

func gray(p []byte, stride, w, h int) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		copy(g.Pix[y*w:y*w+w], p[y*stride:y*stride+w])
	}
	return g
}

func samePlane(t *testing.T, what string, got *image.Gray, want *image.NRGBA) {
	t.Helper()
	if got.Rect != want.Rect {
		t.Fatalf("%s plane is %v, want %v", what, got.Rect, want.Rect)
	}
	for y := range got.Rect.Dy() {
		for x := range got.Rect.Dx() {
			if g, w := got.GrayAt(x, y).Y, want.NRGBAAt(x, y).R; g != w {
				t.Fatalf("%s plane at (%d,%d) = %d, want %d", what, x, y, g, w)
			}
		}
	}
}

func TestOrientPlanesMatchImaging(t *testing.T) {
	photo := mediatest.Photo(40, 24, 3)
	for _, ratio := range ratios {
		src := toYCbCr(photo, ratio)
		for o := 1; o <= 8; o++ {
			t.Run(fmt.Sprintf("%v/orientation %d", ratio, o), func(t *testing.T) {
				got, ok := orient(src, o).(*image.YCbCr)
				if !ok {
					t.Fatalf("orient returned %T, want *image.YCbCr", orient(src, o))
				}
				w, h := got.Rect.Dx(), got.Rect.Dy()
				samePlane(t, "Y", gray(got.Y, got.YStride, w, h), referenceOrient(gray(src.Y, src.YStride, 40, 24), o))
				cw, ch := got.COffset(w-1, h-1)%got.CStride+1, got.COffset(w-1, h-1)/got.CStride+1
				scw, sch := src.COffset(39, 23)%src.CStride+1, src.COffset(39, 23)/src.CStride+1
				samePlane(t, "Cb", gray(got.Cb, got.CStride, cw, ch), referenceOrient(gray(src.Cb, src.CStride, scw, sch), o))
				samePlane(t, "Cr", gray(got.Cr, got.CStride, cw, ch), referenceOrient(gray(src.Cr, src.CStride, scw, sch), o))
			})
		}
	}
	// Interleaved pixel types.
	nrgba := imaging.Clone(mediatest.Photo(37, 23, 4))
	for o := 1; o <= 8; o++ {
		got := orient(nrgba, o).(*image.NRGBA)
		want := referenceOrient(nrgba, o)
		if got.Rect != want.Rect || string(got.Pix) != string(want.Pix) {
			t.Errorf("NRGBA orientation %d differs from imaging", o)
		}
	}
}

// psnr compares two images of the same size in RGB.
func psnr(a, b image.Image) float64 {
	var se float64
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			ar, ag, ab, _ := a.At(x, y).RGBA()
			br, bg, bb, _ := b.At(x, y).RGBA()
			for _, d := range []float64{float64(ar>>8) - float64(br>>8), float64(ag>>8) - float64(bg>>8), float64(ab>>8) - float64(bb>>8)} {
				se += d * d
			}
		}
	}
	mse := se / float64(3*r.Dx()*r.Dy())
	return 10 * math.Log10(255*255/mse)
}

func TestResizeYCbCrMatchesImaging(t *testing.T) {
	photo := mediatest.Photo(1001, 751, 5) // odd sizes: partial chroma blocks
	sizes := []struct{ w, h int }{{800, 600}, {200, 150}, {333, 250}, {1000, 750}}
	for _, ratio := range ratios {
		src := toYCbCr(photo, ratio)
		for _, s := range sizes {
			t.Run(fmt.Sprintf("%v to %d×%d", ratio, s.w, s.h), func(t *testing.T) {
				got := resize(src, s.w, s.h)
				if _, ok := got.(*image.YCbCr); !ok {
					t.Fatalf("resize returned %T, want *image.YCbCr", got)
				}
				if b := got.Bounds(); b.Dx() != s.w || b.Dy() != s.h {
					t.Fatalf("resize returned %v, want %d×%d", b, s.w, s.h)
				}
				// The reference goes through 4:2:0 too: the JPEG encoder
				// subsamples chroma anyway, and at 5× reduction of a fine
				// weave the subsampling alone costs a few dB.
				ref := imaging.Resize(src, s.w, s.h, imaging.Lanczos)
				want := toYCbCr(&image.RGBA{Pix: ref.Pix, Stride: ref.Stride, Rect: ref.Rect}, image.YCbCrSubsampleRatio420)
				if p := psnr(got, want); p < 38 { // measured 40–44 dB
					t.Errorf("PSNR against imaging.Resize = %.1f dB, want ≥ 38", p)
				}
			})
		}
	}
}

func TestResizeKeepsFlatAreasFlat(t *testing.T) {
	src := image.NewYCbCr(image.Rect(0, 0, 4000, 3000), image.YCbCrSubsampleRatio420)
	for i := range src.Y {
		src.Y[i] = 200
	}
	for i := range src.Cb {
		src.Cb[i], src.Cr[i] = 90, 160
	}
	got := resize(src, 1600, 1200).(*image.YCbCr)
	for _, p := range []struct {
		name  string
		plane []byte
		want  byte
	}{{"Y", got.Y, 200}, {"Cb", got.Cb, 90}, {"Cr", got.Cr, 160}} {
		for i, v := range p.plane {
			if v != p.want {
				t.Fatalf("%s[%d] = %d, want %d", p.name, i, v, p.want)
			}
		}
	}
}

func TestCMYKToRGBA(t *testing.T) {
	m := image.NewCMYK(image.Rect(0, 0, 70, 65))
	for i := range m.Pix {
		m.Pix[i] = byte(i * 7)
	}
	got := cmykToRGBA(m)
	for y := range 65 {
		for x := range 70 {
			want := color.RGBAModel.Convert(m.At(x, y)).(color.RGBA)
			if g := got.RGBAAt(x, y); g != want {
				t.Fatalf("pixel (%d,%d) = %v, want %v", x, y, g, want)
			}
		}
	}
}

func TestFlattenOntoWhite(t *testing.T) {
	m := image.NewNYCbCrA(image.Rect(0, 0, 3, 1), image.YCbCrSubsampleRatio444)
	for i := range m.Y {
		m.Y[i], m.Cb[i], m.Cr[i] = 0, 128, 128 // black
	}
	m.A[0], m.A[1], m.A[2] = 0, 128, 255
	n := image.NewNRGBA(m.Rect)
	copy(n.Pix, []byte{0, 0, 0, 0, 0, 0, 0, 128, 0, 0, 0, 255})
	for _, img := range []image.Image{m, n} {
		got := flatten(img)
		want := []byte{255, 255, 255, 255, 127, 127, 127, 255, 0, 0, 0, 255}
		for i := range want {
			if d := int(got.Pix[i]) - int(want[i]); d < -1 || d > 1 {
				t.Fatalf("%T flattened to %v, want %v", img, got.Pix, want)
			}
		}
	}
}

func TestDecodeMemoryCountsWhatDecodersHold(t *testing.T) {
	t.Parallel()
	// Go's encoder writes baseline 4:2:0 JPEGs with components 1, 2, 3 and
	// no JFIF segment; the variants below edit only their headers, which is
	// all the estimate reads.
	baseline := mediatest.WithEXIF(mediatest.JPEG(mediatest.Photo(400, 300, 1), 90), 6, "GPS")
	sof := bytes.Index(baseline, []byte{0xFF, 0xC0})
	edit := func(f func(b []byte)) []byte {
		b := append([]byte(nil), baseline...)
		f(b)
		return b
	}
	progressive := edit(func(b []byte) { b[sof+1] = 0xC2 })
	full := edit(func(b []byte) { b[sof+11] = 0x11 }) // luma 1×1 like the chroma: 4:4:4
	named := func(b []byte) { b[sof+10], b[sof+13], b[sof+16] = 'R', 'G', 'B' }
	rgb := edit(named)
	segment := func(marker byte, payload string) []byte {
		return append([]byte{0xFF, marker, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}, payload...)
	}
	withSegment := func(jpg, seg []byte) []byte {
		return append(append(append([]byte(nil), jpg[:2]...), seg...), jpg[2:]...)
	}
	rgbJFIF := withSegment(rgb, segment(0xE0, "JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x00\x00"))
	adobeRGB := withSegment(baseline, segment(0xEE, "Adobe\x00\x64\x00\x00\x00\x00\x00"))
	// A CMYK header (Adobe, four full-resolution components), progressive:
	// what the decoder is asked for is read from it, nothing is decoded.
	cmyk := slices.Concat([]byte{0xFF, 0xD8}, segment(0xEE, "Adobe\x00\x64\x00\x00\x00\x00\x02"),
		segment(0xC2, "\x08\x01\x2c\x01\x90\x04\x01\x11\x00\x02\x11\x00\x03\x11\x00\x04\x11\x00"),
		segment(0xDA, "\x01\x01\x00\x00\x3f\x00"), []byte{0xFF, 0xD9})
	gray := mediatest.JPEG(image.NewGray(image.Rect(0, 0, 400, 300)), 90)
	deep := mediatest.PNG(image.NewRGBA64(image.Rect(0, 0, 400, 300)))
	interlaced := append([]byte(nil), deep...)
	interlaced[28] = 1 // IHDR interlace method: Adam7
	binary.BigEndian.PutUint32(interlaced[29:], crc32.ChecksumIEEE(interlaced[12:29]))
	flat := mediatest.PNG(image.NewRGBA(image.Rect(0, 0, 400, 300)))
	paletted := mediatest.PNG(image.NewPaletted(image.Rect(0, 0, 400, 300), color.Palette{color.Black, color.White}))
	gray16 := mediatest.PNG(image.NewGray16(image.Rect(0, 0, 400, 300)))
	webp := mediatest.WebP(400, 300, nil, nil)
	const px = 400 * 300
	// Beside the pixels: the horizontal resize pass (1600 wide, as tall as
	// the longer side), the variants, the encoder buffer, input and output.
	const fixed = 1600*400*4 + 1600*400*4*5/4 + px/2
	tests := []struct {
		name     string
		data     []byte
		perPixel float64 // bytes held per pixel by the decoder and the working copy
	}{
		{"baseline 4:2:0 JPEG: planes, then their oriented copy", baseline, 1.5 + 1.5},
		{"progressive JPEG: 4 bytes of coefficients a sample", progressive, 1.5 + 6 + 1.5},
		{"4:4:4 JPEG", full, 3 + 3},
		{"RGB JPEG (components R, G, B): planes and RGBA, then an RGBA copy", rgb, 1.5 + 4 + 4},
		{"components R, G, B with JFIF: YCbCr", rgbJFIF, 1.5 + 1.5},
		{"Adobe transform 0: RGB", adobeRGB, 1.5 + 4 + 4},
		{"progressive CMYK: planes, coefficients, CMYK, then CMYK and RGBA copies", cmyk, 4 + 16 + 4 + 8},
		{"grey JPEG", gray, 1 + 1},
		{"16-bit PNG", deep, 8},
		{"interlaced 16-bit PNG: the passes too", interlaced, 16},
		{"8-bit PNG", flat, 4},
		{"paletted PNG", paletted, 1},
		{"16-bit grey PNG", gray16, 2},
		{"WebP", webp, 8 + 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			format, err := Sniff(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := decodeConfig(format, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Width != 400 || cfg.Height != 300 {
				t.Fatalf("the test image is %d×%d", cfg.Width, cfg.Height)
			}
			want := int64(tc.perPixel*px) + fixed + 2*int64(len(tc.data))
			if got := decodeMemory(format, cfg, tc.data); got != want {
				t.Errorf("decodeMemory = %d, want %d (%.2f bytes a pixel)", got, want, float64(got-fixed-2*int64(len(tc.data)))/px)
			}
		})
	}
	t.Run("headers it cannot read count as the costliest layout", func(t *testing.T) {
		for _, b := range [][]byte{baseline[:sof], {0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02}, baseline[:sof+8]} {
			if got := jpegShape(b); !got.progressive || got.components != 4 || got.samples != 4*64 {
				t.Errorf("jpegShape(% x...) = %+v, want progressive with 4 full components", b[:min(len(b), 8)], got)
			}
		}
	})
}

func TestAdmissionAdmitsDecodesByTheirMemory(t *testing.T) {
	t.Parallel()
	p := NewProcessor(Limits{})
	in, err := p.Inspect(context.Background(), bytes.NewReader(mediatest.JPEG(mediatest.Photo(800, 600, 2), 90)))
	if err != nil {
		t.Fatal(err)
	}
	small := NewAdmission(in.Memory-1, 1)
	var ve *errs.ValidationError
	if _, err := small.Decode(context.Background(), p, in); !errors.As(err, &ve) || ve.Fields[0].Field != "file" {
		t.Errorf("an image needing more than the whole budget: %v, want 422 on file", err)
	}
	if now, peak := small.Admitted(); now != 0 || peak != 0 {
		t.Errorf("a refused image was admitted: now %d, peak %d", now, peak)
	}
	// With room for one at a time, a second waits for the first: it is
	// admitted only when the budget is given back.
	one := NewAdmission(in.Memory, 4)
	if !one.memory.TryAcquire(in.Memory) {
		t.Fatal("the budget is not free")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := one.Decode(ctx, p, in); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a decode with the budget taken: %v, want it to wait until its deadline", err)
	}
	one.memory.Release(in.Memory)
	if res, err := one.Process(context.Background(), p, bytes.NewReader(in.data)); err != nil || res.Width != 800 {
		t.Errorf("after the budget is given back: %v", err)
	}
	if now, peak := one.Admitted(); now != 0 || peak != in.Memory {
		t.Errorf("Admitted() = %d, %d; want 0 now and the image's %d at the peak", now, peak, in.Memory)
	}
}

func TestImagesGoThroughTheirAdmission(t *testing.T) {
	t.Parallel()
	s := NewImages(nil, nil, nil, Limits{MemoryBytes: 300 << 20}, 2, time.Now)
	res, err := s.process(context.Background(), bytes.NewReader(mediatest.JPEG(mediatest.Photo(640, 480, 3), 90)))
	if err != nil || res.Width != 640 {
		t.Fatalf("process: %v", err)
	}
	if _, peak := s.admit.Admitted(); peak <= 0 {
		t.Errorf("the upload was not counted by the admission: peak %d", peak)
	}
	if s.admit.budget != 300<<20 || cap(s.admit.slots) != 2 {
		t.Errorf("admission budget %d with %d slots, want IMAGE_MEMORY_MB's %d and 2", s.admit.budget, cap(s.admit.slots), 300<<20)
	}
}
