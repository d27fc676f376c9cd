package demo

import (
	"image"
	"math"
)

// col is an RGB colour with components 0..255.
type col struct{ r, g, b int32 }

func (c col) scale(f float32) col {
	return col{clamp8(int32(float32(c.r) * f)), clamp8(int32(float32(c.g) * f)), clamp8(int32(float32(c.b) * f))}
}

func mix(a, b col, t float32) col {
	return col{a.r + int32(float32(b.r-a.r)*t), a.g + int32(float32(b.g-a.g)*t), a.b + int32(float32(b.b-a.b)*t)}
}

func clamp8(v int32) int32 {
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return v
}

// hsv converts hue (0..360), saturation and value (0..1) to a colour.
func hsv(h, s, v float64) col {
	h = math.Mod(h, 360)
	if h < 0 {
		h += 360
	}
	c := v * s
	hp := h / 60
	x := c * (1 - math.Abs(math.Mod(hp, 2)-1))
	var r, g, b float64
	switch int(hp) {
	case 0:
		r, g, b = c, x, 0
	case 1:
		r, g, b = x, c, 0
	case 2:
		r, g, b = 0, c, x
	case 3:
		r, g, b = 0, x, c
	case 4:
		r, g, b = x, 0, c
	default:
		r, g, b = c, 0, x
	}
	m := v - c
	return col{int32((r + m) * 255), int32((g + m) * 255), int32((b + m) * 255)}
}

// rng is a small deterministic generator (splitmix64).
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
func (r *rng) f() float64                { return float64(r.next()>>11) / (1 << 53) }
func (r *rng) rf(lo, hi float64) float64 { return lo + (hi-lo)*r.f() }
func (r *rng) n(k int) int               { return int(r.next() % uint64(k)) }

// canvas draws on an RGBA image.
type canvas struct {
	img  *image.RGBA
	w, h int
	s    float64 // the smaller side, for scaling
	r    rng
}

func (c *canvas) set(x, y int, k col) {
	i := y*c.img.Stride + x*4
	p := c.img.Pix[i : i+4 : i+4]
	p[0], p[1], p[2], p[3] = uint8(k.r), uint8(k.g), uint8(k.b), 255
}

func (c *canvas) get(x, y int) col {
	i := y*c.img.Stride + x*4
	p := c.img.Pix[i : i+3 : i+3]
	return col{int32(p[0]), int32(p[1]), int32(p[2])}
}

// paint gives the colour at a pixel; u in -1..1 is the horizontal position
// across the shape being filled (for shading), v the vertical 0..1.
type paint func(x, y int, u, v float32) col

func solid(k col) paint { return func(int, int, float32, float32) col { return k } }

// shaded lights a paint as a rounded surface lit from the upper left.
func shaded(p paint) paint {
	return func(x, y int, u, v float32) col {
		d := u + 0.35
		f := 1.18 - 0.42*d*d
		return p(x, y, u, v).scale(f)
	}
}

// span fills row y from x0 to x1.
func (c *canvas) span(y int, x0, x1 float64, y0, y1 float64, p paint) {
	if y < 0 || y >= c.h {
		return
	}
	a, b := int(math.Max(0, x0)), int(math.Min(float64(c.w-1), x1))
	hw := float32((x1 - x0) / 2)
	if hw <= 0 {
		return
	}
	mid := float32((x0 + x1) / 2)
	v := float32((float64(y) - y0) / math.Max(1, y1-y0))
	for x := a; x <= b; x++ {
		c.set(x, y, p(x, y, (float32(x)-mid)/hw, v))
	}
}

func (c *canvas) rect(x0, y0, x1, y1 float64, p paint) {
	for y := int(math.Max(0, y0)); y < int(math.Min(float64(c.h), y1)); y++ {
		c.span(y, x0, x1, y0, y1, p)
	}
}

// roundRect fills a rectangle with corners of radius rad.
func (c *canvas) roundRect(x0, y0, x1, y1, rad float64, p paint) {
	for y := int(math.Max(0, y0)); y < int(math.Min(float64(c.h), y1)); y++ {
		fy := float64(y) + 0.5
		in := 0.0
		if fy < y0+rad {
			d := y0 + rad - fy
			in = rad - math.Sqrt(math.Max(0, rad*rad-d*d))
		} else if fy > y1-rad {
			d := fy - (y1 - rad)
			in = rad - math.Sqrt(math.Max(0, rad*rad-d*d))
		}
		c.span(y, x0+in, x1-in, y0, y1, p)
	}
}

func (c *canvas) ellipse(cx, cy, rx, ry float64, p paint) {
	for y := int(math.Max(0, cy-ry)); y <= int(math.Min(float64(c.h-1), cy+ry)); y++ {
		d := (float64(y) + 0.5 - cy) / ry
		if d*d > 1 {
			continue
		}
		hw := rx * math.Sqrt(1-d*d)
		c.span(y, cx-hw, cx+hw, cy-ry, cy+ry, p)
	}
}

