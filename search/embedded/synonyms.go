package embedded

import (
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/otopmarket/otop/internal/catalog"
)

// Synonyms are applied when a document is indexed: the groups of
// catalog.SearchSynonyms whose terms a document contains are indexed as
// one keyword each (fSynonyms), so that a query for any term of a group is
// one term lookup instead of a disjunction over every term of the group in
// every field.

// synonymGroups are catalog.SearchSynonyms; synonymIndex maps each term to
// its group.
var (
	synonymGroups = catalog.SearchSynonyms()
	synonymIndex  = func() map[string]int {
		m := map[string]int{}
		for i, g := range synonymGroups {
			for _, term := range g {
				m[term] = i
			}
		}
		return m
	}()
)

// synonymKey is the indexed keyword of group g.
func synonymKey(g int) string { return "g" + strconv.Itoa(g) }

// englishAnalyzer is the analyzer of the English fields, for matching
// English synonym terms by their stems as a query would.
var englishAnalyzer = func() analysis.Analyzer {
	a, err := registry.NewCache().AnalyzerNamed(en.AnalyzerName)
	if err != nil {
		panic("embedded: the English analyzer is not registered: " + err.Error())
	}
	return a
}()

// stemPhrase is an English term as its space-separated stems.
func stemPhrase(s string) string {
	toks := englishAnalyzer.Analyze([]byte(s))
	stems := make([]string, len(toks))
	for i, t := range toks {
		stems[i] = string(t.Term)
	}
	return strings.Join(stems, " ")
}

// synonymTerms are the groups' English terms as stem phrases, and their
// Thai terms, with the group of each.
var synonymEnglish, synonymThai = func() (map[string]int, map[string]int) {
	english, thai := map[string]int{}, map[string]int{}
	for g, group := range synonymGroups {
		for _, term := range group {
			if hasThai(term) {
				thai[term] = g
			} else if p := stemPhrase(term); p != "" {
				english[p] = g
			}
		}
	}
	return english, thai
}()

// documentSynonyms returns the keywords of the synonym groups whose terms
// occur in the document's English texts (as stems, like a query's words)
// or Thai texts (as substrings, like a Thai query).
func documentSynonyms(english, thai []string) []string {
	found := map[int]bool{}
	for _, text := range english {
		toks := englishAnalyzer.Analyze([]byte(text))
		for i := range toks {
			phrase := ""
			for n := 0; n < maxSynonymWords && i+n < len(toks); n++ {
				// Consecutive positions only: a stop word between two
				// words breaks a phrase.
				if n > 0 && toks[i+n].Position != toks[i+n-1].Position+1 {
					break
				}
				if n > 0 {
					phrase += " "
				}
				phrase += string(toks[i+n].Term)
				if g, ok := synonymEnglish[phrase]; ok {
					found[g] = true
				}
			}
		}
	}
	joined := strings.ToLower(strings.Join(thai, "\n"))
	for term, g := range synonymThai {
		if !found[g] && strings.Contains(joined, term) {
			found[g] = true
		}
	}
	out := make([]string, 0, len(found))
	for g := range found {
		out = append(out, synonymKey(g))
	}
	return out
}
