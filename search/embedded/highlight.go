package embedded

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
)

// highlighter marks the English words of a text that a plan looks for:
// the text is analysed as it was indexed (stemmed, and unstemmed for the
// prefix of the word being typed) and the words whose terms the plan
// holds are wrapped.
//
// Analysing the page's texts with bleve's analyzers took a large share of a
// search's CPU, most of it finding word boundaries. ASCII text (most
// English text) is split here instead, exactly as bleve's tokenizer splits
// it (a test compares them), and each distinct word is stemmed once per
// search.
type highlighter struct {
	stem, raw           analysis.Analyzer
	filters             []analysis.TokenFilter // stem's, applied to one word at a time
	terms               map[string]string      // word as written -> its stemmed term ("" for a stop word)
	name, nameRaw, desc map[string]bool
	words               []span
	lower               []byte
	heads               [256]bool // first bytes of the stemmed terms looked for
}

func (x *Index) newHighlighter(p *plan) *highlighter {
	hl := &highlighter{stem: x.analyzer(en.AnalyzerName), raw: x.analyzer(rawAnalyzer), terms: map[string]string{},
		name: p.termsOf(fNameEN), nameRaw: p.termsOf(fNameENRaw), desc: p.termsOf(fDescEN)}
	if da, ok := hl.stem.(*analysis.DefaultAnalyzer); ok {
		hl.filters = da.TokenFilters
	}
	return hl
}

// mark highlights text (a snippet around the first mark when snippet).
func (hl *highlighter) mark(text string, snippet bool, stemmed, raw map[string]bool) (string, bool) {
	if len(stemmed) == 0 && len(raw) == 0 {
		return "", false
	}
	hl.heads = [256]bool{}
	for t := range stemmed {
		hl.heads[t[0]] = true
	}
	var spans []span
	words, ok := asciiWords(text, hl.words[:0])
	if !ok || hl.filters == nil {
		for _, a := range []struct {
			an    analysis.Analyzer
			terms map[string]bool
		}{{hl.stem, stemmed}, {hl.raw, raw}} {
			if len(a.terms) == 0 {
				continue
			}
			for _, tok := range a.an.Analyze([]byte(text)) {
				if a.terms[string(tok.Term)] {
					spans = append(spans, span{tok.Start, tok.End})
				}
			}
		}
		return highlightSpans(text, spans, snippet)
	}
	hl.words = words
	for _, w := range words {
		word := text[w.s:w.e]
		if len(raw) > 0 {
			hl.lower = appendLowerASCII(hl.lower[:0], word)
			if raw[string(hl.lower)] {
				spans = append(spans, w)
				continue
			}
		}
		// A term starts with its word's first letter, lowercased (the
		// stemmer changes only endings): other words need no stemming.
		if len(stemmed) > 0 && hl.heads[lowerASCII(word[0])] && stemmed[hl.term(word)] {
			spans = append(spans, w)
		}
	}
	return highlightSpans(text, spans, snippet)
}

// term returns word's stemmed term, as the stemming analyzer makes it.
func (hl *highlighter) term(word string) string {
	if t, ok := hl.terms[word]; ok {
		return t
	}
	ts := analysis.TokenStream{{Term: []byte(word), Start: 0, End: len(word), Position: 1, Type: analysis.AlphaNumeric}}
	for _, f := range hl.filters {
		ts = f.Filter(ts)
	}
	t := ""
	if len(ts) > 0 {
		t = string(ts[0].Term)
	}
	hl.terms[word] = t
	return t
}

func appendLowerASCII(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		b = append(b, lowerASCII(s[i]))
	}
	return b
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// asciiWords appends to out the words of text as bleve's unicode tokenizer
// finds them (the word boundaries of Unicode's UAX #29, its words of
// letters and digits). It reports false, and leaves the work to the
// tokenizer, when text is not all ASCII or has an underscore.
//
// In ASCII, the rules come down to: letters and digits join; a letter
// joins a letter across one of : . ' (WB6, WB7); a digit joins a digit
// across one of , ; . ' (WB11, WB12).
func asciiWords(text string, out []span) ([]span, bool) {
	for i := 0; i < len(text); i++ {
		if c := text[i]; c >= utf8.RuneSelf || c == '_' {
			return out, false
		}
	}
	for i := 0; i < len(text); i++ {
		if !isAlnumASCII(text[i]) {
			continue
		}
		start := i
		for i+1 < len(text) {
			next := text[i+1]
			if isAlnumASCII(next) {
				i++
				continue
			}
			if i+2 >= len(text) {
				break
			}
			after, cur := text[i+2], text[i]
			if isLetterASCII(cur) && isLetterASCII(after) && (next == ':' || next == '.' || next == '\'') ||
				isDigitASCII(cur) && isDigitASCII(after) && (next == ',' || next == ';' || next == '.' || next == '\'') {
				i += 2
				continue
			}
			break
		}
		out = append(out, span{start, i + 1})
	}
	return out, true
}

