package embedded

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// The engine reads Bleve's index below its public API: the scorch
// snapshot's segments, their term dictionaries and postings bitmaps (the
// planner, plan.go), their stored fields (matches.go), and scorch's forced
// merge. Every such use is named in this file, so that a Bleve upgrade that
// changes them is handled here.
type (
	indexSnapshot       = scorch.IndexSnapshot
	segmentSnapshot     = scorch.SegmentSnapshot
	segmentData         = segment.Segment
	termDictionary      = segment.TermDictionary
	automaton           = segment.Automaton
	optimizablePostings = segment.OptimizablePostingsIterator
)

// snapshotOf returns idx's current snapshot; the caller closes it.
func snapshotOf(idx bleve.Index) (*indexSnapshot, error) {
	adv, err := idx.Advanced()
	if err != nil {
		return nil, fmt.Errorf("embedded: index: %w", err)
	}
	reader, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("embedded: index reader: %w", err)
	}
	snap, ok := reader.(*scorch.IndexSnapshot)
	if !ok {
		_ = reader.Close()
		return nil, fmt.Errorf("embedded: index reader %T is not a scorch snapshot", reader)
	}
	return snap, nil
}

// compact merges idx into one segment: a search visits every segment, so a
// freshly filled index (one segment per batch) answers several times
// faster once merged.
func compact(ctx context.Context, idx bleve.Index) error {
	adv, err := idx.Advanced()
	if err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	opts := mergeplan.SingleSegmentMergePlanOptions
	if err := s.ForceMerge(ctx, &opts); err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	return nil
}
