package taxonomy

// LoadWith is Load with some data files replaced: overrides maps a file name
// under data/ (e.g. "provinces.json") to the content to use instead.
func LoadWith(overrides map[string][]byte) (*Taxonomy, error) {
	return load(func(name string) ([]byte, error) {
		if b, ok := overrides[name]; ok {
			return b, nil
		}
		return dataFS.ReadFile("data/" + name)
	})
}

// EmbeddedFile returns the embedded content of a data file, e.g.
// "provinces.json".
func EmbeddedFile(name string) []byte {
	b, err := dataFS.ReadFile("data/" + name)
	if err != nil {
		panic(err)
	}
	return b
}
