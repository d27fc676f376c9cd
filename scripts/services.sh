#!/usr/bin/env bash
# Local PostgreSQL + MinIO for development and tests -- no Docker needed.
#
#   scripts/services.sh up     dev|test   start (no-op when already running)
#   scripts/services.sh down   dev|test   stop (test: also delete its data)
#   scripts/services.sh env    dev|test   print `export K=V` lines for eval
#   scripts/services.sh status dev|test   show state; exit 0 only if all up
#
# dev:  PostgreSQL 127.0.0.1:54320 (role/db otop, password otop), MinIO
#       127.0.0.1:9000 (console :9001). Data persists across up/down.
# test: PostgreSQL 127.0.0.1:54330 (superuser otop/otop, tuned for speed,
#       fresh cluster on every up), MinIO 127.0.0.1:19000 (console :19001).
#       Everything lives in a throwaway directory removed by `down test`.
#
# Ports can be overridden with OTOP_PG_PORT, OTOP_MINIO_PORT,
# OTOP_MINIO_CONSOLE_PORT (dev) and OTOP_TEST_PG_PORT, OTOP_TEST_MINIO_PORT,
# OTOP_TEST_MINIO_CONSOLE_PORT (test); use the same values for `env`.
# OTOP_PG_BIN may point at a PostgreSQL bin directory (with initdb, pg_ctl).
# OTOP_NO_INSTALL=1 forbids installing PostgreSQL with apt-get.
#
# State (pid files, logs, the path of the throwaway dir) is kept in
# .data/run/<dev|test>/.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# MinIO server, built from source with `go install` and cached in $OTOP_CACHE.
MINIO_MODULE=github.com/minio/minio
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c

readonly STARTUP_TIMEOUT=60 # seconds

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
	exit 2
}

# ---------------------------------------------------------------------------
# configuration

# configure MODE: set the variables describing MODE's services.
configure() {
	MODE=$1
	RUN_DIR="$OTOP_ROOT/.data/run/$MODE"
	PG_USER=otop
	PG_PASSWORD=otop
	MINIO_USER=otop
	case $MODE in
	dev)
		PG_PORT="${OTOP_PG_PORT:-54320}"
		PG_DB=otop
		MINIO_PORT="${OTOP_MINIO_PORT:-9000}"
		MINIO_CONSOLE_PORT="${OTOP_MINIO_CONSOLE_PORT:-9001}"
		MINIO_PASSWORD=otop-dev-secret
		;;
	test)
		PG_PORT="${OTOP_TEST_PG_PORT:-54330}"
		PG_DB=postgres
		MINIO_PORT="${OTOP_TEST_MINIO_PORT:-19000}"
		MINIO_CONSOLE_PORT="${OTOP_TEST_MINIO_CONSOLE_PORT:-19001}"
		MINIO_PASSWORD=otop-test-secret
		;;
	*) usage ;;
	esac
	# Prefix of the port override variables, for error messages.
	if [[ $MODE == dev ]]; then PORT_VARS=OTOP_; else PORT_VARS=OTOP_TEST_; fi
	PG_LOG="$RUN_DIR/postgres.log"
	MINIO_LOG="$RUN_DIR/minio.log"
	MINIO_PIDFILE="$RUN_DIR/minio.pid"
}

# Print an `export K=V` line; single-quote V when the shell could mangle it
# (e.g. the `?` in a URL is a glob character even in `export` arguments).
print_export() {
	local k=$1 v=$2
	if [[ $v =~ ^[A-Za-z0-9_./:@%+,=-]*$ ]]; then
		printf 'export %s=%s\n' "$k" "$v"
	else
		printf "export %s='%s'\n" "$k" "${v//\'/\'\\\'\'}"
	fi
}

cmd_env() {
	local url="postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB?sslmode=disable"
	case $MODE in
	dev)
		print_export DATABASE_URL "$url"
		print_export MINIO_ENDPOINT "127.0.0.1:$MINIO_PORT"
		print_export MINIO_ACCESS_KEY "$MINIO_USER"
		print_export MINIO_SECRET_KEY "$MINIO_PASSWORD"
		;;
	test)
		print_export TEST_DATABASE_URL "$url"
		print_export TEST_MINIO_ENDPOINT "127.0.0.1:$MINIO_PORT"
		print_export TEST_MINIO_ACCESS_KEY "$MINIO_USER"
		print_export TEST_MINIO_SECRET_KEY "$MINIO_PASSWORD"
		;;
	esac
}

