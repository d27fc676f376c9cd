package meili

import (
	"encoding/json"

	"github.com/meilisearch/meilisearch-go"
)

// compatMarshal is the SDK's JSON encoder (WithCustomJsonMarshaler). It is
// encoding/json for every request except two whose SDK structs carry a
// field newer than some servers we run (docker-compose.yml pins
// Meilisearch v1.11), which reject unknown fields with a 400:
//
//   - settings.typoTolerance.disableOnNumbers (Meilisearch v1.15) is sent
//     by meilisearch-go v0.36 even when false; we never set it, so it is
//     dropped when false (false is also the server's default);
//   - the swap's "rename" (v1.18) is sent even when false; it is dropped
//     when false, which is the server's default.
//
// Both encodings mean exactly the same to newer servers.
func compatMarshal(v any) ([]byte, error) {
	switch r := v.(type) {
	case **meilisearch.Settings: // UpdateSettings passes &request
		if r != nil && *r != nil {
			return marshalSettings(*r)
		}
	case *meilisearch.Settings:
		if r != nil {
			return marshalSettings(r)
		}
	case []*meilisearch.SwapIndexesParams:
		return marshalSwaps(r)
	}
	return json.Marshal(v)
}

func marshalSettings(s *meilisearch.Settings) ([]byte, error) {
	b, err := json.Marshal(s)
	if err != nil || s.TypoTolerance == nil || s.TypoTolerance.DisableOnNumbers {
		return b, err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		return nil, err
	}
	var typo map[string]json.RawMessage
	if err := json.Unmarshal(top["typoTolerance"], &typo); err != nil {
		return nil, err
	}
	delete(typo, "disableOnNumbers")
	if top["typoTolerance"], err = json.Marshal(typo); err != nil {
		return nil, err
	}
	return json.Marshal(top)
}

func marshalSwaps(swaps []*meilisearch.SwapIndexesParams) ([]byte, error) {
	type swap struct {
		Indexes []string `json:"indexes"`
		Rename  bool     `json:"rename,omitempty"`
	}
	out := make([]swap, 0, len(swaps))
	for _, s := range swaps {
		if s != nil {
			out = append(out, swap{Indexes: s.Indexes, Rename: s.Rename})
		}
	}
	return json.Marshal(out)
}
