// Package embedded is the search engine that runs inside the binary when no
// Meilisearch is configured, with the behaviour of the Meilisearch adapter
// (typo tolerance, prefix search, English stemming, Thai substring search,
// synonyms, filters, facets, sorts, highlighting): both pass the conformance
// suite of search/searchtest. It forgives typos in Thai words, which
// Meilisearch mostly cannot (see Thai words with typos).
//
// # What is Bleve's
//
// The index on disk is a stock Bleve index (scorch): the mapping and its
// analyzers (mapping.go), the segments, their term dictionaries (FSTs) and
// postings, stored fields, merging. Writes (Upsert, Delete, Rebuild) go
// through Bleve's public API.
//
// # What is ours, and why
//
// Bleve's own query path (searchers, doc values for facets and sorts) is
// too slow for search-as-you-type over a whole catalogue, so searches use
// four pieces of their own, each in a file of its own:
//
//   - The planner (plan.go) turns a query into set operations on each
//     segment's postings bitmaps, with prefix and typo terms expanded
//     against the term dictionaries first, and adds up a score only for the
//     documents that match. Relevance follows Meilisearch's ranking rules
//     (which attribute matched, how many typos), not term frequencies.
//   - The columns (columns.go) hold every document's filter, sort and facet
//     values in memory, column by column and in each sort order: a search
//     without text is one pass over an order, and a text search filters,
//     counts facets and picks its page from the same arrays (matches.go).
//   - The document codec (doccodec.go) stores each document as a flat
//     binary record, read back only for the page of hits, which is
//     highlighted in Go (highlight.go).
//   - The Levenshtein automaton (levenshtein.go) finds the dictionary terms
//     within the allowed typos, computing its states lazily as the
//     dictionary walk reaches them.
//
// Thai has no spaces between words, so Thai fields are indexed as
// overlapping character grams and a Thai query matches wherever it occurs as
// a substring (mapping.go). Synonyms are indexed as one keyword per group
// (synonyms.go).
//
// # Thai words with typos
//
// A Thai word of four characters or more (code points, as Meilisearch
// counts) also finds the texts one typo away from it in product names,
// tags, producer and province names, and in search-as-you-type; from eight
// characters, two typos, at most one of them in the word's first half. A
// typo is a character missing, added, changed or swapped with its
// neighbour, which covers the typos people make typing Thai: a tone mark
// missing, doubled or swapped for another, a short vowel for the long one,
// a consonant for one that sounds alike, a character dropped or doubled.
// Shorter words, and words with digits, never allow one. A document found
// with a typo weighs its field's boost ÷ (1 + the typo's cost), as English
// typos do: 1 for each of those common typos, 1.5 for a change to a
// character that neither looks nor sounds alike (thaiTypoCost); it is
// weighed by the best text it holds, so typo matches rank below exact ones.
// Descriptions, indexed as trigrams, find a Thai word only as it is typed.
//
// The method (thaitypos.go) needs no word list and no new index field. A
// Thai field's term dictionary holds every substring of up to six
// characters of its texts, a small dictionary of everything they say, so a
// Thai word with typos is looked up in it as an English word is in its
// own: the word's Levenshtein automaton (levenshtein.go) walks the terms
// that start with the word's first character and accepts the ones within
// the typos. The walk is the candidate search and the verification at
// once: the automaton computes the true edit distance over the characters
// of each term it reads, and drops a path as soon as no continuation can
// come back within the typos. A text longer than a term is followed as a
// chain: a six-character term the automaton has not finished with is
// continued by the terms that start with its last three characters, the
// automaton reading on from where it stopped, and a document matches a
// chain when it holds all of its terms (overlapping by three characters,
// they are one text in practice). Each walk continues every unfinished
// text of the walk before at once, so a word costs a walk per field for its
// first six characters and one for every three more, whatever the
// catalogue holds, and at most 64 texts.
//
// Because a Thai word is looked up as a substring, a typo at either end of
// it could make a mere fragment match: ผ้าไม, one typo from ผ้าไหม (silk
// cloth), would find ผ้าไทย (Thai cloth) by reading its last ม as ท, and
// ผ้ามัดหมี่ by leaving out its ไ. So the automaton has Thai rules
// (newThaiAutomaton): the first character is never a typo (Meilisearch
// counts a typo there as two, which only a word allowed two may spend); the
// word's last character is read as the text's last, itself or one that
// sounds alike; and a character of the word may be missing from the text
// only if it is a tone mark or vowel sign, or doubled. Highlights mark the
// texts found.
//
// Why not segmentation with a dictionary, as Meilisearch does: a typo
// breaks the segmentation itself (ยาหม่่อง, a doubled tone mark, cuts into
// ยา|ห|ม|อง, none of them the word), product and place names are seldom
// dictionary words, and Debian's libthai-data ships its dictionary as a
// compiled trie under the LGPL. Why not a similarity of character n-grams
// with a threshold: Thai words are short and share common grams (ผ้า,
// ไหม), so any threshold loose enough for a typo in a five-character word
// admits the fragments above, and the verification step would have to read
// each candidate document's text; here the dictionary terms are the
// texts, and verifying them is the walk.
//
// Reading below Bleve's public API (scorch snapshots, segment dictionaries
// and postings iterators, the forced merge) happens only through the names
// of internals.go, so a Bleve upgrade is handled there. The index's format
// (format.go) is a hash of the mapping, the codec and what indexing makes of
// a sample document: an index written by another format is replaced by an
// empty one, which serve rebuilds from PostgreSQL.
//
// On disk, dir holds one Bleve index per generation (idx-<n>) and a file
// "current" naming the live one and its format. Rebuild fills a new
// generation beside the live one and swaps it in; Open after a restart
// opens the generation that "current" names. One process at a time holds
// dir (a file lock).
package embedded