// rotEllipse fills an ellipse turned by angle a.
func (c *canvas) rotEllipse(cx, cy, rx, ry, a float64, p paint) {
	ca, sa := math.Cos(a), math.Sin(a)
	R := math.Max(rx, ry)
	irx, iry := 1/(rx*rx), 1/(ry*ry)
	for y := int(math.Max(0, cy-R)); y <= int(math.Min(float64(c.h-1), cy+R)); y++ {
		dy := float64(y) - cy
		for x := int(math.Max(0, cx-R)); x <= int(math.Min(float64(c.w-1), cx+R)); x++ {
			dx := float64(x) - cx
			u := dx*ca + dy*sa
			v := -dx*sa + dy*ca
			if u*u*irx+v*v*iry <= 1 {
				c.set(x, y, p(x, y, float32(v/ry), float32(u/rx)))
			}
		}
	}
}

// poly fills a convex polygon.
func (c *canvas) poly(pts [][2]float64, p paint) {
	minY, maxY := pts[0][1], pts[0][1]
	for _, q := range pts {
		minY, maxY = math.Min(minY, q[1]), math.Max(maxY, q[1])
	}
	for y := int(math.Max(0, minY)); y <= int(math.Min(float64(c.h-1), maxY)); y++ {
		fy := float64(y) + 0.5
		x0, x1 := math.Inf(1), math.Inf(-1)
		for i := range pts {
			a, b := pts[i], pts[(i+1)%len(pts)]
			if (a[1] <= fy && b[1] > fy) || (b[1] <= fy && a[1] > fy) {
				x := a[0] + (fy-a[1])/(b[1]-a[1])*(b[0]-a[0])
				x0, x1 = math.Min(x0, x), math.Max(x1, x)
			}
		}
		if x0 < x1 {
			c.span(y, x0, x1, minY, maxY, p)
		}
	}
}

// line draws a thick line as a run of discs.
func (c *canvas) line(x0, y0, x1, y1, th float64, k col) {
	n := int(math.Hypot(x1-x0, y1-y0)/math.Max(1, th/2)) + 1
	for i := 0; i <= n; i++ {
		t := float64(i) / float64(n)
		c.ellipse(x0+(x1-x0)*t, y0+(y1-y0)*t, th/2, th/2, solid(k))
	}
}

// darken multiplies the pixels of an ellipse: a soft shadow.
func (c *canvas) shadow(cx, cy, rx, ry float64) {
	for y := int(math.Max(0, cy-ry)); y <= int(math.Min(float64(c.h-1), cy+ry)); y++ {
		d := (float64(y) - cy) / ry
		if d*d > 1 {
			continue
		}
		hw := rx * math.Sqrt(1-d*d)
		for x := int(math.Max(0, cx-hw)); x <= int(math.Min(float64(c.w-1), cx+hw)); x++ {
			e := (float64(x) - cx) / rx
			f := float32(0.6 + 0.4*(d*d+e*e))
			c.set(x, y, c.get(x, y).scale(f))
		}
	}
}

// background fills the picture with a vertical gradient over a table top.
func (c *canvas) background(top, bottom col, table col) {
	horizon := int(float64(c.h) * 0.68)
	for y := 0; y < c.h; y++ {
		var k col
		if y < horizon {
			k = mix(top, bottom, float32(y)/float32(horizon))
		} else {
			k = mix(table, table.scale(0.75), float32(y-horizon)/float32(c.h-horizon))
		}
		row := c.img.Pix[y*c.img.Stride : y*c.img.Stride+c.w*4]
		for x := 0; x < c.w; x++ {
			row[x*4], row[x*4+1], row[x*4+2], row[x*4+3] = uint8(k.r), uint8(k.g), uint8(k.b), 255
		}
	}
}

// grain adds a little cheap noise to the whole picture.
func (c *canvas) grain(seed uint64) {
	s := uint32(seed) | 1
	for y := 0; y < c.h; y++ {
		row := c.img.Pix[y*c.img.Stride : y*c.img.Stride+c.w*4]
		for i := 0; i < len(row); i += 4 {
			s ^= s << 13
			s ^= s >> 17
			s ^= s << 5
			d := int32(s&7) - 3
			row[i] = uint8(clamp8(int32(row[i]) + d))
			row[i+1] = uint8(clamp8(int32(row[i+1]) + d))
			row[i+2] = uint8(clamp8(int32(row[i+2]) + d))
		}
	}
}

// palette is the colours of a picture.
type palette struct {
	main, accent, third, bgTop, bgBot, table col
	hue                                      float64
}

func newPalette(r *rng) palette {
	h := r.rf(0, 360)
	return palette{
		hue:    h,
		main:   hsv(h, r.rf(0.55, 0.85), r.rf(0.55, 0.85)),
		accent: hsv(h+r.rf(120, 240), r.rf(0.5, 0.9), r.rf(0.7, 0.95)),
		third:  hsv(h+r.rf(40, 80), r.rf(0.3, 0.7), r.rf(0.8, 1)),
		bgTop:  hsv(h+180, r.rf(0.05, 0.18), r.rf(0.9, 0.98)),
		bgBot:  hsv(h+180, r.rf(0.08, 0.22), r.rf(0.78, 0.9)),
		table:  hsv(r.rf(20, 40), r.rf(0.35, 0.55), r.rf(0.5, 0.7)),
	}
}

