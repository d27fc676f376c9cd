#!/usr/bin/env bash
# Benchmarks of the catalogue reads and the image pipeline (make bench).
#
# Brings up the throwaway test services, loads 100k demo products into a
# database of its own, serves the API on 127.0.0.1:18080, then measures on
# loopback only, each for DURATION at CONCURRENCY:
#   1. GET /v1/products/{id} and a filtered GET /v1/products through the API
#      (wrk, from Debian's packages, installed when missing),
#   2. pgbench running the same SQL on the same database,
#   3. search (scripts/bench/searchbench, at CONCURRENCY_SEARCH): a full
#      rebuild of an embedded index from PostgreSQL, then a fixed query set
#      against that index in process and through GET /v1/search of the
#      serve, whose own index it built at startup (timed until /readyz),
#      with a CPU profile of serve (PPROF_ADDR) for the engine's share of
#      its CPU time;
#      then, with serve's read caches on, the same queries repeated and
#      with 10 % of them made unique,
# and the image pipeline on a 12-megapixel JPEG. Query plans of every list
# filter are written to $OUT/plans.txt. Then
#   4. curation (scripts/bench/curationbench, at CONCURRENCY_CURATION, with
#      one curator of each Select center, created with `otop user create`):
#      10k of the published products moved back to review, then
#      GET /v1/curation/queue pages for DURATION, approvals, and the time
#      from an approval until search finds the product.
#   5. orders (scripts/bench/orderbench, at CONCURRENCY_ORDERS): orders of
#      distinct made-to-order products, orders of one hot product with stock
#      until it sells out (checked for oversell), and order lists.
#   6. stats (scripts/bench/statsbench, at CONCURRENCY_STATS): 50k inquiries
#      and 20k orders added in SQL over 30 months, then each stats route as
#      anonymous callers, a curator and an admin (made with `otop user
#      create`), in JSON and as CSV, checked against GROUP BY.
#   7. export (scripts/bench/exportbench, as an admin made with `otop user
#      create`): GET /v1/exports/products.csv of the published products and
#      of every status, and .xlsx of the published ones, one at a time:
#      rows/s, serve's CPU time and its peak RSS growth.
#   8. import (scripts/bench/importbench, as an admin): a CSV of 100k products
#      of 60 new producers through POST /v1/imports as a dry run, as an
#      import (until the job is done, and until the search outbox is
#      drained) and again (every row unchanged): rows/s and serve's peak RSS;
#      then 100k new products through `otop import --as` the admin, in a
#      process of its own: rows/s and that process's peak RSS.
# Results print as Markdown rows. BENCH_ONLY=curation runs only step 4,
# BENCH_ONLY=orders only step 5, BENCH_ONLY=stats only step 6, BENCH_ONLY=export only step 7, BENCH_ONLY=import only step 8 (on a freshly
# seeded database, whose search index serve builds first).
# The test services are stopped at the end unless they were already up.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

PRODUCTS=${PRODUCTS:-100000}
CONCURRENCY=${CONCURRENCY:-32}
CONCURRENCY_SEARCH=${CONCURRENCY_SEARCH:-16}
CONCURRENCY_CURATION=${CONCURRENCY_CURATION:-16}
CONCURRENCY_ORDERS=${CONCURRENCY_ORDERS:-16}
CURATION_FLAGS=${CURATION_FLAGS:-} # more curationbench flags, e.g. "-approvals 500 -searchable 40"
CONCURRENCY_STATS=${CONCURRENCY_STATS:-4}
BENCH_ONLY=${BENCH_ONLY:-}         # empty: every step; curation, orders, stats, export or import: only that step
case $BENCH_ONLY in
'' | curation | orders | stats | export | import) ;;
*)
	echo "BENCH_ONLY=$BENCH_ONLY: want curation, orders, stats, export, import, or nothing for every step" >&2
	exit 2
	;;
esac
DURATION=${DURATION:-20s}
PORT=${BENCH_PORT:-18080}
PPROF_PORT=${BENCH_PPROF_PORT:-18061} # serve's profiles, for the engine's share of its CPU time
OUT=${OUT:-.data/bench}
READY_TIMEOUT=${READY_TIMEOUT:-1800} # seconds for serve to build its search index and answer /readyz
mkdir -p "$OUT"

