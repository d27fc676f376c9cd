#!/usr/bin/env bash
# Run the Go test suite against throwaway PostgreSQL + MinIO.
#
#   scripts/test.sh [extra go test arguments...]   e.g. scripts/test.sh -run TestOrders -v
#
# The test services are always torn down afterwards (`services.sh down test`),
# also when the tests fail or the run is interrupted. Exits with go test's status.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$OTOP_ROOT"

services="$OTOP_ROOT/scripts/services.sh"

# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
	trap '' INT TERM HUP # a second Ctrl-C must not abort the teardown
	"$services" down test || log "warning: 'scripts/services.sh down test' failed"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

command -v go >/dev/null 2>&1 || die "go is not installed"

# -race needs cgo, hence a C compiler (a fresh machine may have only Go).
export CGO_ENABLED=1
cc="$(go env CC)"
cc="${cc%% *}"
if ! command -v "${cc:-gcc}" >/dev/null 2>&1; then
	log "go test -race needs a C compiler (${cc:-gcc}), which is missing"
	apt_install gcc libc6-dev
fi

"$services" up test
eval "$("$services" env test)"

# The services are guaranteed here, so a test that cannot find them must fail
# rather than skip (internal/testenv skips only when CI != true).
export CI="${CI:-true}"
# Full goroutine dumps on panics/timeouts; gin's quiet mode in tests.
export GOTRACEBACK=all
export GIN_MODE=test

status=0
go test -race -count=1 ./... "$@" || status=$?
exit "$status"
