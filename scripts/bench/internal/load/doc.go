// Package load holds what the load generators under scripts/bench share:
// a minimal keep-alive HTTP/1.1 client, CPU clocks of this process and of
// the processes under test, serve's CPU profiles, and latency percentiles.
// Each tool keeps its own workloads, measurement windows and report
// format; only the parts whose behaviour must not drift between them live
// here.
package load