// Art draws a w×h picture for a product of the given art style; seed varies
// the colours and layout. Unknown styles get a generic product picture.
func Art(style string, seed int64, w, h int) *image.RGBA {
	w, h = max(w, 1), max(h, 1)
	c := &canvas{img: image.NewRGBA(image.Rect(0, 0, w, h)), w: w, h: h, s: float64(min(w, h))}
	var hs uint64 = 1469598103934665603
	for i := 0; i < len(style); i++ {
		hs = (hs ^ uint64(style[i])) * 1099511628211
	}
	c.r = rng{s: uint64(seed)*0x9e3779b97f4a7c15 ^ hs}
	pal := newPalette(&c.r)
	draw := drawer(style)
	if draw == nil {
		draw = (*canvas).generic
	}
	draw(c, pal)
	c.grain(uint64(seed) ^ hs)
	return c.img
}

// drawer returns what draws a style's subject, nil for a style Art does not
// know; the data's check uses it to refuse a misspelt style.
func drawer(style string) func(*canvas, palette) {
	switch style {
	case "weave", "stripes", "indigo", "batik":
		return func(c *canvas, pal palette) { c.textile(style, pal) }
	case "rice", "coffee":
		return func(c *canvas, pal palette) { c.grains(style == "coffee", pal) }
	case "jar", "bottle", "ceramic", "niello":
		return func(c *canvas, pal palette) { c.vessel(style, pal) }
	case "jewellery":
		return (*canvas).jewellery
	case "basket":
		return (*canvas).basket
	case "pack", "soap":
		return func(c *canvas, pal palette) { c.pack(style == "soap", pal) }
	case "leaf":
		return (*canvas).leaves
	case "fish":
		return (*canvas).fish
	case "umbrella":
		return (*canvas).umbrella
	case "wood":
		return (*canvas).wood
	case "pillow":
		return (*canvas).pillow
	case "instrument":
		return (*canvas).instrument
	}
	return nil
}

func tri(x float32) float32 { // triangle wave 0..1..0 with period 1
	x -= float32(int(x))
	if x < 0 {
		x++
	}
	if x < 0.5 {
		return 2 * x
	}
	return 2 - 2*x
}

func absf(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}

// textile fills the frame with draped cloth.
func (c *canvas) textile(style string, pal palette) {
	P := float32(c.s) / float32(6+c.r.n(6))
	fold := float32(c.w) / float32(3+c.r.n(3))
	jit := make([]float32, c.h)
	for y := range jit {
		jit[y] = float32(c.r.f()) * P * 0.12
	}
	ground, motif, acc := pal.main, pal.accent, pal.third
	if style == "indigo" {
		ground = hsv(225+c.r.rf(-8, 8), c.r.rf(0.6, 0.8), c.r.rf(0.25, 0.45))
		motif = hsv(215, 0.2, 0.9)
		acc = hsv(220, 0.45, 0.65)
	}
	var p paint
	switch style {
	case "weave": // ikat diamonds with blurred, jittered edges
		p = func(x, y int, _, _ float32) col {
			fx, fy := float32(x)+jit[y], float32(y)
			dx := absf(tri(fx/P)-0.5) + absf(tri(fy/(P*1.4))-0.5)
			band := tri(fy / (P * 4))
			switch {
			case dx < 0.18:
				return acc
			case dx < 0.3:
				return motif
			case band > 0.92:
				return acc.scale(0.8)
			}
			return ground
		}
	case "stripes": // plaid
		n := int32(3 + c.r.n(3))
		cols := []col{ground, motif, acc, ground.scale(0.7), motif.scale(0.8), acc.scale(0.6)}
		p = func(x, y int, _, _ float32) col {
			a := cols[(int32(float32(x)/P))%n]
			b := cols[(int32(float32(y)/P)+1)%n]
			if (x+y)&2 == 0 {
				return mix(a, b, 0.35)
			}
			return mix(a, b, 0.65)
		}
	case "indigo": // shibori rings
		q := P * 2.2
		p = func(x, y int, _, _ float32) col {
			fx := float32(x)/q - float32(int(float32(x)/q)) - 0.5
			fy := float32(y)/q - float32(int(float32(y)/q)) - 0.5
			d := fx*fx + fy*fy + jit[y]/(P*40)
			switch {
			case d < 0.012:
				return motif
			case d > 0.03 && d < 0.045:
				return acc
			case d > 0.09 && d < 0.1:
				return acc.scale(0.85)
			}
			return ground
		}
	default: // batik: waxy ground with crackle veins
		p = func(x, y int, _, _ float32) col {
			t := tri(float32(x+y)/(P*3)) * tri(float32(x-y)/(P*2.3))
			k := mix(ground, ground.scale(1.25), t)
			if absf(tri(float32(x)/(P*1.7)+jit[y]/P)-tri(float32(y)/(P*2.1))) < 0.015 {
				return ground.scale(0.55)
			}
			return k
		}
	}
	c.rect(0, 0, float64(c.w), float64(c.h), func(x, y int, u, v float32) col {
		f := 0.82 + 0.26*tri(float32(x)/fold)
		return p(x, y, u, v).scale(f)
	})
	if style == "batik" {
		for i := 0; i < 5+c.r.n(4); i++ {
			c.flower(c.r.rf(0.1, 0.9)*float64(c.w), c.r.rf(0.1, 0.9)*float64(c.h), c.s*c.r.rf(0.06, 0.12), pal.accent, pal.third)
		}
	}
}

