package config

// ServeProcs is the number of Ps (GOMAXPROCS) serve runs with: twice the
// Go runtime's own choice, unless GOMAXPROCS is set (gomaxprocsEnv) or the
// runtime chose fewer than the machine's CPUs, which means a CPU quota
// (a container's limit).
//
// Why more Ps than CPUs: a request that arrives while every P is busy
// with searches is found only when a P runs out of work or the runtime's
// monitor polls the network (every 10 ms), and then queues behind
// whatever the busy Ps hold. At saturation the tail of the latency is that
// wait, not the work: searches through the API on 2 CPUs at concurrency 16
// had p99 33.6–35.0 ms with 2 Ps and 21.7–24.2 ms with 4 (p50 4.0 and
// 4.4–4.7 ms; BENCHMARKS.md).
// An extra P parked in the poller takes each request as it arrives, and the
// operating system shares the CPUs between the Ps' threads. Under a CPU
// quota below the CPUs the extra threads would use up the quota early in
// each period and be stopped for the rest of it, so the runtime's choice
// (the quota, rounded up) is kept. When that choice is all the CPUs (no
// quota, or one above all but the last CPU), more Ps cannot use more than
// the machine's CPUs, which is what the runtime's choice could use anyway.
func ServeProcs(gomaxprocsEnv string, procs, cpus int) int {
	if gomaxprocsEnv != "" || procs < cpus {
		return procs
	}
	return 2 * procs
}
