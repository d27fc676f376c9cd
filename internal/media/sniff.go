package media

import (
	"bytes"
	"unicode/utf8"

	"github.com/otopmarket/otop/internal/errs"
)

// Format is an accepted input image format, detected from the file's bytes.
type Format string

// Accepted input formats.
const (
	FormatJPEG Format = "jpeg"
	FormatPNG  Format = "png"
	FormatWebP Format = "webp"
)

// sniffLen is how many leading bytes Sniff looks at: enough to find the
// <svg element behind an XML declaration, a DOCTYPE and a comment or two.
const sniffLen = 1024

const acceptHint = "upload a JPEG, PNG or WebP photo"

// Sniff returns the real format of a file from its first bytes (magic
// numbers), ignoring any file name or declared content type. Only JPEG, PNG
// and WebP are accepted; anything else (SVG, GIF, HEIC, PDF, HTML, text, ...)
// is refused with an error wrapping errs.ErrUnsupportedMediaType whose text
// tells the user what the file looks like, when that is known.
func Sniff(head []byte) (Format, error) {
	if len(head) > sniffLen {
		head = head[:sniffLen]
	}
	switch {
	case len(head) == 0:
		return "", unsupported("the file is empty; " + acceptHint)
	case bytes.HasPrefix(head, []byte("\xFF\xD8\xFF")):
		return FormatJPEG, nil
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1A\n")):
		return FormatPNG, nil
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		// An extended-format file announces animation in its VP8X flags.
		if len(head) >= 21 && string(head[12:16]) == "VP8X" && head[20]&0x02 != 0 {
			return "", unsupported("the file is an animated WebP image; upload a still JPEG, PNG or WebP photo")
		}
		return FormatWebP, nil
	}
	if what := identify(head); what != "" {
		msg := "the file is " + what + "; " + acceptHint
		if what == heic {
			msg += " (on an iPhone, set Settings > Camera > Formats to Most Compatible, or share the photo as JPEG)"
		}
		return "", unsupported(msg)
	}
	return "", unsupported("the file is not a JPEG, PNG or WebP image; " + acceptHint)
}

func unsupported(msg string) error {
	return errs.Newf(errs.ErrUnsupportedMediaType, "%s", msg)
}

const heic = "a HEIC/HEIF image"

// identify names common refused formats, or returns "".
func identify(b []byte) string {
	has := func(p string) bool { return bytes.HasPrefix(b, []byte(p)) }
	switch {
	case has("GIF87a"), has("GIF89a"):
		return "a GIF image"
	case has("%PDF-"):
		return "a PDF document"
	case has("II*\x00"), has("MM\x00*"):
		return "a TIFF or camera RAW image"
	case has("8BPS"):
		return "a Photoshop document"
	case has("\xFF\x0A"), has("\x00\x00\x00\x0CJXL \r\n\x87\n"):
		return "a JPEG XL image"
	case has("\x00\x00\x00\x0CjP  \r\n\x87\n"), has("\xFF\x4F\xFF\x51"):
		return "a JPEG 2000 image"
	case has("PK\x03\x04"):
		return "a ZIP archive or office document"
	case has("RIFF"):
		return "an audio or video file"
	case has("BM") && len(b) >= 18 && isBMPHeaderSize(b[14]) && b[15] == 0 && b[16] == 0 && b[17] == 0:
		return "a BMP image"
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		switch string(b[8:12]) {
		case "heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs", "mif1", "msf1":
			return heic
		case "avif", "avis":
			return "an AVIF image"
		}
		return "a video"
	}
	if what := markup(b); what != "" {
		return what
	}
	if isText(b) {
		return "a text file"
	}
	return ""
}

func isBMPHeaderSize(n byte) bool {
	switch n {
	case 12, 40, 52, 56, 64, 108, 124:
		return true
	}
	return false
}

// markup recognises SVG, HTML and other XML, also after a byte order mark,
// leading whitespace, an XML declaration, a DOCTYPE or comments.
func markup(b []byte) string {
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	if t, ok := utf16ToASCII(b); ok {
		b = t
	}
	b = bytes.TrimLeft(b, " \t\r\n\f")
	if len(b) == 0 || b[0] != '<' {
		return ""
	}
	l := bytes.ToLower(b)
	switch {
	case bytes.Contains(l, []byte("<svg")), bytes.Contains(l, []byte("<!doctype svg")):
		return "an SVG image"
	case bytes.Contains(l, []byte("<html")), bytes.Contains(l, []byte("<!doctype html")),
		bytes.Contains(l, []byte("<head")), bytes.Contains(l, []byte("<body")):
		return "an HTML page"
	case bytes.HasPrefix(l, []byte("<?xml")):
		return "an XML document"
	}
	return "an HTML or XML document"
}

// utf16ToASCII narrows UTF-16 text that starts with a byte order mark to its
// ASCII bytes, good enough to recognise markup.
func utf16ToASCII(b []byte) ([]byte, bool) {
	var lo int
	switch {
	case bytes.HasPrefix(b, []byte("\xFF\xFE")):
		lo = 0
	case bytes.HasPrefix(b, []byte("\xFE\xFF")):
		lo = 1
	default:
		return nil, false
	}
	out := make([]byte, 0, len(b)/2)
	for i := 2; i+1 < len(b); i += 2 {
		if b[i+1-lo] != 0 {
			out = append(out, '?')
			continue
		}
		out = append(out, b[i+lo])
	}
	return out, true
}

// isText reports whether b looks like UTF-8 text: valid UTF-8 (a rune cut at
// the end of the sniffed window is fine) without control characters other
// than whitespace.
func isText(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			return !utf8.FullRune(b) // only a truncated final rune is allowed
		}
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f' || r == 0x7F {
			return false
		}
		b = b[size:]
	}
	return true
}