// flower draws a five- or six-petalled flower.
func (c *canvas) flower(cx, cy, r float64, petal, centre col) {
	n := 5 + c.r.n(2)
	a0 := c.r.rf(0, math.Pi)
	for i := 0; i < n; i++ {
		a := a0 + float64(i)*2*math.Pi/float64(n)
		c.rotEllipse(cx+math.Cos(a)*r*0.55, cy+math.Sin(a)*r*0.55, r*0.55, r*0.28, a, shaded(solid(petal)))
	}
	c.ellipse(cx, cy, r*0.25, r*0.25, shaded(solid(centre)))
}

// grains draws a bowl heaped with rice or coffee beans beside a sack.
func (c *canvas) grains(coffee bool, pal palette) {
	c.background(pal.bgTop, pal.bgBot, pal.table)
	W, H := float64(c.w), float64(c.h)
	// sack
	sack := hsv(35, 0.35, 0.75)
	c.roundRect(W*0.56, H*0.2, W*0.9, H*0.8, c.s*0.06, shaded(func(x, y int, u, v float32) col {
		if (x/3+y/3)%2 == 0 {
			return sack.scale(0.92)
		}
		return sack
	}))
	c.rect(W*0.6, H*0.42, W*0.86, H*0.56, solid(pal.main))
	c.rect(W*0.6, H*0.47, W*0.86, H*0.5, solid(pal.accent))
	// bowl
	cx, cy, rx := W*0.36, H*0.62, c.s*0.34
	c.shadow(cx, cy+rx*0.55, rx*1.1, rx*0.2)
	bowl := pal.main.scale(0.8)
	c.poly([][2]float64{{cx - rx, cy}, {cx + rx, cy}, {cx + rx*0.55, cy + rx*0.55}, {cx - rx*0.55, cy + rx*0.55}}, shaded(solid(bowl)))
	grain := hsv(45, 0.12, 0.97)
	if !coffee && c.r.n(3) == 0 {
		grain = hsv(300, 0.45, 0.35) // riceberry
	}
	if coffee {
		grain = hsv(25, 0.7, c.r.rf(0.25, 0.45))
	}
	c.ellipse(cx, cy, rx, rx*0.3, solid(grain.scale(0.7)))
	gr := c.s * 0.012
	if coffee {
		gr = c.s * 0.022
	}
	n := int(rx * rx * 0.9 / (gr * gr * 4))
	for i := 0; i < n; i++ {
		// a point in the heap: the top ellipse raised into a mound
		u, v := c.r.rf(-1, 1), c.r.rf(-1, 1)
		if u*u+v*v > 1 {
			continue
		}
		x := cx + u*rx*0.95
		y := cy + v*rx*0.28 - (1-u*u-v*v)*rx*0.25
		a := c.r.rf(0, math.Pi)
		k := grain.scale(float32(c.r.rf(0.85, 1.1)))
		c.rotEllipse(x, y, gr*1.6, gr, a, shaded(solid(k)))
		if coffee {
			c.rotEllipse(x, y, gr*1.3, gr*0.15, a, solid(k.scale(0.5)))
		}
	}
}

