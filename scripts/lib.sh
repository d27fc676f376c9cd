# shellcheck shell=bash
# Shared helpers for scripts/*.sh. Source it; do not execute it.
#
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Repository root (physical path, no symlinks).
# shellcheck disable=SC2034 # used by the scripts that source this file
OTOP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
# Cache for tool binaries we build ourselves (MinIO, golangci-lint).
# Deliberately outside the repository so that clones share it.
OTOP_CACHE="${OTOP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/otop}"

log() { printf '%s\n' "$*" >&2; }
die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

is_root() { [[ $(id -u) -eq 0 ]]; }

# sudo_cmd CMD...: run CMD as root (directly when we are root, else via sudo).
sudo_cmd() {
	if is_root; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		die "need root to run: $* (not root and sudo is not installed)"
	fi
}

# apt_install PKG...: install Debian packages (used on fresh machines only).
apt_install() {
	command -v apt-get >/dev/null 2>&1 ||
		die "cannot install $* automatically (no apt-get); install it with your package manager"
	if [[ -n ${OTOP_NO_INSTALL:-} ]]; then
		die "$* is required but OTOP_NO_INSTALL is set; install it yourself"
	fi
	log "installing $* with apt-get (needs root)"
	sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
	sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

# short_hash STRING: 8 hex chars identifying STRING (e.g. the repository path).
short_hash() { printf '%s' "$1" | sha256sum | cut -c1-8; }

# port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
# Uses bash's /dev/tcp, so it needs neither curl nor nc.
port_open() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# http_ok PORT PATH: true when GET http://127.0.0.1:PORT/PATH answers 2xx.
http_ok() {
	local port=$1 path=$2
	if command -v curl >/dev/null 2>&1; then
		curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:${port}${path}"
		return
	fi
	# shellcheck disable=SC2016 # expanded by the inner bash
	timeout 3 bash -c '
		exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
		printf "GET %s HTTP/1.0\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n" "$2" "$1" >&3
		IFS= read -r status <&3 || exit 1
		[[ $status =~ ^HTTP/[0-9.]+\ 2[0-9][0-9] ]]
	' _ "$port" "$path" 2>/dev/null
}

# go_install_cached MODULE_PATH@VERSION DEST: build a Go program into DEST unless
# DEST already exists. Builds in a temporary GOBIN and moves the result into
# place atomically, under a lock so that concurrent callers build it once.
go_install_cached() {
	local pkg=$1 dest=$2 tmp name
	[[ -x $dest ]] && return 0
	command -v go >/dev/null 2>&1 || die "go is not installed (needed to build $pkg)"
	mkdir -p "$(dirname "$dest")"
	(
		if command -v flock >/dev/null 2>&1; then
			exec 8>"$dest.lock"
			flock 8
		fi
		[[ -x $dest ]] && exit 0
		tmp="$(mktemp -d)"
		trap 'rm -rf "$tmp"' EXIT
		name="${pkg%@*}"
		name="${name##*/}"
		log "building $pkg (first run only, may take a few minutes)"
		# Run outside the repository so its go.mod / go.work play no part.
		(cd "$tmp" && GOBIN="$tmp/bin" GOFLAGS=-mod=mod GOWORK=off go install "$pkg") >&2 ||
			die "go install $pkg failed"
		mv -f "$tmp/bin/$name" "$dest.tmp.$$"
		mv -f "$dest.tmp.$$" "$dest"
		log "built $dest"
	) || return 1
}