# Services someone else started (and may be running tests on) stay up.
services_were_up=
if scripts/services.sh status test >/dev/null 2>&1; then services_were_up=1; fi
scripts/services.sh up test
server_pid=
stop_server() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=; fi; }
stop_services() {
	if [ -n "$services_were_up" ]; then
		echo "leaving the test services up: they were running before this benchmark" >&2
	else
		scripts/services.sh down test
	fi
}
trap 'stop_server; stop_services' EXIT
if [ -z "$BENCH_ONLY" ] && ! command -v wrk >/dev/null; then # the HTTP load generator, from Debian's packages
	if [ "$(id -u)" = 0 ]; then apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }; else sudo apt-get install -y wrk; fi
fi
eval "$(scripts/services.sh env test)"
unset MEILI_URL # serve uses the embedded search engine, with its index under DATA_DIR

pgbin=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/pgbench | sort -V | tail -n1)")
admin_url=$TEST_DATABASE_URL
db_url=${admin_url%/postgres*}/otop_bench?sslmode=disable
psql -q "$admin_url" -c 'DROP DATABASE IF EXISTS otop_bench WITH (FORCE)' -c 'CREATE DATABASE otop_bench'

export DATABASE_URL=$db_url MINIO_ENDPOINT=$TEST_MINIO_ENDPOINT MINIO_ACCESS_KEY=$TEST_MINIO_ACCESS_KEY \
	MINIO_SECRET_KEY=$TEST_MINIO_SECRET_KEY MINIO_BUCKET=otop-bench HTTP_ADDR=127.0.0.1:$PORT \
	DATA_DIR=$OUT/data LOG_LEVEL=warn DB_MAX_OPEN_CONNS=${DB_MAX_OPEN_CONNS:-32}
go build -o bin/otop .
go build -o bin/searchbench ./scripts/bench/searchbench
go build -o bin/curationbench ./scripts/bench/curationbench
go build -o bin/orderbench ./scripts/bench/orderbench
go build -o bin/statsbench ./scripts/bench/statsbench
go build -o bin/exportbench ./scripts/bench/exportbench
go build -o bin/importbench ./scripts/bench/importbench
bin/otop migrate
seed_start=$(date +%s)
bin/otop seed --demo --products "$PRODUCTS" --images 0 2>&1 | tail -n 2
echo "seeded $PRODUCTS products in $(( $(date +%s) - seed_start )) s" >&2

# start_server [VAR=value...]: serves the API in the background and waits
# for /readyz; sets serve_ready (seconds) and serve_hwm_kb.
start_server() {
	local start
	start=$(date +%s.%N)
	env "$@" bin/otop serve &
	server_pid=$!
	local deadline=$((SECONDS + READY_TIMEOUT))
	until curl -sf --max-time 5 "http://127.0.0.1:$PORT/readyz" >/dev/null; do
		if ! kill -0 "$server_pid" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
			echo "serve did not become ready within $READY_TIMEOUT s" >&2
			exit 1
		fi
		sleep 1
	done
	serve_ready=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	serve_hwm_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$server_pid/status")
}
caches_off=(CACHE_PRODUCTS_MB=0 CACHE_LISTS_MB=0 CACHE_SEARCHES_MB=0)

# curation_step: step 4, through a serve with its defaults on the index
# under $OUT/data (opened if the earlier steps built it, built otherwise).
curation_step() {
	local password=bench-curator-pass-7291 logins='' center email
	for center in chiang-mai khon-kaen songkhla bangkok; do
		email=bench-curator-$center@example.com
		bin/otop user create --email "$email" --password "$password" --role curator --select-center "$center" >&2
		logins+=${logins:+,}$email:$password
	done
	start_server PPROF_ADDR=127.0.0.1:$PPROF_PORT
	echo "serve ready for the curation run in $serve_ready s" >&2
	# shellcheck disable=SC2086 # CURATION_FLAGS is a list of flags
	timeout 3600 bin/curationbench -api "http://127.0.0.1:$PORT" -database-url "$db_url" -login "$logins" \
		-concurrency "$CONCURRENCY_CURATION" -duration "$DURATION" -pid "$server_pid" \
		-pprof "http://127.0.0.1:$PPROF_PORT" -profile-dir "$OUT" $CURATION_FLAGS >"$OUT/curation.md"
	stop_server
	echo
	cat "$OUT/curation.md"
}

# orders_step: step 5, through a serve with its defaults.
orders_step() {
	start_server PPROF_ADDR=127.0.0.1:$PPROF_PORT # for profiles taken by hand during the run
	echo "serve ready for the orders run in $serve_ready s" >&2
	timeout 3600 bin/orderbench -api "http://127.0.0.1:$PORT" -database-url "$db_url" \
		-concurrency "$CONCURRENCY_ORDERS" -duration "$DURATION" >"$OUT/orders.md"
	stop_server
	echo
	cat "$OUT/orders.md"
}

