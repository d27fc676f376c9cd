package media

import (
	"bytes"
	"encoding/binary"
)

// Orientation values of the EXIF Orientation tag (0x0112).
const (
	orientNormal     = 1
	orientFlipH      = 2
	orientRotate180  = 3
	orientFlipV      = 4
	orientTranspose  = 5
	orientRotate90   = 6 // rotate 90° clockwise to display
	orientTransverse = 7
	orientRotate270  = 8 // rotate 90° counter-clockwise to display
)

var exifHeader = []byte("Exif\x00\x00")

// orientation returns the EXIF orientation (1–8) of an image file, 1 when
// there is none or it cannot be read. Only JPEG (APP1 "Exif" segment) and
// extended-format WebP (EXIF chunk) carry one; PNG is always 1.
func orientation(f Format, data []byte) int {
	var tiff []byte
	switch f {
	case FormatJPEG:
		tiff = jpegEXIF(data)
	case FormatWebP:
		tiff = webpEXIF(data)
	}
	if tiff == nil {
		return orientNormal
	}
	return tiffOrientation(tiff)
}

// jpegEXIF returns the TIFF structure of the first APP1 Exif segment before
// the image data, or nil.
func jpegEXIF(b []byte) []byte {
	i := 2 // after SOI
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			return nil
		}
		marker := b[i+1]
		switch {
		case marker == 0xFF: // fill byte
			i++
			continue
		case marker == 0x01 || marker >= 0xD0 && marker <= 0xD7: // no length
			i += 2
			continue
		case marker == 0xDA || marker == 0xD9: // start of scan, end of image
			return nil
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return nil
		}
		seg := b[i+4 : i+2+n]
		if marker == 0xE1 && bytes.HasPrefix(seg, exifHeader) {
			return seg[len(exifHeader):]
		}
		i += 2 + n
	}
	return nil
}

// webpEXIF returns the payload of the EXIF chunk of an extended-format WebP
// file, or nil. Some writers put the JPEG-style "Exif\0\0" prefix in the
// chunk; it is skipped.
func webpEXIF(b []byte) []byte {
	if len(b) < 12 {
		return nil
	}
	for i := 12; i+8 <= len(b); {
		n := int(binary.LittleEndian.Uint32(b[i+4:]))
		if n < 0 || n > len(b)-i-8 {
			return nil
		}
		if string(b[i:i+4]) == "EXIF" {
			return bytes.TrimPrefix(b[i+8:i+8+n], exifHeader)
		}
		i += 8 + n + n&1
	}
	return nil
}

// tiffOrientation reads tag 0x0112 of IFD0 of a TIFF structure.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return orientNormal
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return orientNormal
	}
	if bo.Uint16(t[2:]) != 42 {
		return orientNormal
	}
	off := int64(bo.Uint32(t[4:]))
	if off < 8 || off+2 > int64(len(t)) {
		return orientNormal
	}
	count := int64(bo.Uint16(t[off:]))
	for k := range count {
		e := off + 2 + 12*k
		if e+12 > int64(len(t)) {
			break
		}
		if bo.Uint16(t[e:]) != 0x0112 {
			continue
		}
		typ, n := bo.Uint16(t[e+2:]), bo.Uint32(t[e+4:])
		if typ != 3 || n < 1 { // SHORT
			return orientNormal
		}
		if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
			return v
		}
		return orientNormal
	}
	return orientNormal
}
