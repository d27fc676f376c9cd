package embedded

import (
	"slices"
	"unicode/utf8"
)

// levAutomaton accepts the terms within maxTypos edits of a word, counted
// over characters as bleve's Levenshtein automata count them: an insertion,
// a deletion, a substitution or the swap of two neighbouring characters is
// one edit (optimal string alignment). It reads the terms' UTF-8 bytes, as
// the dictionaries' automaton iterators feed them.
//
// Bleve's automata (vellum's levenshtein package) are deterministic and
// built whole before the first byte is read: a table of 256 transitions
// for every state the word might need, most of which a dictionary walk
// never reaches, and under load a large share of what searches allocated.
// This one computes a state when the walk reaches it:
// the row of edit distances between the characters read so far and every
// prefix of the word, as a dynamic-programming table grows one row per
// character, kept with the row before it (for swaps). Equal states are
// one state, and each transition is computed once: a word is looked up in
// several fields and segments, whose dictionaries share most of their
// paths, and distances capped at maxTypos + 1 soon repeat.
type levAutomaton struct {
	word     []rune
	maxTypos int
	// thai: the word is Thai, looked up as a substring, with the rules of
	// newThaiAutomaton. Each row then has one more cell (see step).
	thai bool
	// head > 0: at most one typo within the word's first head characters.
	head int
	// drops[j]: the word's character j may be missing from the term.
	drops  []bool
	width  int // cells of a row: len(word)+1, and one more for a Thai word
	states []levState
	rows   []uint8          // the rows of the character states, width each
	moves  map[uint64]int32 // state<<32 | character -> state
	known  map[string]int32 // levKey -> character state
	key    []byte           // levKey's buffer
}

// levState is a character state, after a whole character.
type levState struct {
	row, prev int32 // offsets in rows; prev -1 before the second character
	last      rune  // the character read last
}

// levSink is the state no term reaches a match from.
const levSink = 0

// A state part way through a character's UTF-8 bytes is not stored: its
// number says which character state it started from, the character's
// length, the bytes still to read and the bits of the character read so
// far (pending), so reading the first bytes of a character costs no
// lookup (a Thai character has three). Only a whole character's
// transition is computed, once (move). Pending states' numbers stay below
// 1<<52.
const (
	pendingFlag  = 1 << 51
	maxLevStates = 1 << 25 // the character states a pending state's number can name
)

func pending(base, size, need int, bits rune) int {
	return pendingFlag | base<<26 | size<<23 | need<<21 | int(bits)
}

func unpend(s int) (base, size, need int, bits rune) {
	return s &^ pendingFlag >> 26, s >> 23 & 7, s >> 21 & 3, rune(s & (1<<21 - 1))
}

// boundary reports whether s is after a whole character.
func (a *levAutomaton) boundary(s int) bool { return s&pendingFlag == 0 }

func newLevAutomaton(word string, maxTypos int) *levAutomaton {
	return newAutomaton(word, maxTypos, false)
}

// newThaiAutomaton is the automaton of a Thai word, which is looked up as
// a substring of the texts (mapping.go), so that a typo at either end of it
// would otherwise make a fragment of it match: ผ้าไม, one typo from
// ผ้าไหม, would find ผ้าไทย by reading its ม as ท and ผ้ามัดหมี่ by leaving
// out its ไ. So:
//
//   - the word's last character is read as the term's last character,
//     itself or one that sounds alike (soundsAlike), or swapped with the
//     character before it;
//   - a character of the word may be missing from the term only if it is a
//     sign above or below a consonant (isThaiMark) or doubled in the word;
//   - with two typos, at most one is in the word's first half: a walk then
//     reads the terms near the word's start as with one typo (two typos
//     anywhere keep every term alive for the first few characters, and the
//     walk reads nearly every term that starts with the word's first
//     character).
//
// The term must also start with the word's first character; the walks see
// to that (thaitypos.go).
func newThaiAutomaton(word string, maxTypos int) *levAutomaton {
	a := newAutomaton(word, maxTypos, true)
	n := len(a.word)
	a.drops = thaiDrops(a.word)
	if maxTypos > 1 {
		a.head = thaiHead(n)
	}
	for j := 1; j <= n; j++ { // nothing read: the word's first j characters missing
		d := int(a.rows[j-1]) + 1
		if !a.drops[j-1] {
			d = maxTypos + 1
		}
		a.rows[j] = a.capAt(j, d)
	}
	return a
}