// vessel draws a jar, bottle, vase or niello bowl.
func (c *canvas) vessel(style string, pal palette) {
	c.background(pal.bgTop, pal.bgBot, pal.table)
	W, H := float64(c.w), float64(c.h)
	cx := W * c.r.rf(0.42, 0.58)
	bottom := H * 0.85
	var top, R float64
	var prof func(t float64) float64 // half width at t (0 top, 1 bottom), in units of R
	body := pal.main
	switch style {
	case "jar":
		top, R = H*0.3, c.s*0.26
		prof = func(t float64) float64 { return 0.85 + 0.15*4*t*(1-t) }
	case "bottle":
		top, R = H*0.12, c.s*0.17
		prof = func(t float64) float64 {
			switch {
			case t < 0.22:
				return 0.32
			case t < 0.36:
				return 0.32 + 0.68*(t-0.22)/0.14
			}
			return 1
		}
		body = hsv(30+c.r.rf(-10, 20), 0.8, c.r.rf(0.45, 0.7)) // amber liquid
	case "niello":
		top, R = H*0.45, c.s*0.36
		prof = func(t float64) float64 { return 1 - 0.45*t*t }
		body = col{40, 38, 42}
	default: // ceramic vase
		top, R = H*0.15, c.s*0.24
		neck := c.r.rf(0.35, 0.5)
		prof = func(t float64) float64 {
			b := 4 * t * (1 - t)
			if t < 0.2 {
				return neck + (1-neck)*0.15*(0.2-t)*5
			}
			return neck + (1-neck)*b*b*1.25 - 0.05
		}
		if c.r.n(2) == 0 {
			body = hsv(150+c.r.rf(-15, 15), c.r.rf(0.2, 0.4), c.r.rf(0.6, 0.8)) // celadon
		} else if c.r.n(2) == 0 {
			body = hsv(18, 0.65, c.r.rf(0.45, 0.65)) // terracotta
		}
	}
	c.shadow(cx+R*0.2, bottom, R*1.3, R*0.22)
	bands := 2 + c.r.n(3)
	bandAt := make([]float32, bands)
	for i := range bandAt {
		bandAt[i] = float32(c.r.rf(0.2, 0.9))
	}
	metal := pal.third
	if style == "niello" {
		metal = col{225, 190, 110}
		if c.r.n(2) == 0 {
			metal = col{215, 215, 220}
		}
	}
	p := shaded(func(x, y int, u, v float32) col {
		if style == "niello" {
			if tri(u*6+v*3) < 0.12 || tri(u*6-v*3) < 0.12 || v < 0.06 {
				return metal
			}
			return body
		}
		for _, b := range bandAt {
			if absf(v-b) < 0.012 {
				return pal.accent
			}
		}
		if style == "ceramic" && (x/7+y/7)%11 == 0 && absf(v-bandAt[0]) < 0.08 {
			return pal.third
		}
		return body
	})
	for y := int(top); y < int(bottom); y++ {
		t := (float64(y) - top) / (bottom - top)
		hw := R * prof(t)
		c.span(y, cx-hw, cx+hw, top, bottom, p)
	}
	switch style {
	case "jar":
		c.roundRect(cx-R*0.9, top-R*0.3, cx+R*0.9, top+R*0.05, R*0.08, shaded(solid(pal.accent)))
		c.roundRect(cx-R*0.7, top+(bottom-top)*0.3, cx+R*0.7, top+(bottom-top)*0.7, R*0.05, solid(col{245, 240, 225}))
		c.ellipse(cx, top+(bottom-top)*0.5, R*0.22, R*0.22, shaded(solid(pal.main)))
	case "bottle":
		c.roundRect(cx-R*0.36, top-R*0.45, cx+R*0.36, top+R*0.1, R*0.06, shaded(solid(pal.accent)))
		c.roundRect(cx-R*0.85, top+(bottom-top)*0.5, cx+R*0.85, top+(bottom-top)*0.8, R*0.04, solid(col{245, 240, 225}))
		c.rect(cx-R*0.85, top+(bottom-top)*0.56, cx+R*0.85, top+(bottom-top)*0.6, solid(pal.main))
	case "niello":
		c.ellipse(cx, top, R, R*0.18, solid(body.scale(0.6)))
		c.ellipse(cx, top, R*0.92, R*0.14, solid(metal.scale(0.7)))
	default:
		c.ellipse(cx, top, R*prof(0), R*prof(0)*0.25, solid(body.scale(0.4)))
	}
}

func (c *canvas) jewellery(pal palette) {
	velvet := hsv(pal.hue+200, 0.5, 0.22)
	c.background(velvet.scale(1.2), velvet, velvet.scale(0.9))
	W, H := float64(c.w), float64(c.h)
	metal := col{220, 220, 228}
	if c.r.n(3) == 0 {
		metal = col{230, 195, 110}
	}
	n := 22 + c.r.n(10)
	br := c.s * 0.028
	for i := 0; i < n; i++ {
		t := float64(i)/float64(n-1)*2 - 1
		x := W/2 + t*W*0.35
		y := H*0.25 + (1-t*t)*H*0.45
		c.ellipse(x+br*0.3, y+br*0.4, br, br, solid(velvet.scale(0.6)))
		k := metal
		if i%4 == 2 {
			k = pal.accent
		}
		c.ellipse(x, y, br, br, shaded(solid(k)))
		c.ellipse(x-br*0.35, y-br*0.35, br*0.25, br*0.25, solid(col{255, 255, 255}))
	}
	c.ellipse(W/2, H*0.78, br*2.5, br*3.2, shaded(solid(metal)))
	c.ellipse(W/2, H*0.78, br*1.2, br*1.6, shaded(solid(pal.accent)))
}