# Take an exclusive lock for up/down of this mode (released on exit). Every
# daemon we start gets `9>&-` so that it does not inherit the lock.
lock_mode() {
	mkdir -p "$RUN_DIR"
	command -v flock >/dev/null 2>&1 || return 0
	exec 9>"$RUN_DIR/.lock"
	if ! flock -n 9; then
		log "waiting for another services.sh $MODE to finish..."
		flock -w 600 9 || die "timed out waiting for the lock $RUN_DIR/.lock"
	fi
}

# ---------------------------------------------------------------------------
# PostgreSQL

# as_pg CMD...: run CMD as the user owning the cluster. PostgreSQL refuses to
# run as root, so root delegates to the `postgres` system user.
as_pg() {
	if is_root; then
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

pg_major_of() { "$1/pg_ctl" --version 2>/dev/null | sed -n 's/.*PostgreSQL) \([0-9]*\).*/\1/p'; }

# pg_bindir [MAJOR]: print a PostgreSQL bin directory (of version MAJOR when
# given, else the highest installed), or fail.
pg_bindir() {
	local want=${1:-} f d best='' best_major=''
	local -a candidates=()
	[[ -n ${OTOP_PG_BIN:-} ]] && candidates+=("$OTOP_PG_BIN")
	for f in /usr/lib/postgresql/*/bin/initdb; do
		[[ -x $f ]] && candidates+=("${f%/initdb}")
	done
	if d="$(pg_config --bindir 2>/dev/null)"; then candidates+=("$d"); fi
	if f="$(command -v initdb 2>/dev/null)"; then candidates+=("$(dirname "$f")"); fi
	for d in "${candidates[@]}"; do
		[[ -x $d/initdb && -x $d/pg_ctl && -x $d/psql ]] || continue
		local major
		major="$(pg_major_of "$d")"
		[[ -n $major ]] || continue
		if [[ -n $want ]]; then
			if [[ $major == "$want" ]]; then
				printf '%s\n' "$d"
				return 0
			fi
		elif [[ -z $best ]] || ((major > best_major)); then
			best=$d best_major=$major
		fi
	done
	[[ -n $best ]] || return 1
	printf '%s\n' "$best"
}

# ensure_pg_bindir: like pg_bindir, installing PostgreSQL with apt when absent.
ensure_pg_bindir() {
	local d
	if d="$(pg_bindir)"; then
		printf '%s\n' "$d"
		return 0
	fi
	log "postgres: no PostgreSQL server binaries found (/usr/lib/postgresql/*/bin/initdb)"
	apt_install postgresql
	log "postgres: note: Debian's package runs its own cluster on port 5432; otop does not use it"
	d="$(pg_bindir)" || die "PostgreSQL was installed but initdb/pg_ctl are still not found"
	printf '%s\n' "$d"
}

# pg_pid DATADIR: print the postmaster's pid when a server runs from DATADIR.
pg_pid() {
	local f="$1/postmaster.pid" pid comm
	[[ -r $f ]] || return 1
	pid="$(head -n 1 "$f" 2>/dev/null)" || return 1
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	kill -0 "$pid" 2>/dev/null || [[ -d /proc/$pid ]] || return 1
	comm="$(cat "/proc/$pid/comm" 2>/dev/null || true)"
	[[ -z $comm || $comm == postgres || $comm == postmaster ]] || return 1
	printf '%s\n' "$pid"
}

# Port a running cluster listens on (4th line of postmaster.pid).
pg_running_port() { sed -n 4p "$1/postmaster.pid" 2>/dev/null; }