// thaiHead is how many of a Thai word's first characters hold at most one
// of its two typos.
func thaiHead(n int) int { return n / 2 }

// thaiDrops tells which characters of a Thai word a text may lack: its
// signs above and below, and the characters it has twice in a row.
func thaiDrops(word []rune) []bool {
	drops := make([]bool, len(word))
	for j, r := range word {
		drops[j] = isThaiMark(r) || j > 0 && word[j-1] == r || j+1 < len(word) && word[j+1] == r
	}
	return drops
}

func newAutomaton(word string, maxTypos int, thai bool) *levAutomaton {
	a := &levAutomaton{word: []rune(word), maxTypos: maxTypos, thai: thai}
	n := len(a.word)
	a.width = n + 1
	if thai {
		a.width++
	}
	w := a.width
	a.rows = make([]uint8, w, 8*w)
	for j := range n + 1 {
		a.rows[j] = a.cap(j)
	}
	if thai {
		a.rows[n+1] = a.cap(maxTypos + 1) // nothing read: the last character is not
	}
	a.states = make([]levState, 2, 16)
	a.states[1] = levState{row: 0, prev: -1, last: -1}
	a.moves = make(map[uint64]int32, 64)
	a.known = make(map[string]int32, 16)
	return a
}

func (a *levAutomaton) cap(d int) uint8 { return uint8(min(d, a.maxTypos+1)) }

// capAt caps d, the distance of the word's first j characters.
func (a *levAutomaton) capAt(j, d int) uint8 {
	if a.head > 0 && j <= a.head && d > 1 {
		return uint8(a.maxTypos + 1)
	}
	return a.cap(d)
}

// Start, IsMatch, CanMatch, WillAlwaysMatch and Accept make it a
// vellum.Automaton.
func (a *levAutomaton) Start() int { return 1 }

func (a *levAutomaton) IsMatch(s int) bool {
	_, ok := a.typos(s)
	return ok
}

// CanMatch: a state no term can reach a match from is the sink (next).
func (a *levAutomaton) CanMatch(s int) bool { return s != levSink }

func (a *levAutomaton) WillAlwaysMatch(int) bool { return false }

func (a *levAutomaton) Accept(s int, b byte) int {
	switch {
	case s == levSink:
		return levSink
	case s&pendingFlag != 0:
		if b&0xc0 != 0x80 { // a character cut short: no term of a dictionary
			return levSink
		}
		base, size, need, bits := unpend(s)
		bits = bits<<6 | rune(b&0x3f)
		if need > 1 {
			return pending(base, size, need-1, bits)
		}
		if utf8.RuneLen(bits) != size { // an overlong or invalid encoding
			bits = utf8.RuneError
		}
		return a.move(base, bits)
	case b < utf8.RuneSelf:
		return a.move(s, rune(b))
	}
	size := int(utf8Size(b))
	if size == 0 { // not the first byte of a character: one on its own
		return a.move(s, -1-rune(b))
	}
	return pending(s, size, size-1, rune(b&(0x7f>>size)))
}

// move is the character state after reading r in character state s.
func (a *levAutomaton) move(s int, r rune) int {
	key := uint64(s)<<32 | uint64(uint32(r))
	if t, ok := a.moves[key]; ok {
		return int(t)
	}
	t := a.next(s, r)
	a.moves[key] = int32(t)
	return t
}

// utf8Size is the length of the character b starts, 0 when b starts none.
func utf8Size(b byte) uint8 {
	switch {
	case b&0xe0 == 0xc0:
		return 2
	case b&0xf0 == 0xe0:
		return 3
	case b&0xf8 == 0xf0:
		return 4
	}
	return 0
}

