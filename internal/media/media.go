// Package media is the image pipeline for product photos: it checks an
// upload (size, real format, declared dimensions) before decoding any
// pixels, decodes it once, turns it upright according to its EXIF
// orientation, and re-encodes it from pixels as an original and resized
// variants, so that no metadata (EXIF, GPS, XMP, IPTC, ICC, comments, PNG
// text chunks) reaches storage.
//
// Errors meant for the uploader wrap errs.ErrTooLarge (413),
// errs.ErrUnsupportedMediaType (415) or are an *errs.ValidationError on the
// field "file" (422); their text is written for the user.
package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"slices"
	"strconv"
	"sync"

	"golang.org/x/image/webp"

	"github.com/otopmarket/otop/internal/errs"
)

// Limits bound what an upload may be. A zero field means its default.
type Limits struct {
	MaxBytes  int64 // size of the uploaded file; default 15 MiB
	MaxPixels int64 // declared width*height; default 40,000,000
	MaxSide   int   // declared width or height; default 12,000 px
	MinSide   int   // smaller images are refused (422); default 64 px
	// MemoryBytes is the budget of the images decoded at once, by their
	// estimated memory (Inspected.Memory); an image that alone needs more
	// is refused (422). Default 1 GiB.
	MemoryBytes int64
}

// DefaultLimits returns the limits for phone photos of products.
func DefaultLimits() Limits {
	return Limits{
		MaxBytes:    15 << 20,
		MaxPixels:   40_000_000,
		MaxSide:     12_000,
		MinSide:     64,
		MemoryBytes: 1 << 30,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = d.MaxPixels
	}
	if l.MaxSide <= 0 {
		l.MaxSide = d.MaxSide
	}
	if l.MinSide <= 0 {
		l.MinSide = d.MinSide
	}
	if l.MemoryBytes <= 0 {
		l.MemoryBytes = d.MemoryBytes
	}
	return l
}

// check refuses declared dimensions outside the limits, before any pixel is
// decoded.
func (l Limits) check(w, h int) error {
	switch {
	case w > l.MaxSide || h > l.MaxSide:
		return errs.Invalid("file", fmt.Sprintf(
			"the image is %d×%d pixels; the largest accepted is %d pixels on either side", w, h, l.MaxSide))
	case int64(w)*int64(h) > l.MaxPixels:
		return errs.Invalid("file", fmt.Sprintf(
			"the image is %d×%d pixels (%.1f megapixels); the largest accepted is %s megapixels",
			w, h, float64(w)*float64(h)/1e6, strconv.FormatFloat(float64(l.MaxPixels)/1e6, 'f', -1, 64)))
	case w < l.MinSide || h < l.MinSide:
		return errs.Invalid("file", fmt.Sprintf(
			"the image is %d×%d pixels; photos must be at least %d pixels on each side", w, h, l.MinSide))
	}
	return nil
}

// Variant names.
const (
	VariantOriginal = "original"
	VariantW200     = "w200"
	VariantW800     = "w800"
	VariantW1600    = "w1600"
)

// Encoding qualities.
const (
	originalJPEGQuality = 90
	variantJPEGQuality  = 82
)

// Variant is one encoded rendition of an uploaded image.
type Variant struct {
	Name          string // "original", "w200", "w800", "w1600"
	Width, Height int
	ContentType   string // image/jpeg or image/png
	Data          []byte
}

// Result is a processed upload.
type Result struct {
	Format        Format // detected input format
	Width, Height int    // after applying the EXIF orientation
	Bytes         int64  // size of the uploaded input
	SHA256        string // lowercase hex of the uploaded input bytes
	// Original is re-encoded from pixels at full size: no metadata block of
	// the upload survives.
	Original Variant
	// Variants are resized to widths 200, 800 and 1600, only those narrower
	// than the original, smallest first; an original at most 200 pixels wide
	// gets a single "w200" variant at its own size.
	Variants []Variant
}

// Processor runs the image pipeline under fixed limits. It is safe for
// concurrent use; each Process call holds the decoded image in memory
// (about 1.5 bytes per pixel for a JPEG, 4 for a PNG or lossless WebP), so
// callers should bound how many run at once (Admission).
type Processor struct {
	limits Limits
}

