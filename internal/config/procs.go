package config

// ServeProcs is the number of Ps (GOMAXPROCS) serve runs with: twice the
// Go runtime's own choice, unless GOMAXPROCS is set (gomaxprocsEnv) or the
// runtime chose fewer than the machine's CPUs, which means a CPU quota
// (a container's limit).
//
// Why more Ps than CPUs: a request that arrives while every P is busy
// with searches is found only when a P runs out of work or the runtime's
// monitor polls the network, and then queues behind whatever the busy Ps
// hold. At saturation the tail of the latency is that wait, not the work
// (BENCHMARKS.md has the figures).
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
