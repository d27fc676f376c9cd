package embedded

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/search/searchtest"
)

func TestThaiWordsAllowTyposByLength(t *testing.T) {
	for w, want := range map[string]int{
		"ผ้า":                               0, // three characters: never
		"กาแฟ":                              1,
		"สมุนไพร":                           1, // seven
		"เบญจรงค์":                          2, // eight
		"ข้าวหอมมะลิ":                       2,
		"ผ้าไหม๑๒":                          0, // Thai digits: a code or a size
		strings.Repeat("ก", maxWordRunes+1): 0,
	} {
		if got := thaiTypos(w); got != want {
			t.Errorf("thaiTypos(%s) = %d, want %d", w, got, want)
		}
	}
}

func TestThaiTypoCostWeighsTheCommonTyposLess(t *testing.T) {
	for _, c := range []struct {
		kind, word, text string
		want             float64
	}{
		{"exact", "ยาหม่อง", "ยาหม่อง", 0},
		{"tone mark missing", "ยาหมอง", "ยาหม่อง", 1},
		{"tone mark doubled", "ยาหม่่อง", "ยาหม่อง", 1},
		{"tone mark for another", "มัดหมี้", "มัดหมี่", 1},
		{"tone mark and vowel sign swapped", "มัดหม่ี", "มัดหมี่", 1},
		{"short vowel for the long one", "ศีลาดล", "ศิลาดล", 1},
		{"consonant sounding alike, last", "กระจูต", "กระจูด", 1},
		{"consonant sounding alike, inside", "ตะกล้า", "ตะกร้า", 1},
		{"a character dropped", "เบญจงค์", "เบญจรงค์", 1},
		{"a character doubled", "ศิลาดดล", "ศิลาดล", 1},
		{"two characters swapped", "ข้าวหมอมะลิ", "ข้าวหอมมะลิ", 1},
		{"an unrelated character", "กาเฟ", "กาแฟ", 1.5},
		{"two common typos", "ข้าวหอมมลี", "ข้าวหอมมะลิ", 2},
	} {
		if got := thaiTypoCost([]rune(c.word), []rune(c.text)); got != c.want {
			t.Errorf("%s: thaiTypoCost(%s, %s) = %v, want %v", c.kind, c.word, c.text, got, c.want)
		}
	}
}

// planned evaluates p over snap: every document it matches, by id, with
// its score.
func planned(t *testing.T, snap *indexSnapshot, p *plan) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, ss := range snap.Segments() {
		e := segmentEval{seg: ss.Segment(), dicts: map[string]termDictionary{}}
		ev, err := e.eval(p)
		if err != nil {
			t.Fatal(err)
		}
		acc := make([]float64, ss.FullSize())
		score(p, ev, ev.docs, true, acc)
		docs := ev.docs
		if del := ss.Deleted(); del != nil {
			docs = roaring.AndNot(docs, del)
		}
		for _, n := range docs.ToArray() {
			d, err := storedDoc(ss, uint64(n))
			if err != nil {
				t.Fatal(err)
			}
			out[d.ID] = acc[n]
		}
	}
	return out
}

// thaiNames are product names to search with typos: the suite's, and
// names sharing pieces with them.
var thaiNames = []string{
	"ผ้าพันคอไหมมัดหมี่", "ผ้าคลุมไหล่ไหมแพรวา", "เสื้อผ้าฝ้ายย้อมคราม", "ร่มกระดาษสาบ่อสร้าง",
	"ถ้วยชาศิลาดล", "กาแฟอาราบิก้าดอยช้าง", "ข้าวหอมมะลิทุ่งกุลา", "น้ำปลาแท้ปากพนัง", "ยาหม่องสมุนไพร",
	"ตะกร้ากระจูดสาน", "ผ้าถุงบาติก", "โถเบญจรงค์", "ช้างไม้สักแกะสลัก", "น้ำกระเจี๊ยบ", "สบู่ตะไคร้",
	"ปลอกหมอนผ้าขิด", "น้ำผึ้งป่า", "เทียนหอม", "ผ้าไหมแพรวาลายขิด", "ผ้าไทยทอมือ", "ผ้ามัดหมี่ฝ้าย",
	"ผ้าห่มไหมพรม", "ข้าวหอมนิล", "ข้าวกล้องหอมมะลิแดง", "กระเป๋ากระจูดลายขิด", "ชาตะไคร้หอม", "ยาดมสมุนไพร",
	"ผ้าไหมมัดหมี่ย้อมคราม", "หมอนผ้าไหม", "เบญจรงค์ลายทอง", "ถ้วยกาแฟเบญจรงค์",
}