# stats_step: step 6, through a serve with its defaults (which folds the
# counters as it starts and every 30 s).
stats_step() {
	local password=stats-lantern-tamarind-5813 admin=bench-stats-admin@example.com curator=bench-stats-curator@example.com
	bin/otop user create --email "$admin" --password "$password" --role admin >&2
	bin/otop user create --email "$curator" --password "$password" --role curator --select-center chiang-mai >&2
	start_server
	echo "serve ready for the stats run in $serve_ready s" >&2
	timeout 3600 bin/statsbench -api "http://127.0.0.1:$PORT" -database-url "$db_url" \
		-login "$admin:$password,$curator:$password" -concurrency "$CONCURRENCY_STATS" -duration "$DURATION" >"$OUT/stats.md"
	stop_server
	echo
	cat "$OUT/stats.md"
}

# export_step: step 7, through a serve with its defaults.
export_step() {
	local password=export-pomelo-lacquer-3917 admin=bench-export-admin@example.com
	bin/otop user create --email "$admin" --password "$password" --role admin >&2
	start_server
	echo "serve ready for the export run in $serve_ready s" >&2
	timeout 3600 bin/exportbench -api "http://127.0.0.1:$PORT" -database-url "$db_url" -login "$admin:$password" \
		-pid "$server_pid" >"$OUT/export.md"
	stop_server
	echo
	cat "$OUT/export.md"
}

# import_step: step 8, through a serve with its defaults.
import_step() {
	local password=import-longan-celadon-2684 admin=bench-import-admin@example.com
	bin/otop user create --email "$admin" --password "$password" --role admin >&2
	start_server
	echo "serve ready for the import run in $serve_ready s" >&2
	timeout 3600 bin/importbench -api "http://127.0.0.1:$PORT" -database-url "$db_url" -login "$admin:$password" \
		-pid "$server_pid" -otop bin/otop >"$OUT/import.md"
	stop_server
	echo
	cat "$OUT/import.md"
}

case $BENCH_ONLY in
curation)
	rm -rf "$OUT/data" # a new database: serve builds its index from it
	curation_step
	exit 0
	;;
orders)
	rm -rf "$OUT/data"
	orders_step
	exit 0
	;;
stats)
	rm -rf "$OUT/data"
	stats_step
	exit 0
	;;
export)
	rm -rf "$OUT/data"
	export_step
	exit 0
	;;
import)
	rm -rf "$OUT/data"
	import_step
	exit 0
	;;
esac

# No index under DATA_DIR: serve builds it from PostgreSQL, /readyz 503 until
# done (and forgets the outbox entries the seed queued, which the build covers).
# The first runs are without the read caches: they measure the work of each request.
rm -rf "$OUT/data" "$OUT"/searchbench-*
start_server "${caches_off[@]}" PPROF_ADDR=127.0.0.1:$PPROF_PORT
echo "serve ready (/readyz 200) in $serve_ready s, search index built at startup; peak RSS $((serve_hwm_kb / 1024)) MiB" >&2

psql -qAt "$db_url" >"$OUT/ids.txt" -c "SELECT '/v1/products/' || id FROM products WHERE status = 'published' ORDER BY md5(id::text) LIMIT 20000"
# One filter per request, every value of every filter of GET /v1/products, newest first.
psql -qAt "$db_url" >"$OUT/lists.txt" -c "
	SELECT path FROM (
		SELECT DISTINCT '/v1/products?province=' || province_code AS path FROM products
		UNION SELECT DISTINCT '/v1/products?cluster=' || cluster_id FROM products WHERE cluster_id IS NOT NULL
		UNION SELECT DISTINCT '/v1/products?region=' || region FROM products
		UNION SELECT DISTINCT '/v1/products?category=' || category FROM products
		UNION SELECT DISTINCT '/v1/products?select_center=' || select_center_id FROM products
		UNION SELECT DISTINCT '/v1/products?creative_industry=' || creative_industry FROM products WHERE creative_industry IS NOT NULL
		UNION SELECT '/v1/products?topotop=true'
		UNION SELECT '/v1/products?min_stars=' || s FROM generate_series(1, 5) s
	) p ORDER BY md5(path)"