// NewProcessor returns a Processor; zero fields of l take their defaults.
func NewProcessor(l Limits) *Processor {
	return &Processor{limits: l.withDefaults()}
}

// Limits returns the limits in force, defaults filled in.
func (p *Processor) Limits() Limits { return p.limits }

// Process reads an upload (at most MaxBytes+1 bytes are read from r), checks
// its real format and declared dimensions before decoding any pixel, decodes
// it, applies its EXIF orientation, and encodes the original and the resized
// variants. JPEG and WebP uploads become JPEG (quality 90 original, 82
// variants; transparency is flattened onto white); PNG uploads stay PNG for
// the original, and their variants are PNG when the image has a
// non-opaque pixel, JPEG otherwise.
func (p *Processor) Process(ctx context.Context, r io.Reader) (*Result, error) {
	in, err := p.Inspect(ctx, r)
	if err != nil {
		return nil, err
	}
	return p.Decode(ctx, in)
}

// Inspected is an upload read and checked, not decoded yet: its format,
// declared dimensions and the memory decoding it will take.
type Inspected struct {
	data   []byte
	format Format
	cfg    image.Config
	// Memory is an estimate of the bytes decoding and processing the image
	// hold at their peak.
	Memory int64
}

// Inspect reads an upload (at most MaxBytes+1 bytes), checks its real
// format and declared dimensions, and estimates the memory its decoding
// needs; no pixel is decoded.
func (p *Processor) Inspect(ctx context.Context, r io.Reader) (*Inspected, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	data, err := readLimited(r, p.limits.MaxBytes)
	if err != nil {
		return nil, err
	}
	format, err := Sniff(data)
	if err != nil {
		return nil, err
	}
	cfg, err := decodeConfig(format, data)
	if err != nil {
		return nil, undecodable(format, err)
	}
	if err := p.limits.check(cfg.Width, cfg.Height); err != nil {
		return nil, err
	}
	return &Inspected{data: data, format: format, cfg: cfg, Memory: decodeMemory(format, cfg, data)}, ctx.Err()
}

// decodeMemory estimates the peak bytes of processing an image. It adds
// what the decoder holds at once (its planes and result; for a progressive
// JPEG also 4 bytes for every sample of every component, kept until the
// last scan; for an interlaced PNG its passes), the working copy made after
// it (orientation, CMYK to RGBA, transparency flattened), the resize
// buffers, the original's encoder buffer, and the upload with its
// re-encoding. The decoder's buffers are counted with what follows them:
// they stay resident until the next garbage collection.
func decodeMemory(f Format, cfg image.Config, data []byte) int64 {
	w, h := int64(cfg.Width), int64(cfg.Height)
	px := w * h
	var decoded, working int64 // in 64ths of a byte per pixel
	switch f {
	case FormatJPEG:
		s := jpegShape(data)
		decoded = s.samples
		if s.progressive {
			decoded += 4 * s.samples
		}
		switch {
		case s.components == 4: // the planes become a CMYK image, which becomes RGBA
			decoded += 4 * 64
			working = 8 * 64
		case s.rgb: // the decoder converts the planes to RGBA
			decoded += 4 * 64
			working = 4 * 64
		case s.oddChroma: // 4:1:1 and 4:1:0 are oriented through two NRGBA copies
			working = 8 * 64
		default: // orientation copies the planes
			working = s.samples
		}
	case FormatPNG:
		decoded = pngPixelBytes(cfg.ColorModel) * 64
		if len(data) > 28 && data[28] == 1 { // Adam7: each pass is decoded apart, then merged
			decoded *= 2
		}
	default: // WebP: lossless ARGB and its colour-indexing copy, or lossy YCbCr with a lossless alpha plane
		decoded, working = 8*64, 8*64
	}
	long, short := max(w, h, 1), max(min(w, h), 1)
	resize := 1600 * long * 4                                 // the horizontal pass of the widest variant, as tall as the image
	variants := 1600 * min(long, 1600*long/short) * 4 * 5 / 4 // 1600 wide, then 800 and 200 from it
	encoded := px / 2                                         // the original's encoder buffer
	return px*(decoded+working)/64 + resize + variants + encoded + 2*int64(len(data))
}