func (c *canvas) basket(pal palette) {
	c.background(pal.bgTop, pal.bgBot, pal.table)
	W, H := float64(c.w), float64(c.h)
	straw := hsv(40+c.r.rf(-8, 8), c.r.rf(0.35, 0.55), c.r.rf(0.7, 0.85))
	dyed := pal.main
	cx, top, bottom := W*0.5, H*0.38, H*0.85
	R := c.s * 0.38
	c.shadow(cx, bottom, R*1.1, R*0.15)
	// handle
	for i := 0; i <= 60; i++ {
		a := math.Pi * float64(i) / 60
		c.ellipse(cx-math.Cos(a)*R*0.75, top-math.Sin(a)*R*0.7, c.s*0.02, c.s*0.02, shaded(solid(straw.scale(0.85))))
	}
	st := float32(c.s / 40)
	weave := shaded(func(x, y int, u, v float32) col {
		a := int(float32(x)/st) + int(float32(y)/st)
		b := int(float32(x)/st) - int(float32(y)/st) + 1000
		k := straw
		if (int(float32(y)/(st*4)))%3 == 1 {
			k = dyed
		}
		if a%2 == 0 {
			return k.scale(0.85 + 0.15*tri(float32(b)/4))
		}
		return k.scale(1.05)
	})
	c.poly([][2]float64{{cx - R, top}, {cx + R, top}, {cx + R*0.75, bottom}, {cx - R*0.75, bottom}}, weave)
	c.ellipse(cx, top, R, R*0.12, solid(straw.scale(0.55)))
	c.rect(cx-R, top-c.s*0.01, cx+R, top+c.s*0.02, shaded(solid(straw.scale(0.75))))
}

func (c *canvas) pack(soap bool, pal palette) {
	c.background(pal.bgTop, pal.bgBot, pal.table)
	W, H := float64(c.w), float64(c.h)
	if soap {
		for i := 0; i < 3; i++ {
			y := H*0.72 - float64(i)*c.s*0.12
			x := W*0.5 + c.r.rf(-0.03, 0.03)*W
			k := pal.main
			if i == 1 {
				k = pal.third
			}
			c.shadow(x, y+c.s*0.1, c.s*0.26, c.s*0.05)
			c.roundRect(x-c.s*0.24, y-c.s*0.06, x+c.s*0.24, y+c.s*0.08, c.s*0.04, shaded(solid(k)))
		}
		c.leaf(W*0.5, H*0.36, c.s*0.14, c.r.rf(-0.5, 0.5), hsv(110, 0.6, 0.55))
		return
	}
	x0, x1, y0, y1 := W*0.5-c.s*0.26, W*0.5+c.s*0.26, H*0.1, H*0.86
	c.shadow(W*0.5, y1, c.s*0.32, c.s*0.05)
	c.roundRect(x0, y0, x1, y1, c.s*0.05, shaded(solid(pal.main)))
	c.rect(x0, y0+c.s*0.05, x1, y0+c.s*0.07, solid(pal.main.scale(0.7)))
	// window showing the contents
	wx, wy, wr := W*0.5, H*0.55, c.s*0.15
	food := hsv(35+c.r.rf(-15, 15), 0.6, 0.75)
	c.ellipse(wx, wy, wr, wr*1.1, solid(food))
	for i := 0; i < 40; i++ {
		u, v := c.r.rf(-1, 1), c.r.rf(-1, 1)
		if u*u+v*v > 0.8 {
			continue
		}
		c.rotEllipse(wx+u*wr, wy+v*wr*1.1, wr*0.22, wr*0.13, c.r.rf(0, 3), shaded(solid(food.scale(float32(c.r.rf(0.8, 1.15))))))
	}
	c.roundRect(x0+c.s*0.04, y0+c.s*0.12, x1-c.s*0.04, y0+c.s*0.26, c.s*0.02, solid(col{250, 246, 235}))
	c.rect(x0+c.s*0.08, y0+c.s*0.17, x1-c.s*0.08, y0+c.s*0.2, solid(pal.accent))
}

func (c *canvas) leaf(cx, cy, r, a float64, k col) {
	c.rotEllipse(cx, cy, r, r*0.38, a, shaded(func(x, y int, u, v float32) col {
		if absf(u) < 0.05 {
			return k.scale(1.3)
		}
		return k
	}))
}

func (c *canvas) leaves(pal palette) {
	c.background(pal.bgTop, pal.bgBot, pal.table)
	W, H := float64(c.w), float64(c.h)
	c.shadow(W*0.5, H*0.78, c.s*0.42, c.s*0.1)
	c.ellipse(W*0.5, H*0.72, c.s*0.4, c.s*0.12, shaded(solid(pal.table.scale(1.3))))
	for i := 0; i < 14+c.r.n(8); i++ {
		g := hsv(90+c.r.rf(0, 50), c.r.rf(0.45, 0.75), c.r.rf(0.35, 0.7))
		c.leaf(W*0.5+c.r.rf(-0.32, 0.32)*c.s, H*0.62+c.r.rf(-0.18, 0.08)*c.s, c.s*c.r.rf(0.08, 0.14), c.r.rf(0, math.Pi), g)
	}
	for i := 0; i < 3+c.r.n(3); i++ {
		c.ellipse(W*0.5+c.r.rf(-0.25, 0.25)*c.s, H*0.6+c.r.rf(-0.12, 0.05)*c.s, c.s*0.035, c.s*0.035, shaded(solid(pal.accent)))
	}
}