grep -- '?province=' "$OUT/lists.txt" >"$OUT/provinces.txt"
psql -q "$db_url" <<'SQL'
CREATE TABLE bench_ids AS SELECT row_number() OVER (ORDER BY md5(id::text)) AS n, id FROM products WHERE status = 'published';
CREATE UNIQUE INDEX ON bench_ids (n);
CREATE TABLE bench_provinces AS SELECT row_number() OVER (ORDER BY code) AS n, code FROM (SELECT DISTINCT province_code AS code FROM products) p;
ANALYZE bench_ids, bench_provinces;
SQL
nids=$(psql -qAt "$db_url" -c 'SELECT count(*) FROM bench_ids')

echo
echo "| workload (concurrency $CONCURRENCY, $DURATION) | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
api_row() { # label paths-file
	wrk -t 2 -c "$CONCURRENCY" -d 3s -s scripts/bench/paths.lua "http://127.0.0.1:$PORT" -- "$2" >/dev/null # warm-up
	LABEL=$1 wrk -t 2 -c "$CONCURRENCY" -d "$DURATION" -s scripts/bench/paths.lua "http://127.0.0.1:$PORT" -- "$2" | tail -n 1
}
catalogue_rows() { # label suffix
	api_row "API GET /v1/products/{id}$1" "$OUT/ids.txt"
	api_row "API GET /v1/products?province=<code>$1" "$OUT/provinces.txt"
	api_row "API GET /v1/products?<one filter> (every filter, every value)$1" "$OUT/lists.txt"
}
catalogue_rows ', read caches off'
timeout 3600 bin/searchbench -api "http://127.0.0.1:$PORT" -concurrency "$CONCURRENCY_SEARCH" -duration "$DURATION" \
	-pid "$server_pid" -pprof "http://127.0.0.1:$PPROF_PORT" -serve-index "$OUT/data/search" -serve-ready "${serve_ready}s" -serve-ready-hwm-kb "$serve_hwm_kb" \
	-dir "$OUT" >"$OUT/search.md"
stop_server

# The same with the read caches on (serve's defaults): the index exists now.
start_server
echo "serve ready with its read caches in $serve_ready s (index opened, not built)" >&2
catalogue_rows ', read caches on'
bin/searchbench -api "http://127.0.0.1:$PORT" -concurrency "$CONCURRENCY_SEARCH" -duration "$DURATION" \
	-api-only "API \`GET /v1/search\`, read caches on (the same queries)" >>"$OUT/search.md"
# Real traffic also has queries seen once: 10 % of the requests made unique.
bin/searchbench -api "http://127.0.0.1:$PORT" -concurrency "$CONCURRENCY_SEARCH" -duration "$DURATION" -tail 10 \
	-api-only "API \`GET /v1/search\`, read caches on, 10 % of the requests unique (misses)" >>"$OUT/search.md"
stop_server

pgbench_row() { # label script
	local secs=${DURATION%s}
	"$pgbin/pgbench" -n -M prepared -c "$CONCURRENCY" -j 2 -T "$secs" -D nids="$nids" -f "$2" "$db_url" 2>>"$OUT/pgbench.log" |
		awk -v label="$1" '
			/number of transactions actually processed/ { split($0, a, ": "); split(a[2], b, "/"); n = b[1] }
			/latency average/ { avg = $4 }
			/^tps/ { tps = $3 }
			END { printf "| %s | %d | %.0f | avg %.2f | | | | |\n", label, n, tps, avg }'
}
pgbench_row 'pgbench, same SQL as GET /v1/products/{id}' scripts/bench/sql/product_by_id.sql
pgbench_row 'pgbench, same SQL as GET /v1/products?province=<code>' scripts/bench/sql/products_by_province.sql
echo
cat "$OUT/search.md"

{
	for filter in "province_code = 'TH-50'" "cluster_id = 'upper-north-1'" "region = 'northeast'" "category = 'textile'" \
		"select_center_id = 'songkhla'" "creative_industry = 'crafts'" "topotop" "otop_stars >= 4" \
		"province_code = 'TH-40' AND category = 'textile'"; do
		for order in "created_at DESC, id DESC" "price_minor ASC, id ASC" "name_en ASC, id ASC"; do
			echo "== WHERE status = 'published' AND $filter ORDER BY $order LIMIT 21"
			psql -qAt "$db_url" -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) SELECT products.*, producers.user_id FROM products JOIN producers ON producers.id = products.producer_id WHERE products.status = 'published' AND products.$filter ORDER BY products.$order LIMIT 21" |
				grep -E 'Index|Scan|Sort|Execution Time' | head -6
		done
	done
} >"$OUT/plans.txt"
echo
echo "query plans: $OUT/plans.txt" >&2
go run ./scripts/bench/imagebench -n 5
curation_step
orders_step
stats_step
export_step
import_step
