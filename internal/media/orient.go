package media

import (
	"image"

	"github.com/disintegration/imaging"
)

// orient returns img transformed so that it displays upright for the given
// EXIF orientation (1–8). The image keeps its type (a JPEG's *image.YCbCr
// stays YCbCr, so no RGBA copy is made): each plane is remapped on its own,
// chroma planes at their subsampled size. Orientations 5–8 swap width and
// height, and with them the 4:2:2 and 4:4:0 chroma layouts.
func orient(img image.Image, o int) image.Image {
	if o <= orientNormal || o > orientRotate270 {
		return img
	}
	b := img.Bounds()
	if b.Min != (image.Point{}) {
		return orientGeneric(img, o)
	}
	w, h := b.Dx(), b.Dy()
	dw, dh := orientedSize(w, h, o)
	r := image.Rect(0, 0, dw, dh)
	switch m := img.(type) {
	case *image.YCbCr:
		if d := orientYCbCr(m, o); d != nil {
			return d
		}
	case *image.NYCbCrA:
		if d := orientYCbCr(&m.YCbCr, o); d != nil {
			a := make([]byte, dw*dh)
			transformPlane(a, dw, m.A, m.AStride, w, h, 1, o)
			return &image.NYCbCrA{YCbCr: *d, A: a, AStride: dw}
		}
	case *image.NRGBA:
		d := image.NewNRGBA(r)
		transformPlane(d.Pix, d.Stride, m.Pix, m.Stride, w, h, 4, o)
		return d
	case *image.RGBA:
		d := image.NewRGBA(r)
		transformPlane(d.Pix, d.Stride, m.Pix, m.Stride, w, h, 4, o)
		return d
	case *image.Gray:
		d := image.NewGray(r)
		transformPlane(d.Pix, d.Stride, m.Pix, m.Stride, w, h, 1, o)
		return d
	case *image.CMYK:
		d := image.NewCMYK(r)
		transformPlane(d.Pix, d.Stride, m.Pix, m.Stride, w, h, 4, o)
		return d
	}
	return orientGeneric(img, o)
}

// orientGeneric handles the image types orient has no plane layout for.
func orientGeneric(img image.Image, o int) image.Image {
	m := imaging.Clone(img)
	w, h := m.Rect.Dx(), m.Rect.Dy()
	dw, dh := orientedSize(w, h, o)
	d := image.NewNRGBA(image.Rect(0, 0, dw, dh))
	transformPlane(d.Pix, d.Stride, m.Pix, m.Stride, w, h, 4, o)
	return d
}

func orientedSize(w, h, o int) (int, int) {
	if o >= orientTranspose {
		return h, w
	}
	return w, h
}

// orientYCbCr remaps the three planes of m, or returns nil for chroma
// subsampling ratios it does not handle (4:1:1, 4:1:0).
func orientYCbCr(m *image.YCbCr, o int) *image.YCbCr {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	var cw, ch int
	ratio := m.SubsampleRatio
	switch ratio {
	case image.YCbCrSubsampleRatio444:
		cw, ch = w, h
	case image.YCbCrSubsampleRatio420:
		cw, ch = (w+1)/2, (h+1)/2
	case image.YCbCrSubsampleRatio422:
		cw, ch = (w+1)/2, h
		if o >= orientTranspose {
			ratio = image.YCbCrSubsampleRatio440
		}
	case image.YCbCrSubsampleRatio440:
		cw, ch = w, (h+1)/2
		if o >= orientTranspose {
			ratio = image.YCbCrSubsampleRatio422
		}
	default:
		return nil
	}
	dw, dh := orientedSize(w, h, o)
	d := image.NewYCbCr(image.Rect(0, 0, dw, dh), ratio)
	transformPlane(d.Y, d.YStride, m.Y, m.YStride, w, h, 1, o)
	transformPlane(d.Cb, d.CStride, m.Cb, m.CStride, cw, ch, 1, o)
	transformPlane(d.Cr, d.CStride, m.Cr, m.CStride, cw, ch, 1, o)
	return d
}

// transformPlane writes into dst (row stride ds) the sw×sh plane src (row
// stride ss, bpp bytes per pixel) remapped for EXIF orientation o. Pixel
// (x, y) of the output is read from source pixel (sx, sy), an affine function
// of (x, y); the walk goes in tiles so that the column-wise reads of the
// rotations stay in cache.
func transformPlane(dst []byte, ds int, src []byte, ss, sw, sh, bpp, o int) {
	// sx = ax*x + bx*y + cx, sy = ay*x + by*y + cy
	var ax, bx, cx, ay, by, cy int
	switch o {
	case orientFlipH:
		ax, cx, by = -1, sw-1, 1
	case orientRotate180:
		ax, cx, by, cy = -1, sw-1, -1, sh-1
	case orientFlipV:
		ax, by, cy = 1, -1, sh-1
	case orientTranspose:
		bx, ay = 1, 1
	case orientRotate90:
		bx, ay, cy = 1, -1, sh-1
	case orientTransverse:
		bx, cx, ay, cy = -1, sw-1, -1, sh-1
	case orientRotate270:
		bx, cx, ay = -1, sw-1, 1
	default:
		ax, by = 1, 1
	}
	stepX := ax*bpp + ay*ss // source offset per output pixel to the right
	stepY := bx*bpp + by*ss // source offset per output row down
	base := cx*bpp + cy*ss
	dw, dh := orientedSize(sw, sh, o)
	const tile = 64
	for ty := 0; ty < dh; ty += tile {
		yEnd := min(ty+tile, dh)
		for tx := 0; tx < dw; tx += tile {
			xEnd := min(tx+tile, dw)
			for y := ty; y < yEnd; y++ {
				s := base + y*stepY + tx*stepX
				d := y*ds + tx*bpp
				switch bpp {
				case 1:
					for range xEnd - tx {
						dst[d] = src[s]
						d++
						s += stepX
					}
				case 4:
					for range xEnd - tx {
						copy(dst[d:d+4:d+4], src[s:s+4:s+4])
						d += 4
						s += stepX
					}
				default:
					for range xEnd - tx {
						copy(dst[d:d+bpp], src[s:s+bpp])
						d += bpp
						s += stepX
					}
				}
			}
		}
	}
}
