// Package embedded is the search engine that runs inside the binary when no
// Meilisearch is configured, with the behaviour of the Meilisearch adapter
// (typo tolerance, prefix search, English stemming, Thai substring search,
// synonyms, filters, facets, sorts, highlighting): both pass the conformance
// suite of search/searchtest.
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