// thaiReference tells, by brute force over text's runs, whether a Thai
// word matches it without typos (exact): as a substring, or for a word
// longer than subLen with every piece the exact plan looks up
// (substringQuery); or with typos, as a substring of a run that starts
// with the word's first character and is within the word's typos by the
// Thai automaton's rules (thaiTable).
func thaiReference(word, text string) (exact, typos bool) {
	w := []rune(word)
	if strings.Contains(text, word) {
		return true, false
	}
	if len(w) > subLen {
		all := true
		for i := 0; i+1 < len(w); i += subLen - 1 {
			all = all && strings.Contains(text, string(w[min(i, len(w)-subLen):min(i+subLen, len(w))]))
		}
		if all {
			return true, false
		}
	}
	allowed := thaiTypos(word)
	if allowed == 0 {
		return false, false
	}
	for _, run := range strings.Fields(text) {
		r := []rune(run)
		for i := range r {
			if r[i] != w[0] {
				continue
			}
			for j := i + 1; j <= len(r) && j-i <= len(w)+allowed; j++ {
				if _, ok := thaiTable(w, r[i:j], allowed); ok {
					return false, true
				}
			}
		}
	}
	return false, false
}

// typoed returns word with edits random edits of the kinds people make
// typing Thai, and of others.
func typoed(r *rand.Rand, word string, edits int) string {
	w := []rune(word)
	marks := []rune("่้๊๋ิีุู")
	for range edits {
		i := r.IntN(len(w))
		switch r.IntN(6) {
		case 0: // a character dropped
			w = slices.Delete(w, i, i+1)
		case 1: // doubled
			w = slices.Insert(w, i, w[i])
		case 2: // a sign added
			w = slices.Insert(w, i+1, marks[r.IntN(len(marks))])
		case 3: // swapped
			if i+1 < len(w) {
				w[i], w[i+1] = w[i+1], w[i]
			}
		case 4: // one sounding alike
			var alike []rune
			for c := rune(0x0E01); c <= 0x0E5B; c++ {
				if soundsAlike(w[i], c) {
					alike = append(alike, c)
				}
			}
			if len(alike) > 0 {
				w[i] = alike[r.IntN(len(alike))]
			}
		case 5: // any other
			w[i] = rune(0x0E01 + r.IntN(0x2E))
		}
	}
	return string(w)
}

// A Thai word with typos, looked up in a field, matches exactly the
// documents whose text holds it as a substring or holds a text within its
// typos by the Thai rules, checked by brute force for words cut from the
// names with random typos; each is weighed by its best text.
func TestThaiWordsWithTyposMatchWhatTheRulesAllow(t *testing.T) {
	var docs []catalog.SearchDocument
	base := searchtest.Documents()[0]
	for i, name := range thaiNames {
		d := base
		d.ID = fmt.Sprintf("n%02d", i)
		d.NameTH = name
		docs = append(docs, d)
	}
	pl, snap := plannerOverSegments(t, docs)
	r := rand.New(rand.NewPCG(17, 19))
	fuzzed, found := 0, 0
	for range 400 {
		name := []rune(thaiNames[r.IntN(len(thaiNames))])
		start := r.IntN(len(name) - 3)
		n := 4 + r.IntN(min(len(name)-start-4, 8)+1)
		word := typoed(r, string(name[start:start+n]), r.IntN(3))
		p, err := pl.plan(thaiWordQuery(word, fNameTH, 4))
		if err != nil {
			t.Fatal(err)
		}
		got := planned(t, snap, p)
		want := map[string]bool{} // id -> exact
		for _, d := range docs {
			if exact, typos := thaiReference(word, d.NameTH); exact || typos {
				want[d.ID] = exact
			}
		}
		if !slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want))) {
			t.Fatalf("%q: matches %v, want %v", word, slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
		}
		if thaiTypos(word) > 0 {
			fuzzed++
		}
		for id, score := range got {
			switch {
			case want[id] && score < 4:
				t.Errorf("%q: %s matches without typos and weighs %v, want the whole boost 4 or more", word, id, score)
			case !want[id] && (score <= 0 || score > 2):
				t.Errorf("%q: %s matches with typos and weighs %v, want (0, 2]", word, id, score)
			case !want[id]:
				found++
			}
		}
	}
	t.Logf("%d words allowed typos, %d documents found by them", fuzzed, found)
	if fuzzed < 300 || found < 100 {
		t.Fatalf("%d words allowed typos, %d documents found by them: the test covers too little", fuzzed, found)
	}
}

// A document matching several kids of an opBest weighs what the first of
// them weighs, not their sum as under an opOr.
func TestBestWeighsADocumentByItsFirstKid(t *testing.T) {
	base := searchtest.Documents()[0]
	var docs []catalog.SearchDocument
	for i, name := range []string{"กกขข", "ขข", "กก", "คค"} {
		d := base
		d.ID, d.NameTH = fmt.Sprintf("d%d", i), name
		docs = append(docs, d)
	}
	_, snap := plannerOverSegments(t, docs)
	leaf := func(term string, w float64) *plan {
		return &plan{op: opTerms, field: fNameTH, terms: []planTerm{{[]byte(term), w}}}
	}
	best := &plan{op: opBest, kids: []*plan{leaf("กก", 4), leaf("ขข", 2)}}
	if got, want := planned(t, snap, best), map[string]float64{"d0": 4, "d1": 2, "d2": 4}; !maps.Equal(got, want) {
		t.Errorf("best: %v, want %v", got, want)
	}
	or := &plan{op: opOr, kids: best.kids}
	if got, want := planned(t, snap, or), map[string]float64{"d0": 6, "d1": 2, "d2": 4}; !maps.Equal(got, want) {
		t.Errorf("or: %v, want %v", got, want)
	}
}