func (c *canvas) fish(pal palette) {
	c.background(pal.bgTop, pal.bgBot, pal.table)
	W, H := float64(c.w), float64(c.h)
	tray := hsv(40, 0.45, 0.7)
	c.ellipse(W*0.5, H*0.6, c.s*0.48, c.s*0.3, shaded(func(x, y int, u, v float32) col {
		if (x/6+y/6)%2 == 0 {
			return tray.scale(0.85)
		}
		return tray
	}))
	skin := hsv(35+c.r.rf(-10, 10), 0.35, 0.75)
	for i := 0; i < 3; i++ {
		cx, cy := W*0.5+float64(i-1)*c.s*0.09, H*0.48+float64(i)*c.s*0.1
		L := c.s * 0.26
		a := c.r.rf(-0.12, 0.12)
		tx := cx + math.Cos(a)*L
		ty := cy + math.Sin(a)*L
		c.poly([][2]float64{{tx - L*0.1, ty}, {tx + L*0.3, ty - L*0.25}, {tx + L*0.3, ty + L*0.25}}, shaded(solid(skin.scale(0.8))))
		c.rotEllipse(cx, cy, L, L*0.3, a, shaded(func(x, y int, u, v float32) col {
			if u < -0.2 {
				return skin.scale(0.7)
			}
			return skin
		}))
		ex, ey := cx-math.Cos(a)*L*0.72, cy-math.Sin(a)*L*0.72-L*0.06
		c.ellipse(ex, ey, L*0.05, L*0.05, solid(col{30, 30, 30}))
	}
}

func (c *canvas) umbrella(pal palette) {
	c.background(pal.bgTop, pal.bgBot, pal.table)
	W, H := float64(c.w), float64(c.h)
	cx, cy := W*0.5, H*0.55
	R := c.s * 0.44
	c.line(cx, cy-R*0.05, cx+R*0.05, H*0.95, c.s*0.018, hsv(30, 0.5, 0.45))
	panels := float32(10 + 2*c.r.n(4))
	canopy := pal.main
	p := shaded(func(x, y int, u, v float32) col {
		k := canopy.scale(0.9 + 0.18*tri(u*panels/2))
		if tri(u*panels/2) < 0.04 {
			return canopy.scale(0.6)
		}
		return k
	})
	for y := int(cy - R*0.62); y <= int(cy); y++ {
		d := (cy - float64(y)) / (R * 0.62)
		c.span(y, cx-R*math.Sqrt(1-d*d), cx+R*math.Sqrt(1-d*d), cy-R*0.62, cy, p)
	}
	n := int(panels)
	for i := 0; i < n; i++ {
		x := cx - R + (float64(i)+0.5)*2*R/float64(n)
		c.ellipse(x, cy, R/float64(n), R*0.05, solid(canopy.scale(0.8)))
	}
	for i := 0; i < 3+c.r.n(3); i++ {
		u, v := c.r.rf(-0.6, 0.6), c.r.rf(0.35, 0.8)
		c.flower(cx+u*R, cy-R*0.62*(1-v)-R*0.05, R*c.r.rf(0.07, 0.12), pal.accent, pal.third)
	}
	c.ellipse(cx, cy-R*0.62, R*0.04, R*0.04, solid(hsv(30, 0.5, 0.4)))
}

func (c *canvas) wood(pal palette) {
	c.background(pal.bgTop, pal.bgBot, pal.table)
	W, H := float64(c.w), float64(c.h)
	woodc := hsv(25+c.r.rf(-5, 10), c.r.rf(0.5, 0.7), c.r.rf(0.4, 0.65))
	per := float32(c.s / 45)
	wob := make([]float32, c.w)
	ph := float32(c.r.rf(0, 10))
	for x := range wob {
		wob[x] = tri(float32(x)/(per*9)+ph) * per * 2
	}
	p := shaded(func(x, y int, u, v float32) col {
		g := tri((float32(y) + wob[x]) / per)
		return woodc.scale(0.78 + 0.3*g*g)
	})
	cx, cy := W*0.48, H*0.52
	S := c.s * 0.3
	c.shadow(cx, H*0.86, S*1.4, S*0.18)
	for _, lx := range []float64{-0.7, -0.3, 0.35, 0.7} {
		c.roundRect(cx+lx*S-S*0.14, cy+S*0.1, cx+lx*S+S*0.14, H*0.86, S*0.05, p)
	}
	c.ellipse(cx, cy, S*1.05, S*0.62, p)                                                     // body
	c.ellipse(cx-S*1.05, cy-S*0.28, S*0.45, S*0.45, p)                                       // head
	c.rotEllipse(cx-S*0.8, cy-S*0.25, S*0.35, S*0.45, 0.3, shaded(solid(woodc.scale(0.85)))) // ear
	c.roundRect(cx-S*1.45, cy-S*0.2, cx-S*1.25, cy+S*0.75, S*0.1, p)                         // trunk
	c.poly([][2]float64{{cx - S*1.3, cy}, {cx - S*1.6, cy - S*0.05}, {cx - S*1.3, cy + S*0.08}}, solid(col{240, 235, 220}))
	c.ellipse(cx-S*1.15, cy-S*0.4, S*0.04, S*0.04, solid(col{30, 20, 15}))
}