// next is the state after reading r in character state s: the sink when
// no continuation can be within maxTypos (or when the automaton has as many
// states as a pending state's number can name, which no word reaches).
func (a *levAutomaton) next(s int, r rune) int {
	if len(a.states) >= maxLevStates {
		return levSink
	}
	st := a.states[s]
	w := a.width
	off := len(a.rows)
	a.rows = append(a.rows, make([]uint8, w)...)
	var prev []uint8
	if st.prev >= 0 {
		prev = a.rows[st.prev : st.prev+int32(w)]
	}
	// When every distance in the new row exceeds maxTypos, no
	// continuation comes back within it: distances never fall from one
	// row to the next, and a swap, which reaches back a row, costs no less
	// than the substitution it stands for would have cost in this one.
	if a.step(a.rows[off:off+w], a.rows[st.row:st.row+int32(w)], prev, st.last, r) > a.maxTypos {
		a.rows = a.rows[:off]
		return levSink
	}
	// r and the row before it matter to the next step only when r is in
	// the word (a swap); the state is otherwise its row alone.
	ns := levState{row: int32(off), prev: -1, last: -1}
	a.key = append(a.key[:0], a.rows[off:off+w]...)
	if slices.Contains(a.word, r) {
		ns.prev, ns.last = st.row, r
		a.key = append(a.key, a.rows[st.row:st.row+int32(w)]...)
		a.key = utf8.AppendRune(a.key, r)
	}
	if t, ok := a.known[string(a.key)]; ok {
		a.rows = a.rows[:off]
		return int(t)
	}
	a.states = append(a.states, ns)
	a.known[string(a.key)] = int32(len(a.states) - 1)
	return len(a.states) - 1
}

// step computes into dst the row after reading r, from the row before
// (row), the one before that (prev, nil at the first character) and the
// character read before r; it returns the least distance in dst that a
// match may still come from.
func (a *levAutomaton) step(dst, row, prev []uint8, last, r rune) int {
	n := len(a.word)
	dst[0] = a.capAt(0, int(row[0])+1)
	best := int(dst[0]) // over the cells before the last
	for j := 1; j <= n; j++ {
		d := int(row[j-1])
		if a.word[j-1] != r {
			d++
		}
		d = min(d, int(row[j])+1)
		if a.drops == nil || a.drops[j-1] {
			d = min(d, int(dst[j-1])+1)
		}
		if prev != nil && j > 1 && a.word[j-2] == r && a.word[j-1] == last {
			// A swap touching the word's first half counts there.
			d = min(d, int(a.capAt(j-1, int(prev[j-2])+1)))
		}
		dst[j] = a.capAt(j, d)
		if j < n {
			best = min(best, int(dst[j]))
		}
	}
	if !a.thai {
		return min(best, int(dst[n]))
	}
	if n == 0 {
		return best
	}
	// The whole word with its last character read as r, or swapped with
	// the one before: from the cell before the last of the row before, not
	// from the last cell of this row, which may have left it out or read
	// more after it. Only the cells before the last lead to a match later
	// (a swap, reaching back a row, costs no less than the substitution it
	// stands for would in this row), so a text that has gone past the
	// word's end without a match is dropped at once.
	d := a.maxTypos + 1
	switch w := a.word[n-1]; {
	case w == r:
		d = int(row[n-1])
	case soundsAlike(w, r):
		d = int(row[n-1]) + 1
	}
	if prev != nil && n > 1 && a.word[n-2] == r && a.word[n-1] == last {
		d = min(d, int(prev[n-2])+1)
	}
	dst[n+1] = a.cap(d)
	return min(best, d)
}

// typos is the edit distance of a matching state.
func (a *levAutomaton) typos(s int) (int, bool) {
	if s == levSink || !a.boundary(s) {
		return 0, false
	}
	st := a.states[s]
	col := len(a.word)
	if a.thai {
		col++
	}
	d := int(a.rows[int(st.row)+col])
	return d, d <= a.maxTypos
}

// least is the least distance a term read on from character state s may
// match at: more than maxTypos when none may.
func (a *levAutomaton) least(s int) int {
	n := len(a.word)
	if s == levSink || !a.boundary(s) || a.thai && n == 0 {
		return a.maxTypos + 1
	}
	row := a.rows[a.states[s].row:][:n+1]
	if a.thai {
		row = row[:n] // see step
	}
	return int(slices.Min(row))
}

// distance is term's edit distance from the word, when within maxTypos.
func (a *levAutomaton) distance(term string) (int, bool) {
	s := a.Start()
	for i := 0; i < len(term) && s != levSink; i++ {
		s = a.Accept(s, term[i])
	}
	return a.typos(s)
}