# Where the dev cluster lives. Root: under the postgres user's home, which
# that user can always reach (the repository may sit in a mode-700 directory).
pg_dev_datadir() {
	if is_root; then
		local home name
		home="$(getent passwd postgres | cut -d: -f6)"
		[[ -n $home ]] || home=/var/lib/postgresql
		name="${OTOP_ROOT##*/}"
		name="${name//[^A-Za-z0-9._-]/_}"
		printf '%s/otop/%s-%s\n' "$home" "${name:0:32}" "$(short_hash "$OTOP_ROOT")"
	else
		printf '%s\n' "$OTOP_ROOT/.data/postgres"
	fi
}

need_postgres_user() {
	if is_root && ! id postgres >/dev/null 2>&1; then
		die "running as root, but there is no 'postgres' system user to run PostgreSQL as (apt-get install postgresql creates it)"
	fi
}

# mkdir_pg DIR: create DIR (mode 700) owned by the cluster's user.
mkdir_pg() {
	if is_root; then
		install -d -m 700 -o postgres -g "$(id -gn postgres)" "$1"
	else
		mkdir -p "$1"
		chmod 700 "$1"
	fi
}

# Directory for the cluster's unix socket: the data dir itself, unless its
# path is too long for a socket name (107 bytes), then a private /tmp dir.
pg_socket_dir() {
	local datadir=$1 dir owner
	if ((${#datadir} <= 90)); then
		printf '%s\n' "$datadir"
		return 0
	fi
	if is_root; then owner=postgres; else owner="$(id -un)"; fi
	dir="/tmp/otop-pg-$owner-$(short_hash "$datadir")"
	[[ -d $dir ]] || mkdir_pg "$dir"
	[[ $(stat -c %U "$dir") == "$owner" ]] || die "$dir exists but is not owned by $owner"
	printf '%s\n' "$dir"
}

conf_quote() { printf "'%s'" "${1//\'/\'\'}"; }

# psql as the bootstrap superuser over the unix socket (trust), SQL on stdin.
pg_psql_admin() {
	"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKDIR" -p "$PG_PORT" -U postgres -d postgres
}

# pg_up DATADIR: initialise (when needed) and start the cluster, then make sure
# the otop role (and database) exist and accept password logins over TCP.
pg_up() {
	local datadir=$1 pid port major
	need_postgres_user
	if pid="$(pg_pid "$datadir")"; then
		port="$(pg_running_port "$datadir")"
		[[ $port == "$PG_PORT" ]] ||
			die "postgres ($MODE) already runs from $datadir on port $port, not $PG_PORT; run: scripts/services.sh down $MODE"
		PG_BIN="$(pg_bindir "$(cat "$datadir/PG_VERSION")")" || PG_BIN="$(ensure_pg_bindir)"
		log "postgres: already running on 127.0.0.1:$PG_PORT (pid $pid)"
	else
		if port_open "$PG_PORT"; then
			die "port 127.0.0.1:$PG_PORT is in use by another process (another checkout's postgres?); stop it or choose another port with ${PORT_VARS}PG_PORT"
		fi
		if [[ -f $datadir/PG_VERSION ]]; then
			major="$(cat "$datadir/PG_VERSION")"
			PG_BIN="$(pg_bindir "$major")" ||
				die "the cluster in $datadir was created by PostgreSQL $major, whose binaries are not installed; install postgresql-$major or delete that directory"
		else
			if [[ -e $datadir ]] && [[ -n "$(ls -A "$datadir" 2>/dev/null)" ]]; then
				die "$datadir exists but is not a PostgreSQL cluster; remove it and retry"
			fi
			PG_BIN="$(ensure_pg_bindir)"
			pg_init "$datadir"
		fi
		PG_SOCKDIR="$(pg_socket_dir "$datadir")"
		pg_write_conf "$datadir"
		log "postgres: starting on 127.0.0.1:$PG_PORT (data $datadir)"
		if ! as_pg "$PG_BIN/pg_ctl" start -D "$datadir" -w -t "$STARTUP_TIMEOUT" >>"$PG_LOG" 2>&1 9>&-; then
			tail -n 20 "$PG_LOG" >&2 || true
			die "postgres failed to start; full log: $PG_LOG"
		fi
	fi
	PG_SOCKDIR="$(pg_socket_dir "$datadir")"
	pg_ensure_role
}

pg_init() {
	local datadir=$1 parent
	local -a opts=(-D "$datadir" -U postgres -E UTF8 --auth-local=trust --auth-host=scram-sha-256)
	if locale -a 2>/dev/null | grep -qix 'c\.utf-\{0,1\}8'; then
		opts+=(--locale=C.UTF-8)
	else
		opts+=(--no-locale)
	fi
	[[ $MODE == test ]] && opts+=(--no-sync)
	parent="$(dirname "$datadir")"
	[[ -d $parent ]] || mkdir_pg "$parent"
	log "postgres: initialising a new cluster in $datadir ($("$PG_BIN/pg_ctl" --version))"
	if ! as_pg "$PG_BIN/initdb" "${opts[@]}" >"$RUN_DIR/initdb.log" 2>&1; then
		tail -n 20 "$RUN_DIR/initdb.log" >&2 || true
		die "initdb failed; full log: $RUN_DIR/initdb.log"
	fi
	printf "\n# Settings managed by scripts/services.sh (rewritten on every start).\ninclude_if_exists = 'otop.conf'\n" |
		as_pg tee -a "$datadir/postgresql.conf" >/dev/null
}

# (Re)write otop.conf, included by postgresql.conf, before every start.
pg_write_conf() {
	local datadir=$1
	{
		echo "listen_addresses = '127.0.0.1'"
		echo "port = $PG_PORT"
		echo "unix_socket_directories = $(conf_quote "$PG_SOCKDIR")"
		echo "password_encryption = 'scram-sha-256'"
		if [[ $MODE == test ]]; then
			echo "fsync = off"
			echo "synchronous_commit = off"
			echo "full_page_writes = off"
			echo "max_connections = 300"
			echo "shared_buffers = 128MB"
		fi
	} | as_pg tee "$datadir/otop.conf" >/dev/null
}

pg_ensure_role() {
	local attrs
	if [[ $MODE == test ]]; then attrs="SUPERUSER LOGIN"; else attrs="LOGIN CREATEDB"; fi
	pg_psql_admin >/dev/null <<-SQL
		SELECT format('CREATE ROLE %I $attrs PASSWORD %L', '$PG_USER', '$PG_PASSWORD')
		WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') \gexec
		SELECT format('CREATE DATABASE %I OWNER %I', '$PG_DB', '$PG_USER')
		WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PG_DB') \gexec
	SQL
	# The contract: a password login over TCP works.
	PGPASSWORD="$PG_PASSWORD" PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -X -q -tA \
		-h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" -c 'SELECT 1' >/dev/null ||
		die "postgres is up but '$PG_USER' cannot log in over TCP; see $PG_LOG"
	log "postgres: ready, postgres://$PG_USER:***@127.0.0.1:$PG_PORT/$PG_DB"
}

# pg_down DATADIR: stop the cluster running from DATADIR, if any.
pg_down() {
	local datadir=$1 pid bin='' i
	if ! pid="$(pg_pid "$datadir")"; then
		log "postgres: not running"
		return 0
	fi
	log "postgres: stopping (pid $pid)"
	if [[ -r $datadir/PG_VERSION ]]; then bin="$(pg_bindir "$(cat "$datadir/PG_VERSION")")" || bin=''; fi
	if [[ -n $bin ]] && as_pg "$bin/pg_ctl" stop -D "$datadir" -m fast -w -t 60 >/dev/null 2>&1; then
		return 0
	fi
	kill -INT "$pid" 2>/dev/null || true # "fast" shutdown
	for ((i = 0; i < 120; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.5
	done
	die "postgres (pid $pid) did not stop"
}

# ---------------------------------------------------------------------------
# MinIO

minio_bin() { printf '%s\n' "$OTOP_CACHE/bin/minio-$MINIO_VERSION"; }

# Build MinIO into the cache on first use (done before anything is started).
ensure_minio_bin() { go_install_cached "$MINIO_MODULE@$MINIO_VERSION" "$(minio_bin)"; }

# minio_pid: print the pid of this mode's MinIO when it is running.
minio_pid() {
	local pid
	[[ -r $MINIO_PIDFILE ]] || return 1
	pid="$(cat "$MINIO_PIDFILE")"
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q minio || return 1
	printf '%s\n' "$pid"
}

# minio_wait PID: wait until MinIO answers its liveness probe.
minio_wait() {
	local pid=$1 deadline=$((SECONDS + STARTUP_TIMEOUT))
	until http_ok "$MINIO_PORT" /minio/health/live; do
		if ! kill -0 "$pid" 2>/dev/null; then
			tail -n 20 "$MINIO_LOG" >&2 || true
			die "minio exited during startup; full log: $MINIO_LOG"
		fi
		if ((SECONDS >= deadline)); then
			tail -n 20 "$MINIO_LOG" >&2 || true
			die "minio did not answer http://127.0.0.1:$MINIO_PORT/minio/health/live within ${STARTUP_TIMEOUT}s; log: $MINIO_LOG"
		fi
		sleep 0.5
	done
}

# minio_up DATADIR
minio_up() {
	local datadir=$1 pid bin var
	if pid="$(minio_pid)"; then
		minio_wait "$pid"
		log "minio: already running on 127.0.0.1:$MINIO_PORT (pid $pid)"
		return 0
	fi
	local p
	for p in "$MINIO_PORT" "$MINIO_CONSOLE_PORT"; do
		if port_open "$p"; then
			die "port 127.0.0.1:$p is in use by another process (another checkout's minio?); stop it or choose other ports with ${PORT_VARS}MINIO_PORT / ${PORT_VARS}MINIO_CONSOLE_PORT"
		fi
	done
	bin="$(minio_bin)"
	ensure_minio_bin
	mkdir -p "$datadir"
	# The app's settings share MinIO's MINIO_ prefix: do not leak them in.
	local -a clean_env=()
	for var in $(compgen -e); do
		[[ $var == MINIO_* ]] && clean_env+=(-u "$var")
	done
	local browser=on
	[[ $MODE == test ]] && browser=off
	log "minio: starting on 127.0.0.1:$MINIO_PORT (console 127.0.0.1:$MINIO_CONSOLE_PORT, data $datadir)"
	env "${clean_env[@]}" \
		MINIO_ROOT_USER="$MINIO_USER" MINIO_ROOT_PASSWORD="$MINIO_PASSWORD" \
		MINIO_BROWSER="$browser" MINIO_UPDATE=off \
		setsid "$bin" server --address "127.0.0.1:$MINIO_PORT" \
		--console-address "127.0.0.1:$MINIO_CONSOLE_PORT" "$datadir" \
		</dev/null >>"$MINIO_LOG" 2>&1 9>&- &
	pid=$!
	printf '%s\n' "$pid" >"$MINIO_PIDFILE"
	minio_wait "$pid"
	log "minio: ready, http://127.0.0.1:$MINIO_PORT (pid $pid)"
}

minio_down() {
	local pid i
	if ! pid="$(minio_pid)"; then
		rm -f "$MINIO_PIDFILE"
		log "minio: not running"
		return 0
	fi
	log "minio: stopping (pid $pid)"
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 40; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.25
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "minio: still running after 10s, killing"
		kill -KILL "$pid" 2>/dev/null || true
		sleep 0.5
	fi
	rm -f "$MINIO_PIDFILE"
}

# ---------------------------------------------------------------------------
# dev: persistent

dev_pg_datadir() {
	# Prefer the recorded path, so `down` finds the cluster `up` started.
	if [[ -s $RUN_DIR/pgdata ]]; then cat "$RUN_DIR/pgdata"; else pg_dev_datadir; fi
}

dev_up() {
	local datadir
	datadir="$(pg_dev_datadir)"
	# Install/build what is missing before starting anything.
	ensure_pg_bindir >/dev/null
	ensure_minio_bin
	printf '%s\n' "$datadir" >"$RUN_DIR/pgdata"
	pg_up "$datadir"
	minio_up "$OTOP_ROOT/.data/minio"
}

dev_down() {
	pg_down "$(dev_pg_datadir)"
	minio_down
}

# ---------------------------------------------------------------------------
# test: throwaway

# The throwaway dir of the running test services (recorded by test_up).
test_base() {
	local base
	[[ -s $RUN_DIR/base ]] || return 1
	base="$(cat "$RUN_DIR/base")"
	[[ -d $base ]] || return 1
	printf '%s\n' "$base"
}

test_is_up() {
	local base
	base="$(test_base)" || return 1
	pg_pid "$base/pg" >/dev/null || return 1
	[[ $(pg_running_port "$base/pg") == "$PG_PORT" ]] || return 1
	minio_pid >/dev/null || return 1
	http_ok "$MINIO_PORT" /minio/health/live
}

# A fresh directory for the throwaway cluster. As root it belongs to the
# postgres user, who must be able to reach it (TMPDIR may be private).
test_mkbase() {
	local base
	base="$(mktemp -d "${TMPDIR:-/tmp}/otop-test.XXXXXX")"
	if is_root; then
		chown postgres: "$base"
		if ! (cd / && runuser -u postgres -- test -w "$base"); then
			rm -rf "$base"
			base="$(mktemp -d /tmp/otop-test.XXXXXX)"
			chown postgres: "$base"
		fi
	fi
	printf '%s\n' "$base"
}

test_up() {
	local base
	if test_is_up; then
		base="$(test_base)"
		log "postgres: already running on 127.0.0.1:$PG_PORT"
		log "minio: already running on 127.0.0.1:$MINIO_PORT"
		log "test services already up ($base)"
		return 0
	fi
	# Clean up the leftovers of a half-started or crashed run.
	if test_base >/dev/null || minio_pid >/dev/null; then test_down; fi
	# Install/build what is missing before starting anything.
	ensure_pg_bindir >/dev/null
	need_postgres_user
	ensure_minio_bin
	local p
	for p in "$PG_PORT" "$MINIO_PORT" "$MINIO_CONSOLE_PORT"; do
		if port_open "$p"; then
			die "port 127.0.0.1:$p is in use by another process (another checkout's test services?); stop it or choose other ports with ${PORT_VARS}PG_PORT, ${PORT_VARS}MINIO_PORT, ${PORT_VARS}MINIO_CONSOLE_PORT"
		fi
	done
	base="$(test_mkbase)"
	printf '%s\n' "$base" >"$RUN_DIR/base"
	: >"$PG_LOG"
	: >"$MINIO_LOG"
	# Do not leave a half-started environment behind (logs stay in $RUN_DIR).
	trap 'if (($? != 0)); then log "test services failed to start, cleaning up"; test_down || true; fi' EXIT
	pg_up "$base/pg"
	minio_up "$base/minio"
	trap - EXIT
}

test_down() {
	local base
	if base="$(test_base)"; then
		pg_down "$base/pg"
		minio_down
		rm -rf "$base"
		log "removed $base"
	else
		log "postgres: not running"
		minio_down
	fi
	rm -f "$RUN_DIR/base"
}

# ---------------------------------------------------------------------------
# status

cmd_status() {
	local datadir base pid ok=0
	if [[ $MODE == dev ]]; then
		datadir="$(dev_pg_datadir)"
	elif base="$(test_base)"; then
		datadir="$base/pg"
	else
		datadir=''
	fi
	if [[ -n $datadir ]] && pid="$(pg_pid "$datadir")"; then
		echo "postgres ($MODE): running on 127.0.0.1:$(pg_running_port "$datadir"), pid $pid, data $datadir"
	else
		echo "postgres ($MODE): stopped"
		ok=1
	fi
	if pid="$(minio_pid)"; then
		if http_ok "$MINIO_PORT" /minio/health/live; then
			echo "minio ($MODE): running on 127.0.0.1:$MINIO_PORT (console 127.0.0.1:$MINIO_CONSOLE_PORT), pid $pid"
		else
			echo "minio ($MODE): process $pid exists but http://127.0.0.1:$MINIO_PORT/minio/health/live does not answer"
			ok=1
		fi
	else
		echo "minio ($MODE): stopped"
		ok=1
	fi
	return "$ok"
}

# ---------------------------------------------------------------------------

main() {
	[[ $# -eq 2 ]] || usage
	local cmd=$1
	configure "$2"
	case $cmd in
	env) cmd_env ;;
	status) cmd_status ;;
	up)
		lock_mode
		"${MODE}_up"
		;;
	down)
		lock_mode
		"${MODE}_down"
		;;
	*) usage ;;
	esac
}

main "$@"