func (c *canvas) pillow(pal palette) {
	c.background(pal.bgTop, pal.bgBot, pal.table)
	W, H := float64(c.w), float64(c.h)
	P := float32(c.s / 24)
	khit := func(base col) paint {
		return func(x, y int, u, v float32) col {
			d := absf(tri(float32(x)/P)-0.5) + absf(tri(float32(y)/P)-0.5)
			switch {
			case d < 0.15:
				return pal.third
			case d > 0.42 && d < 0.5:
				return pal.accent
			}
			return base
		}
	}
	x0, x1, y0, y1 := W*0.18, W*0.62, H*0.82, H*0.2
	c.shadow(W*0.5, y0, c.s*0.48, c.s*0.06)
	// side face
	c.poly([][2]float64{{x1, y0}, {(x0 + x1) / 2, y1}, {(x0+x1)/2 + c.s*0.32, y1 + c.s*0.05}, {x1 + c.s*0.32, y0 - c.s*0.02}}, khit(pal.main.scale(0.75)))
	// front face, in sections
	c.poly([][2]float64{{x0, y0}, {x1, y0}, {(x0 + x1) / 2, y1}}, shaded(khit(pal.main)))
	for i := 1; i < 4; i++ {
		t := float64(i) / 4
		yy := y0 + (y1-y0)*t
		c.line(x0+(x1-x0)/2*t, yy, x1-(x1-x0)/2*t, yy, c.s*0.008, pal.main.scale(0.5))
	}
}

func (c *canvas) instrument(pal palette) {
	c.background(pal.bgTop, pal.bgBot, pal.table)
	W, H := float64(c.w), float64(c.h)
	bamboo := hsv(45, 0.45, c.r.rf(0.65, 0.8))
	if c.r.n(2) == 0 { // long drum
		cx, cy := W*0.5, H*0.55
		R := c.s * 0.2
		woodc := hsv(20, 0.65, 0.5)
		c.shadow(cx, H*0.85, R*2.2, R*0.3)
		c.poly([][2]float64{{cx - R*2, cy - R}, {cx + R*0.6, cy - R*0.8}, {cx + R*2, cy - R*0.35}, {cx + R*2, cy + R*0.35}, {cx + R*0.6, cy + R*0.8}, {cx - R*2, cy + R}}, shaded(func(x, y int, u, v float32) col {
			if tri(float32(x)/float32(R*0.3)) < 0.1 {
				return pal.accent
			}
			return woodc
		}))
		c.ellipse(cx-R*2, cy, R*0.35, R, shaded(solid(col{235, 225, 200})))
		return
	}
	n := 12 + 2*c.r.n(3)
	for i := 0; i < n; i++ {
		x := W*0.5 + (float64(i)-float64(n-1)/2)*c.s*0.032
		top := H*0.06 + float64((i*7)%5)*c.s*0.03
		c.roundRect(x-c.s*0.013, top, x+c.s*0.013, H*0.94, c.s*0.012, shaded(func(x, y int, u, v float32) col {
			if int(float32(y)/float32(c.s*0.15))%2 == 0 && tri(float32(y)/float32(c.s*0.15)) > 0.97 {
				return bamboo.scale(0.6)
			}
			return bamboo
		}))
	}
	c.ellipse(W*0.5, H*0.62, c.s*0.16, c.s*0.1, shaded(solid(hsv(15, 0.7, 0.4))))
	c.rect(W*0.5-c.s*0.26, H*0.6, W*0.5+c.s*0.26, H*0.605, solid(pal.accent))
}

func (c *canvas) generic(pal palette) {
	c.background(pal.bgTop, pal.bgBot, pal.table)
	W, H := float64(c.w), float64(c.h)
	c.shadow(W*0.5, H*0.82, c.s*0.35, c.s*0.06)
	c.roundRect(W*0.5-c.s*0.3, H*0.3, W*0.5+c.s*0.3, H*0.82, c.s*0.03, shaded(solid(pal.main)))
	c.rect(W*0.5-c.s*0.3, H*0.45, W*0.5+c.s*0.3, H*0.5, solid(pal.accent))
	c.rect(W*0.5-c.s*0.03, H*0.3, W*0.5+c.s*0.03, H*0.82, solid(pal.accent))
	c.flower(W*0.5, H*0.3, c.s*0.1, pal.third, pal.accent)
}
