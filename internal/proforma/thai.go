package proforma

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The PDF library draws one glyph per character and applies no OpenType
// shaping, so Thai marks would all sit at the font's default position:
// tone marks high up as if an upper vowel were there, marks over the tall
// consonants ป ฝ ฟ ฬ colliding with their ascender, lower vowels under
// ฎ ฏ colliding with their descender. Waree, like Windows' Thai fonts,
// carries pre-positioned variants of those marks at U+F700–U+F71A; shapeThai
// picks them the way Windows' and libthai's non-OpenType renderers do.

// Consonant classes for shaping.
const (
	classNone      = iota // not a consonant: marks stay as they are
	classPlain            // an ordinary consonant
	classAscender         // ป ฝ ฟ ฬ: marks above move left of the ascender
	classDescender        // ฎ ฏ ฤ ฦ: marks below move down under the descender
	classRemovable        // ญ ฐ: the descender is dropped under a lower vowel
)

func consonantClass(r rune) int {
	switch r {
	case 'ป', 'ฝ', 'ฟ', 'ฬ':
		return classAscender
	case 'ฎ', 'ฏ', 'ฤ', 'ฦ':
		return classDescender
	case 'ญ', 'ฐ':
		return classRemovable
	}
	if r >= 'ก' && r <= 'ฮ' {
		return classPlain
	}
	return classNone
}

const saraAm = 'ำ'

// upperVowelLeft maps the marks above the consonant (MAI HAN-AKAT, SARA I,
// II, UE, UEE, MAI TAIKHU, NIKHAHIT) to their variants shifted left for
// consonants with an ascender; ok is false for other runes.
func upperVowelLeft(r rune) (rune, bool) {
	switch r {
	case '\u0E31':
		return '\uF710', true
	case '\u0E34', '\u0E35', '\u0E36', '\u0E37':
		return '\uF701' + (r - '\u0E34'), true
	case '\u0E47':
		return '\uF712', true
	case '\u0E4D':
		return '\uF711', true
	}
	return 0, false
}

func isToneMark(r rune) bool { return r >= '\u0E48' && r <= '\u0E4C' } // MAI EK … THANTHAKHAT

func isLowerVowel(r rune) bool { return r >= '\u0E38' && r <= '\u0E3A' } // SARA U, UU, PHINTHU

// shapeThai returns s with Thai marks replaced by the font's pre-positioned
// variants (see the comment at the top of this file). Text that is not
// Thai passes unchanged.
func shapeThai(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= '\u0E01' && r <= '\u0E5B' }) {
		return s
	}
	in := []rune(s)
	out := make([]rune, 0, len(in)+2)
	class, baseAt, upper := classNone, -1, false
	for i, r := range in {
		switch {
		case consonantClass(r) != classNone:
			class, baseAt, upper = consonantClass(r), len(out), false
			out = append(out, r)
		case isLowerVowel(r):
			switch class {
			case classDescender:
				r = '\uF718' + (r - '\u0E38')
			case classRemovable:
				if out[baseAt] == 'ญ' {
					out[baseAt] = '\uF70F'
				} else {
					out[baseAt] = '\uF700'
				}
			}
			out = append(out, r)
		case isToneMark(r):
			// A tone mark goes high only over an upper vowel, including the
			// NIKHAHIT of a SARA AM that follows it (น้ำ).
			high := upper || (i+1 < len(in) && in[i+1] == saraAm)
			switch {
			case class == classAscender && high:
				r = '\uF713' + (r - '\u0E48')
			case class == classAscender:
				r = '\uF705' + (r - '\u0E48')
			case class != classNone && !high:
				r = '\uF70A' + (r - '\u0E48')
			}
			out = append(out, r)
		case r == saraAm:
			// SARA AM is NIKHAHIT plus SARA AA; after a tall consonant the
			// NIKHAHIT moves left like the other upper marks.
			if class == classAscender {
				out = append(out, '\uF711', 'า')
			} else {
				out = append(out, r)
			}
			class = classNone
		default:
			if left, ok := upperVowelLeft(r); ok {
				upper = true
				if class == classAscender {
					r = left
				}
			} else if !unicode.Is(unicode.Mn, r) {
				class = classNone
			}
			out = append(out, r)
		}
	}
	return string(out)
}

// thaiBase is the Thai character a glyph variant of U+F700–U+F71A stands
// for.
func thaiBase(r rune) (rune, bool) {
	switch {
	case r == '\uF700':
		return 'ฐ', true
	case r >= '\uF701' && r <= '\uF704':
		return '\u0E34' + (r - '\uF701'), true
	case r >= '\uF705' && r <= '\uF709':
		return '\u0E48' + (r - '\uF705'), true
	case r >= '\uF70A' && r <= '\uF70E':
		return '\u0E48' + (r - '\uF70A'), true
	case r == '\uF70F':
		return 'ญ', true
	case r == '\uF710':
		return '\u0E31', true
	case r == '\uF711':
		return '\u0E4D', true
	case r == '\uF712':
		return '\u0E47', true
	case r >= '\uF713' && r <= '\uF717':
		return '\u0E48' + (r - '\uF713'), true
	case r >= '\uF718' && r <= '\uF71A':
		return '\u0E38' + (r - '\uF718'), true
	}
	return 0, false
}