// pngPixelBytes is the size of a pixel as Go's PNG decoder returns it.
func pngPixelBytes(m color.Model) int64 {
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	switch m {
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	case color.Gray16Model:
		return 2
	case color.GrayModel:
		return 1
	}
	return 4
}

// jpegLayout is what the headers of a JPEG say about the memory its
// decoding takes.
type jpegLayout struct {
	progressive bool
	components  int
	samples     int64 // bytes of the decoded planes per pixel, in 64ths
	rgb         bool  // decoded as RGB (Adobe transform 0 or components named R, G, B, and no JFIF)
	oddChroma   bool  // 4:1:1 or 4:1:0 chroma
}

// jpegShape reads a JPEG's markers up to its first scan, as Go's decoder
// does. What it cannot read counts as the costliest layout the decoder
// accepts: progressive, four full-resolution components.
func jpegShape(data []byte) jpegLayout {
	worst := jpegLayout{progressive: true, components: 4, samples: 4 * 64}
	var (
		jfif, adobeRGB, found bool
		l                     jpegLayout
		ids                   []byte
	)
	for i := 2; i+1 < len(data); {
		if data[i] != 0xFF { // stray bytes between segments, which the decoder skips
			i++
			continue
		}
		marker := data[i+1]
		switch {
		case marker == 0xFF: // fill byte
			i++
			continue
		case marker == 0x00 || marker == 0x01 || marker >= 0xD0 && marker <= 0xD8: // no length
			i += 2
			continue
		case marker == 0xDA || marker == 0xD9: // start of scan, end of image
			if !found {
				return worst
			}
			l.rgb = l.components == 3 && !jfif && (adobeRGB || string(ids) == "RGB")
			return l
		}
		if i+4 > len(data) {
			break
		}
		length := int(data[i+2])<<8 | int(data[i+3])
		if length < 2 || i+2+length > len(data) {
			break
		}
		seg := data[i+4 : i+2+length]
		switch {
		case marker == 0xE0:
			jfif = jfif || bytes.HasPrefix(seg, []byte("JFIF\x00"))
		case marker == 0xEE:
			if len(seg) >= 12 && bytes.HasPrefix(seg, []byte("Adobe")) {
				adobeRGB = seg[11] == 0
			}
		case marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC:
			if found || len(seg) < 6 {
				return worst
			}
			n := int(seg[5])
			if n < 1 || n > 4 || len(seg) < 6+3*n {
				return worst
			}
			found = true
			l.progressive = marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE
			l.components = n
			hmax, vmax := int64(1), int64(1)
			for c := range n {
				hv := seg[7+3*c]
				hmax, vmax = max(hmax, int64(hv>>4)), max(vmax, int64(hv&0x0F))
			}
			for c := range n {
				ids = append(ids, seg[6+3*c])
				hv := seg[7+3*c]
				hi, vi := max(int64(hv>>4), 1), max(int64(hv&0x0F), 1)
				if n == 1 { // a single component is never subsampled
					hi, vi = hmax, vmax
				}
				l.samples += 64 * hi * vi / (hmax * vmax)
			}
			l.oddChroma = n == 3 && hmax == 4
		}
		i += 2 + length
	}
	return worst
}

