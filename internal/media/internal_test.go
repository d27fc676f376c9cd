package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"testing"
	"time"

	"github.com/disintegration/imaging"
	"golang.org/x/sync/semaphore"

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
	baseline := mediatest.WithEXIF(mediatest.JPEG(mediatest.Photo(400, 300, 1), 90), 6, "GPS")
	// The same JPEG with its frame header marked progressive (SOF2): only
	// the header is read, never decoded.
	progressive := append([]byte(nil), baseline...)
	for i := 2; i+1 < len(progressive); i++ {
		if progressive[i] == 0xFF && progressive[i+1] == 0xC0 {
			progressive[i+1] = 0xC2
			break
		}
	}
	gray := mediatest.JPEG(image.NewGray(image.Rect(0, 0, 400, 300)), 90)
	deep := mediatest.PNG(image.NewRGBA64(image.Rect(0, 0, 400, 300)))
	flat := mediatest.PNG(image.NewRGBA(image.Rect(0, 0, 400, 300)))
	const px = 400 * 300
	const fixed = 1600 * 1600 * 4 * 2
	tests := []struct {
		name        string
		data        []byte
		progressive bool
		perPixel    float64 // bytes held per pixel, beside the fixed variants
	}{
		{"baseline colour JPEG", baseline, false, 3 + 4},
		{"progressive colour JPEG: coefficients of 3 components", progressive, true, 3 + 12 + 4},
		{"grey JPEG", gray, false, 1 + 4},
		{"16-bit PNG", deep, false, 8 + 4},
		{"8-bit PNG", flat, false, 4 + 4},
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
			if format == FormatJPEG {
				if got, _ := jpegShape(tc.data); got != tc.progressive {
					t.Errorf("progressive = %v, want %v", got, tc.progressive)
				}
			}
			want := int64(tc.perPixel*px) + fixed + int64(len(tc.data))
			if got := decodeMemory(format, cfg, tc.data); got != want {
				t.Errorf("decodeMemory = %d, want %d", got, want)
			}
		})
	}
}

func TestImagesAdmitDecodesByTheirMemory(t *testing.T) {
	t.Parallel()
	p := NewProcessor(Limits{})
	in, err := p.Inspect(context.Background(), bytes.NewReader(mediatest.JPEG(mediatest.Photo(800, 600, 2), 90)))
	if err != nil {
		t.Fatal(err)
	}
	small := &Images{proc: p, limits: Limits{MemoryBytes: in.Memory - 1}, memory: semaphore.NewWeighted(in.Memory - 1), slots: make(chan struct{}, 1)}
	var ve *errs.ValidationError
	if _, err := small.decode(context.Background(), in); !errors.As(err, &ve) || ve.Fields[0].Field != "file" {
		t.Errorf("an image needing more than the whole budget: %v, want 422 on file", err)
	}
	// With room for one at a time, a second waits for the first: it is
	// admitted only when the budget is given back.
	one := &Images{proc: p, limits: Limits{MemoryBytes: in.Memory}, memory: semaphore.NewWeighted(in.Memory), slots: make(chan struct{}, 4)}
	if !one.memory.TryAcquire(in.Memory) {
		t.Fatal("the budget is not free")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := one.decode(ctx, in); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a decode with the budget taken: %v, want it to wait until its deadline", err)
	}
	one.memory.Release(in.Memory)
	if res, err := one.decode(context.Background(), in); err != nil || res.Width != 800 {
		t.Errorf("after the budget is given back: %v", err)
	}
}