func isLetterASCII(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigitASCII(c byte) bool  { return '0' <= c && c <= '9' }
func isAlnumASCII(c byte) bool  { return isLetterASCII(c) || isDigitASCII(c) }

// highlightThai wraps the occurrences of needles in text in <em>…</em> and
// escapes the rest; with snippet, long text is cut to a window around the
// first match. A match takes in the signs written above or below its last
// character (a needle may end before them: มัดหมี in มัดหมี่), so that
// no character is cut from its tone mark. It reports false when nothing
// matched.
func highlightThai(text string, needles []string, snippet bool) (string, bool) {
	var spans []span
	for _, n := range needles {
		if n == "" {
			continue
		}
		for off := 0; ; {
			i := strings.Index(text[off:], n)
			if i < 0 {
				break
			}
			e := off + i + len(n)
			for e < len(text) {
				r, size := utf8.DecodeRuneInString(text[e:])
				if !isThaiMark(r) {
					break
				}
				e += size
			}
			spans = append(spans, span{off + i, e})
			off = e
		}
	}
	return highlightSpans(text, spans, snippet)
}

type span struct{ s, e int }

// highlightWords wraps the words of text that start with one of terms
// (English, any case; "silk" also marks "silks") like highlightThai. A term
// of several words must appear with single spaces.
func highlightWords(text string, terms []string, snippet bool) (string, bool) {
	var spans []span
	for i := 0; i < len(text); i++ {
		if i > 0 && isWordRune(lastRune(text[:i])) {
			continue // not at the start of a word
		}
		for _, t := range terms {
			if t == "" || i+len(t) > len(text) || !strings.EqualFold(text[i:i+len(t)], t) {
				continue
			}
			end := i + len(t)
			for end < len(text) {
				r, size := utf8.DecodeRuneInString(text[end:])
				if !isWordRune(r) {
					break
				}
				end += size
			}
			spans = append(spans, span{i, end})
		}
	}
	return highlightSpans(text, spans, snippet)
}

// highlightSpans wraps the spans of text in <em>…</em> and escapes the
// rest; with snippet, long text is cut to a window around the first span.
// It reports false when there is no span.
func highlightSpans(text string, spans []span, snippet bool) (string, bool) {
	if len(spans) == 0 {
		return "", false
	}
	slices.SortFunc(spans, func(a, b span) int { return a.s - b.s })
	merged := spans[:1]
	for _, sp := range spans[1:] {
		if last := &merged[len(merged)-1]; sp.s <= last.e {
			last.e = max(last.e, sp.e)
		} else {
			merged = append(merged, sp)
		}
	}
	lo, hi := 0, len(text)
	if snippet && moreRunesThan(text, snippetRunes) {
		lo = merged[0].s
		for n := 0; n < snippetBefore && lo > 0; n++ {
			_, size := utf8.DecodeLastRuneInString(text[:lo])
			lo -= size
		}
		hi = lo
		for n := 0; n < snippetRunes && hi < len(text); n++ {
			_, size := utf8.DecodeRuneInString(text[hi:])
			hi += size
		}
	}
	var b strings.Builder
	b.Grow(hi - lo + len(merged)*len("<em></em>") + 2*len("…") + 16)
	if lo > 0 {
		b.WriteString("…")
	}
	cur := lo
	for _, sp := range merged {
		s, e := max(sp.s, lo), min(sp.e, hi)
		if s >= e || s < cur {
			continue
		}
		escapeHTML(&b, text[cur:s])
		b.WriteString("<em>")
		escapeHTML(&b, text[s:e])
		b.WriteString("</em>")
		cur = e
	}
	escapeHTML(&b, text[cur:hi])
	if hi < len(text) {
		b.WriteString("…")
	}
	return b.String(), true
}

// moreRunesThan reports whether s has more than n runes, counting no
// further than it must.
func moreRunesThan(s string, n int) bool {
	if len(s) <= n {
		return false
	}
	count := 0
	for range s {
		if count++; count > n {
			return true
		}
	}
	return false
}

// escapeHTML writes s to b as html.EscapeString escapes it.
func escapeHTML(b *strings.Builder, s string) {
	for {
		i := strings.IndexAny(s, `<>&'"`)
		if i < 0 {
			b.WriteString(s)
			return
		}
		b.WriteString(s[:i])
		switch s[i] {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\'':
			b.WriteString("&#39;")
		default:
			b.WriteString("&#34;")
		}
		s = s[i+1:]
	}
}
