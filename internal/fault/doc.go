// Package fault holds the fault suite: tests that run the otop binary as a
// process beside its own PostgreSQL cluster and MinIO server, stop or kill
// each of them under a bounded loopback load, and check that no
// acknowledged write is lost, that outages are answered 503 without hanging,
// and that the search index converges afterwards. The package has no code
// besides its tests.
package fault
