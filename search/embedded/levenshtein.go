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
	states   []levState
	rows     []uint8          // the rows of the character states, len(word)+1 each
	moves    map[uint64]int32 // state<<8 | byte -> state
	known    map[string]int32 // levKey -> character state
	key      []byte           // levKey's buffer
}

// levState is a state: after a whole character (pending == 0), or part way
// through one's UTF-8 bytes (the character state it started from, the
// bytes read and how many the character has).
type levState struct {
	row, prev int32 // offsets in rows; prev -1 before the second character
	last      rune  // the character read last
	base      int32 // pending > 0: the state the character started from
	bytes     [utf8.UTFMax]byte
	pending   uint8 // bytes of the character read so far
	size      uint8 // bytes of that character
}

// levSink is the state no term reaches a match from.
const levSink = 0

func newLevAutomaton(word string, maxTypos int) *levAutomaton {
	a := &levAutomaton{word: []rune(word), maxTypos: maxTypos}
	w := len(a.word) + 1
	a.rows = make([]uint8, w, 8*w)
	for j := range a.rows {
		a.rows[j] = a.cap(j)
	}
	a.states = make([]levState, 2, 16)
	a.states[1] = levState{row: 0, prev: -1, last: -1}
	a.moves = make(map[uint64]int32, 64)
	a.known = make(map[string]int32, 16)
	return a
}

func (a *levAutomaton) cap(d int) uint8 { return uint8(min(d, a.maxTypos+1)) }

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
	if s == levSink {
		return levSink
	}
	move := uint64(s)<<8 | uint64(b)
	if t, ok := a.moves[move]; ok {
		return int(t)
	}
	t := a.accept(s, b)
	a.moves[move] = int32(t)
	return t
}

func (a *levAutomaton) accept(s int, b byte) int {
	st := a.states[s]
	if st.pending == 0 {
		if b < utf8.RuneSelf {
			return a.next(s, rune(b))
		}
		size := utf8Size(b)
		if size == 0 { // not the first byte of a character: one on its own
			return a.next(s, -1-rune(b))
		}
		a.states = append(a.states, levState{base: int32(s), bytes: [utf8.UTFMax]byte{b}, pending: 1, size: size})
		return len(a.states) - 1
	}
	if b&0xc0 != 0x80 { // a character cut short: no term of a dictionary
		return levSink
	}
	st.bytes[st.pending] = b
	st.pending++
	if st.pending < st.size {
		a.states = append(a.states, st)
		return len(a.states) - 1
	}
	r, _ := utf8.DecodeRune(st.bytes[:st.size])
	return a.next(int(st.base), r)
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
// no continuation can be within maxTypos.
func (a *levAutomaton) next(s int, r rune) int {
	st := a.states[s]
	w := len(a.word) + 1
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
// character read before r; it returns the least distance in dst.
func (a *levAutomaton) step(dst, row, prev []uint8, last, r rune) int {
	dst[0] = a.cap(int(row[0]) + 1)
	best := int(dst[0])
	for j := 1; j < len(dst); j++ {
		d := int(row[j-1])
		if a.word[j-1] != r {
			d++
		}
		d = min(d, int(row[j])+1, int(dst[j-1])+1)
		if prev != nil && j > 1 && a.word[j-2] == r && a.word[j-1] == last {
			d = min(d, int(prev[j-2])+1)
		}
		dst[j] = a.cap(d)
		best = min(best, int(dst[j]))
	}
	return best
}

// typos is the edit distance of a matching state.
func (a *levAutomaton) typos(s int) (int, bool) {
	if s == levSink {
		return 0, false
	}
	st := a.states[s]
	if st.pending > 0 {
		return 0, false
	}
	d := int(a.rows[int(st.row)+len(a.word)])
	return d, d <= a.maxTypos
}

// distance is term's edit distance from the word, when within maxTypos.
func (a *levAutomaton) distance(term string) (int, bool) {
	s := a.Start()
	for i := 0; i < len(term) && s != levSink; i++ {
		s = a.Accept(s, term[i])
	}
	return a.typos(s)
}
