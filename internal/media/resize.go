package media

import (
	"image"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/disintegration/imaging"
)

// resize returns src scaled to w×h with a Lanczos-3 filter.
//
// A JPEG (or lossy WebP) decodes to *image.YCbCr; it is resized plane by
// plane, chroma at its subsampled size, into a 4:2:0 *image.YCbCr, which the
// JPEG encoder takes without conversion. Resizing Y, Cb and Cr separately is
// exact: they are an affine function of R'G'B', and the filter is linear.
// That is about three times less work than converting to NRGBA and resizing
// four interleaved channels with alpha weighting, which is what imaging does
// for every other image type (PNG, lossless WebP, flattened transparency).
func resize(src image.Image, w, h int) image.Image {
	var m *image.YCbCr
	switch s := src.(type) {
	case *image.YCbCr:
		m = s
	case *image.NYCbCrA:
		if s.Opaque() {
			m = &s.YCbCr
		}
	}
	if m != nil && m.Rect.Min == (image.Point{}) {
		if d := resizeYCbCr(m, w, h); d != nil {
			return d
		}
	}
	return imaging.Resize(src, w, h, imaging.Lanczos)
}

// resizeYCbCr resizes m to a dw×dh 4:2:0 image, or returns nil for chroma
// subsampling ratios it does not handle.
func resizeYCbCr(m *image.YCbCr, dw, dh int) *image.YCbCr {
	sw, sh := m.Rect.Dx(), m.Rect.Dy()
	var sx, sy int // chroma subsampling of the source
	switch m.SubsampleRatio {
	case image.YCbCrSubsampleRatio444:
		sx, sy = 1, 1
	case image.YCbCrSubsampleRatio422:
		sx, sy = 2, 1
	case image.YCbCrSubsampleRatio440:
		sx, sy = 1, 2
	case image.YCbCrSubsampleRatio420:
		sx, sy = 2, 2
	default:
		return nil
	}
	d := image.NewYCbCr(image.Rect(0, 0, dw, dh), image.YCbCrSubsampleRatio420)
	scaleX, scaleY := float64(sw)/float64(dw), float64(sh)/float64(dh)
	resizePlane(d.Y, d.YStride, dw, dh, m.Y, m.YStride, sw, sh, scaleX, scaleY)
	// A chroma sample is centred on the block of luma pixels it covers, so
	// scaling the centres is scaling the planes by the luma ratio adjusted
	// for the source and destination subsampling.
	csw, csh := (sw+sx-1)/sx, (sh+sy-1)/sy
	cdw, cdh := (dw+1)/2, (dh+1)/2
	cScaleX, cScaleY := scaleX*2/float64(sx), scaleY*2/float64(sy)
	resizePlane(d.Cb, d.CStride, cdw, cdh, m.Cb, m.CStride, csw, csh, cScaleX, cScaleY)
	resizePlane(d.Cr, d.CStride, cdw, cdh, m.Cr, m.CStride, csw, csh, cScaleX, cScaleY)
	return d
}

// weightBits is the fixed-point precision of the filter weights.
const weightBits = 14

// taps are the filter weights of one output sample: source samples
// start, start+1, ... with weights summing to 1<<weightBits.
type taps struct {
	start int
	w     []int32
}

// lanczosTaps computes the weights for resampling n source samples into
// len(out) samples, output sample j being centred on source position
// (j+0.5)*scale-0.5. Taps falling outside the source are dropped and the
// rest renormalised, as imaging does.
func lanczosTaps(dstN, srcN int, scale float64) []taps {
	filterScale := max(scale, 1)
	radius := math.Ceil(filterScale * imaging.Lanczos.Support)
	out := make([]taps, dstN)
	fw := make([]float64, 0, 2*int(radius)+2)
	for j := range out {
		c := (float64(j)+0.5)*scale - 0.5
		lo := max(int(math.Ceil(c-radius)), 0)
		hi := min(int(math.Floor(c+radius)), srcN-1)
		fw = fw[:0]
		var sum float64
		for i := lo; i <= hi; i++ {
			v := imaging.Lanczos.Kernel((float64(i) - c) / filterScale)
			fw = append(fw, v)
			sum += v
		}
		if len(fw) == 0 || sum == 0 { // cannot happen for sane sizes; take the nearest sample
			lo = min(max(int(math.Round(c)), 0), srcN-1)
			out[j] = taps{start: lo, w: []int32{1 << weightBits}}
			continue
		}
		iw := make([]int32, len(fw))
		var total int32
		largest := 0
		for k, v := range fw {
			iw[k] = int32(math.Round(v / sum * (1 << weightBits)))
			total += iw[k]
			if iw[k] > iw[largest] {
				largest = k
			}
		}
		iw[largest] += 1<<weightBits - total // exact unit gain: flat areas stay flat
		// Drop zero weights at the ends.
		for len(iw) > 1 && iw[0] == 0 {
			iw, lo = iw[1:], lo+1
		}
		for len(iw) > 1 && iw[len(iw)-1] == 0 {
			iw = iw[:len(iw)-1]
		}
		out[j] = taps{start: lo, w: iw}
	}
	return out
}

// resizePlane resamples the sw×sh 8-bit plane src into the dw×dh plane dst,
// horizontally first (into a dw×sh buffer), then vertically.
func resizePlane(dst []byte, dStride, dw, dh int, src []byte, sStride, sw, sh int, scaleX, scaleY float64) {
	hTaps := lanczosTaps(dw, sw, scaleX)
	vTaps := lanczosTaps(dh, sh, scaleY)
	tmp := make([]byte, dw*sh)
	parallelRows(sh, func(y int, _ []int32) {
		row := src[y*sStride : y*sStride+sw]
		out := tmp[y*dw : y*dw+dw]
		for x, t := range hTaps {
			s := row[t.start : t.start+len(t.w)]
			var acc int32
			for k, w := range t.w {
				acc += int32(s[k]) * w
			}
			out[x] = clamp8(acc)
		}
	}, 0)
	parallelRows(dh, func(y int, acc []int32) {
		t := vTaps[y]
		clear(acc)
		for k, w := range t.w {
			in := tmp[(t.start+k)*dw : (t.start+k)*dw+dw]
			for x, v := range in {
				acc[x] += int32(v) * w
			}
		}
		out := dst[y*dStride : y*dStride+dw]
		for x, v := range acc {
			out[x] = clamp8(v)
		}
	}, dw)
}

func clamp8(acc int32) byte {
	v := (acc + 1<<(weightBits-1)) >> weightBits
	switch {
	case v < 0:
		return 0
	case v > 255:
		return 255
	}
	return byte(v)
}

// parallelRows calls fn for rows 0..n-1 on GOMAXPROCS goroutines, handing
// each goroutine its own scratch buffer of scratch int32s.
func parallelRows(n int, fn func(y int, scratch []int32), scratch int) {
	workers := min(runtime.GOMAXPROCS(0), max(n/16, 1))
	const chunk = 16
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			buf := make([]int32, scratch)
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= n {
					return
				}
				for y := lo; y < min(lo+chunk, n); y++ {
					fn(y, buf)
				}
			}
		})
	}
	wg.Wait()
}
