package postgres

import "time"

// SetListenPingEvery shortens the listener's quiet period in tests.
func SetListenPingEvery(d time.Duration) (restore func()) {
	old := listenPingEvery
	listenPingEvery = d
	return func() { listenPingEvery = old }
}

// Translate and WithRuntimeParam are exported for the tests of timeouts.
var (
	Translate        = translate
	WithRuntimeParam = withRuntimeParam
)