// Decode decodes an inspected image, applies its EXIF orientation and
// makes the original and the variants (see Process).
func (p *Processor) Decode(ctx context.Context, in *Inspected) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	data, format, cfg := in.data, in.format, in.cfg
	sum := sha256.Sum256(data)
	res := &Result{Format: format, Bytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
	o := orientation(format, data)
	img, err := decode(format, data)
	if err != nil {
		return nil, undecodable(format, err)
	}
	if b := img.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return nil, errs.Invalid("file", "the image cannot be decoded: its header and its pixel data disagree; upload the photo again")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	img = orient(img, o)
	if m, ok := img.(*image.CMYK); ok {
		// Print-workflow JPEGs; neither the encoder nor the resizer has a
		// fast path for CMYK, so convert once.
		img = cmykToRGBA(m)
	}
	res.Width, res.Height = img.Bounds().Dx(), img.Bounds().Dy()
	keepPNG := format == FormatPNG
	alpha := !isOpaque(img)
	if alpha && !keepPNG {
		img = flatten(img) // JPEG has no transparency
		alpha = false
	}

	// The JPEG and PNG encoders are single-threaded and the resizer is not,
	// so the full-size original is encoded while the variants are made.
	var (
		wg      sync.WaitGroup
		origErr error
		full    = img
	)
	wg.Go(func() {
		if keepPNG {
			res.Original, origErr = encodePNG(VariantOriginal, full)
		} else {
			res.Original, origErr = encodeJPEG(VariantOriginal, full, originalJPEGQuality)
		}
	})
	res.Variants, err = makeVariants(ctx, full, keepPNG && alpha)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	if origErr != nil {
		return nil, origErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return res, nil
}

// makeVariants resizes progressively: each variant is made from the previous,
// larger one (1600 from the full image, 800 from 1600, 200 from 800), which
// is much cheaper than going back to the full image each time and looks the
// same at these ratios. Heights are computed from the full image, so the
// aspect ratio does not drift with rounding.
func makeVariants(ctx context.Context, full image.Image, asPNG bool) ([]Variant, error) {
	widths := [...]struct {
		name  string
		width int
	}{{VariantW1600, 1600}, {VariantW800, 800}, {VariantW200, 200}} // largest first
	w, h := full.Bounds().Dx(), full.Bounds().Dy()
	var out []Variant
	src := full
	for _, v := range widths {
		tw := v.width
		if tw >= w {
			if v.name != VariantW200 {
				continue
			}
			tw = w // a small original still gets its w200 variant, never upscaled
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		th := max(1, int((int64(h)*int64(tw)+int64(w)/2)/int64(w)))
		m := src
		if tw != src.Bounds().Dx() || th != src.Bounds().Dy() {
			m = resize(src, tw, th)
		}
		var enc Variant
		var err error
		if asPNG {
			enc, err = encodePNG(v.name, m)
		} else {
			enc, err = encodeJPEG(v.name, m, variantJPEGQuality)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, enc)
		src = m
	}
	slices.Reverse(out) // smallest first: w200, w800, w1600
	return out, nil
}

// readLimited reads all of r but at most max+1 bytes.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	// Size the buffer from the reader when it knows its length (bytes and
	// strings readers, multipart files), to avoid regrowing it.
	hint := int64(512)
	switch s := r.(type) {
	case interface{ Len() int }:
		hint = int64(s.Len()) + 1
	case interface{ Size() int64 }:
		hint = s.Size() + 1
	}
	hint = min(max(hint, 512), limit+1)
	buf := make([]byte, 0, hint)
	lr := io.LimitReader(r, limit+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("media: read upload: %w", err)
		}
	}
	if int64(len(buf)) > limit {
		return nil, errs.Newf(errs.ErrTooLarge, "the file is larger than %s; upload a smaller photo", humanBytes(limit))
	}
	return buf, nil
}