// joinsPrevious reports whether r belongs to the character before it, so no
// line may begin with it: combining marks, and the Thai vowels and signs
// that follow their syllable.
func joinsPrevious(r rune) bool {
	switch r {
	case 'ะ', 'า', saraAm, 'ๅ', 'ๆ', 'ฯ':
		return true
	}
	return unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r)
}

// isLeadingVowel reports whether r is a Thai vowel written before its
// consonant (เ แ โ ใ ไ), which no line may end with.
func isLeadingVowel(r rune) bool { return r >= 'เ' && r <= 'ไ' }

func isThai(r rune) bool { return r >= '\u0E01' && r <= '\u0E5B' }

// breakAt reports how good a line break is between runes a and b:
// 0 never, 1 only when nothing better fits (between any two characters),
// 2 a likely Thai syllable boundary or the point after a hyphen, comma or
// slash in a long code or number. Spaces are handled by the caller.
// Without a dictionary Thai words cannot be found; the syllable heuristic
// breaks before a leading vowel and after SARA A, SARA AM, THANTHAKHAT
// or MAI YAMOK, which never splits a syllable.
func breakAt(a, b rune) int {
	if joinsPrevious(b) || isLeadingVowel(a) {
		return 0
	}
	if isThai(a) && isThai(b) && (isLeadingVowel(b) || a == 'ะ' || a == saraAm || a == '\u0E4C' || a == 'ๆ' || a == 'ฯ') {
		return 2
	}
	if isThai(a) != isThai(b) || a == '-' || a == ',' || a == '/' {
		return 2
	}
	return 1
}

// zeroWidthSpace marks a word boundary in Thai text that has no spaces; it
// is a break opportunity and is never drawn.
const zeroWidthSpace = '\u200B'

// wrapText breaks s into lines no wider than width as measure sees them.
// Newlines in s start new lines. Spaces are the preferred breaks, then
// zero-width spaces and Thai syllable boundaries, then any boundary between
// characters that does not split a Thai cluster. A line holds at least one
// cluster even if that is wider than width.
func wrapText(s string, width float64, measure func(string) float64) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		lines = append(lines, wrapParagraph(para, width, measure)...)
	}
	return lines
}

func wrapParagraph(para string, width float64, measure func(string) float64) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(para) {
		if dropZeroWidth(word) == "" {
			continue
		}
		rest := word
		for {
			joined := joinWords(line, rest)
			if measure(dropZeroWidth(joined)) <= width {
				line = joined
				break
			}
			// rest does not fit after what the line holds: fill the line
			// with as much of it as fits at a good break, then go on.
			head, tail := fitHead(line, rest, width, measure)
			if head == "" {
				if line != "" {
					lines = append(lines, dropZeroWidth(line))
					line = ""
					continue
				}
				head, tail = firstCluster(rest)
				if tail == "" {
					line = head
					break
				}
			}
			lines = append(lines, dropZeroWidth(joinWords(line, head)))
			line, rest = "", tail
		}
	}
	if dropZeroWidth(line) != "" || len(lines) == 0 {
		lines = append(lines, dropZeroWidth(line))
	}
	return lines
}

func joinWords(a, b string) string {
	if a == "" {
		return b
	}
	return a + " " + b
}

func dropZeroWidth(s string) string { return strings.ReplaceAll(s, string(zeroWidthSpace), "") }

// fitHead returns the longest start of word that fits on a line after
// prefix (joined by a space when prefix is not empty), cut at the best
// kind of break that yields anything, and the rest of word. head is empty
// when no start fits.
func fitHead(prefix, word string, width float64, measure func(string) float64) (head, tail string) {
	sep := ""
	if prefix != "" {
		// A word without Thai after other words goes to the next line
		// whole; Thai runs whole phrases together, so those are split at a
		// syllable to fill the line.
		if !strings.ContainsFunc(word, isThai) {
			return "", word
		}
		sep = " "
	}
	runes := []rune(word)
	var best [3]int      // best[q]: the longest cut of quality q that fits
	var bestW [3]float64 // and the width of the line it makes
	for i := 1; i < len(runes); i++ {
		q := breakAt(runes[i-1], runes[i])
		if runes[i-1] == zeroWidthSpace || runes[i] == zeroWidthSpace {
			q = 2
		}
		if q == 0 {
			continue
		}
		w := measure(dropZeroWidth(prefix + sep + string(runes[:i])))
		if w > width {
			break
		}
		best[q], bestW[q] = i, w
	}
	// A syllable break is worth a short line, down to a third of the
	// width; below that a break between characters fills the line better.
	cut := best[2]
	if prefix == "" && best[1] > cut && bestW[2] < width/3 {
		cut = best[1]
	}
	if prefix != "" && best[2] == 0 {
		// After other words, start the word on the next line rather than
		// split it mid-syllable.
		cut = 0
	}
	if cut == 0 {
		return "", word
	}
	return strings.TrimRight(string(runes[:cut]), string(zeroWidthSpace)), strings.TrimLeft(string(runes[cut:]), string(zeroWidthSpace))
}

// firstCluster splits off the first character of s with the marks and
// signs that belong to it.
func firstCluster(s string) (head, tail string) {
	_, size := utf8.DecodeRuneInString(s)
	for size < len(s) {
		r, n := utf8.DecodeRuneInString(s[size:])
		prev, _ := utf8.DecodeLastRuneInString(s[:size])
		if breakAt(prev, r) != 0 && r != zeroWidthSpace {
			break
		}
		size += n
	}
	return s[:size], s[size:]
}