// However many texts are near a word, one word's search in one field stays
// within its bounds of walks and texts, and still finds its best match.
func TestAThaiWordsSearchIsBounded(t *testing.T) {
	base := searchtest.Documents()[0]
	var docs []catalog.SearchDocument
	// Hundreds of texts one or two typos from ข้าวหอมมะลิ, each starting a
	// walk of its own.
	alphabet := []rune("กขคงจดตนบปมยรลวสหอ")
	r := rand.New(rand.NewPCG(23, 29))
	for i := range 400 {
		w := []rune("ข้าวหอมมะลิ")
		for range 1 + r.IntN(2) {
			w[1+r.IntN(len(w)-1)] = alphabet[r.IntN(len(alphabet))]
		}
		d := base
		d.ID, d.NameTH = fmt.Sprintf("d%03d", i), string(w)+"ทุ่งกุลา"
		docs = append(docs, d)
	}
	d := base
	d.ID, d.NameTH = "jasmine", "ข้าวหอมมะลิทุ่งกุลา"
	docs = append(docs, d)
	x := openIndex(t)
	if err := x.Upsert(t.Context(), docs); err != nil {
		t.Fatal(err)
	}
	snap, err := x.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = snap.Close() }()
	pl := &planner{x: x, snap: snap, dfas: map[dfaKey]*levAutomaton{}}
	for _, word := range []string{"ข้าวหอมมลิ", "ข้าวหอมมะลี"} {
		chains, walks, err := pl.thaiChains(fNameTH, pl.thaiDFA(word, thaiTypos(word)))
		if err != nil {
			t.Fatal(err)
		}
		// A walk for the first subLen characters of the longest text within
		// the typos, then one for every subLen-chainOverlap more.
		n := utf8.RuneCountInString(word) + thaiTypos(word)
		most := 1 + (n-subLen+subLen-chainOverlap-1)/(subLen-chainOverlap)
		if walks > most || len(chains) > maxChains {
			t.Errorf("%s: %d walks, %d texts; want %d walks at most and %d texts", word, walks, len(chains), most, maxChains)
		}
		p, err := pl.plan(thaiWordQuery(word, fNameTH, 4))
		if err != nil {
			t.Fatal(err)
		}
		got := planned(t, snap, p)
		if got["jasmine"] != 2 || slices.Max(slices.Collect(maps.Values(got))) != 2 {
			t.Errorf("%s: jasmine weighs %v, the best of %d %v; want 2 (one common typo) and the best", word,
				got["jasmine"], len(got), slices.Max(slices.Collect(maps.Values(got))))
		}
	}
}

// A product found by a Thai word with a typo has the text found marked,
// with the signs above and below its last character.
func TestThaiTyposAreHighlighted(t *testing.T) {
	x := openIndex(t)
	if err := x.Upsert(t.Context(), searchtest.Documents()); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{
		"ยาหมอง":  "<em>ยาหม่อง</em>สมุนไพร",
		"มัดหม่ี": "ผ้าพันคอไหม<em>มัดหมี่</em>", // the text found is มัดหมี, without its tone mark
		"ตะไคล้":  "สบู่<em>ตะไคร้</em>",
	} {
		res, err := x.Search(t.Context(), catalog.SearchQuery{Text: q, Lang: "th"})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) != 1 || res.Hits[0].Highlights["name_th"] != want {
			t.Errorf("%s: hits %+v, want one with name_th %s", q, res.Hits, want)
		}
	}
}

// Unfinished texts sharing an overlap (read in different states) go to
// different walks, each walk knowing a text by its overlap.
func TestUnfinishedTextsSharingAnOverlapWalkApart(t *testing.T) {
	u := func(overlap string, state int) *unfinished { return &unfinished{overlap: overlap, state: state} }
	batches := distinctOverlaps([]*unfinished{u("มมะ", 7), u("มมก", 7), u("มมะ", 9), u("วหอ", 3), u("มมะ", 11)})
	var got [][]string
	for _, b := range batches {
		var names []string
		for _, x := range b {
			names = append(names, fmt.Sprintf("%s/%d", x.overlap, x.state))
		}
		got = append(got, names)
	}
	want := [][]string{{"มมะ/7", "มมก/7", "วหอ/3"}, {"มมะ/9"}, {"มมะ/11"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("batches %v, want %v", got, want)
	}
}