func humanBytes(n int64) string {
	const mb, kb = 1 << 20, 1 << 10
	switch {
	case n >= mb && n%mb == 0:
		return strconv.FormatInt(n/mb, 10) + " MB"
	case n >= mb:
		return strconv.FormatFloat(float64(n)/mb, 'f', 1, 64) + " MB"
	case n >= kb && n%kb == 0:
		return strconv.FormatInt(n/kb, 10) + " KB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

func decodeConfig(f Format, data []byte) (image.Config, error) {
	r := bytes.NewReader(data)
	switch f {
	case FormatJPEG:
		return jpeg.DecodeConfig(r)
	case FormatPNG:
		return png.DecodeConfig(r)
	case FormatWebP:
		return webp.DecodeConfig(r)
	}
	return image.Config{}, fmt.Errorf("media: unknown format %q", f)
}

func decode(f Format, data []byte) (image.Image, error) {
	r := bytes.NewReader(data)
	switch f {
	case FormatJPEG:
		return jpeg.Decode(r)
	case FormatPNG:
		return png.Decode(r)
	case FormatWebP:
		return webp.Decode(r)
	}
	return nil, fmt.Errorf("media: unknown format %q", f)
}

// undecodable turns a decoder error into a message for the uploader. The
// decoder's own text is not shown: it means nothing to a producer.
func undecodable(f Format, err error) error {
	var (
		jpegUnsupported jpeg.UnsupportedError
		pngUnsupported  png.UnsupportedError
	)
	switch {
	case errors.As(err, &jpegUnsupported):
		return errs.Invalid("file", "the image cannot be decoded: it uses a JPEG variant that is not supported (such as 12-bit or arithmetic coding); save it again as a standard JPEG and upload it")
	case errors.As(err, &pngUnsupported):
		return errs.Invalid("file", "the image cannot be decoded: it uses a PNG variant that is not supported; save it again as a standard PNG and upload it")
	}
	name := map[Format]string{FormatJPEG: "JPEG", FormatPNG: "PNG", FormatWebP: "WebP"}[f]
	return errs.Invalid("file", "the image cannot be decoded: the "+name+" file is damaged or incomplete; upload the photo again")
}

// isOpaque reports whether every pixel of img is fully opaque.
func isOpaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	return false
}

// flatten composites img onto a white background.
func flatten(img image.Image) *image.RGBA {
	b := img.Bounds()
	d := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	if m, ok := img.(*image.NYCbCrA); ok {
		// Lossy WebP with alpha; image/draw has no fast path for it.
		for y := range b.Dy() {
			row := d.Pix[y*d.Stride:]
			for x := range b.Dx() {
				yi, ci := m.YOffset(b.Min.X+x, b.Min.Y+y), m.COffset(b.Min.X+x, b.Min.Y+y)
				r, g, bl := color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
				a := uint32(m.A[m.AOffset(b.Min.X+x, b.Min.Y+y)])
				over := func(c uint8) uint8 { return uint8((uint32(c)*a + 255*(255-a) + 127) / 255) }
				p := row[4*x : 4*x+4 : 4*x+4]
				p[0], p[1], p[2], p[3] = over(r), over(g), over(bl), 0xFF
			}
		}
		return d
	}
	draw.Draw(d, d.Rect, image.White, image.Point{}, draw.Src)
	draw.Draw(d, d.Rect, img, b.Min, draw.Over)
	return d
}

func cmykToRGBA(m *image.CMYK) *image.RGBA {
	b := m.Bounds()
	d := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := range b.Dy() {
		src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
		dst := d.Pix[y*d.Stride : y*d.Stride+4*b.Dx()]
		for i := 0; i < len(dst); i += 4 {
			r, g, bl := color.CMYKToRGB(src[i], src[i+1], src[i+2], src[i+3])
			dst[i], dst[i+1], dst[i+2], dst[i+3] = r, g, bl, 0xFF
		}
	}
	return d
}

func encodeJPEG(name string, img image.Image, quality int) (Variant, error) {
	// The encoder has fast paths for *image.YCbCr, *image.RGBA and
	// *image.Gray only; an opaque NRGBA (what imaging returns) has the same
	// bytes as an RGBA, and an opaque NYCbCrA is its YCbCr.
	switch m := img.(type) {
	case *image.NRGBA:
		if m.Opaque() {
			img = &image.RGBA{Pix: m.Pix, Stride: m.Stride, Rect: m.Rect}
		}
	case *image.NYCbCrA:
		if m.Opaque() {
			img = &m.YCbCr
		}
	}
	b := img.Bounds()
	var buf bytes.Buffer
	buf.Grow(b.Dx()*b.Dy()/3 + 4096)
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		return Variant{}, fmt.Errorf("media: encode %s as JPEG: %w", name, err)
	}
	return Variant{Name: name, Width: b.Dx(), Height: b.Dy(), ContentType: "image/jpeg", Data: buf.Bytes()}, nil
}

func encodePNG(name string, img image.Image) (Variant, error) {
	b := img.Bounds()
	var buf bytes.Buffer
	buf.Grow(b.Dx()*b.Dy()/2 + 4096)
	// Default compression of a large photo-like PNG is slow; BestSpeed
	// costs a few more bytes for a fraction of the time.
	enc := png.Encoder{CompressionLevel: png.DefaultCompression}
	if b.Dx()*b.Dy() > 4_000_000 {
		enc.CompressionLevel = png.BestSpeed
	}
	if err := enc.Encode(&buf, img); err != nil {
		return Variant{}, fmt.Errorf("media: encode %s as PNG: %w", name, err)
	}
	return Variant{Name: name, Width: b.Dx(), Height: b.Dy(), ContentType: "image/png", Data: buf.Bytes()}, nil
}
