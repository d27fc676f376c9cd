#!/usr/bin/env bash
# Benchmarks of the catalogue reads and the image pipeline (make bench).
#
# Brings up the throwaway test services, loads 100k demo products into a
# database of its own, serves the API on 127.0.0.1:18080, then measures on
# loopback only, each for DURATION at CONCURRENCY:
#   1. GET /v1/products/{id} and a filtered GET /v1/products through the API,
#   2. pgbench running the same SQL on the same database,
# and the image pipeline on a 12-megapixel JPEG. Query plans of every list
# filter are written to $OUT/plans.txt. Results print as Markdown rows.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

PRODUCTS=${PRODUCTS:-100000}
CONCURRENCY=${CONCURRENCY:-32}
DURATION=${DURATION:-20s}
PORT=${BENCH_PORT:-18080}
OUT=${OUT:-.data/bench}
mkdir -p "$OUT"

scripts/services.sh up test
trap 'kill "${server_pid:-0}" 2>/dev/null || true; scripts/services.sh down test' EXIT
eval "$(scripts/services.sh env test)"

pgbin=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/pgbench | sort -V | tail -n1)")
admin_url=$TEST_DATABASE_URL
db_url=${admin_url%/postgres*}/otop_bench?sslmode=disable
psql -q "$admin_url" -c 'DROP DATABASE IF EXISTS otop_bench WITH (FORCE)' -c 'CREATE DATABASE otop_bench'

export DATABASE_URL=$db_url MINIO_ENDPOINT=$TEST_MINIO_ENDPOINT MINIO_ACCESS_KEY=$TEST_MINIO_ACCESS_KEY \
	MINIO_SECRET_KEY=$TEST_MINIO_SECRET_KEY MINIO_BUCKET=otop-bench HTTP_ADDR=127.0.0.1:$PORT \
	DATA_DIR=$OUT/data LOG_LEVEL=warn DB_MAX_OPEN_CONNS=${DB_MAX_OPEN_CONNS:-20}
go build -o bin/otop .
go build -o bin/load ./scripts/bench/load
bin/otop migrate
seed_start=$(date +%s)
bin/otop seed --demo --products "$PRODUCTS" --images 0 2>&1 | tail -n 2
echo "seeded $PRODUCTS products in $(( $(date +%s) - seed_start )) s" >&2

bin/otop serve &
server_pid=$!
for _ in $(seq 1 100); do
	curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break
	sleep 0.2
done

psql -qAt "$db_url" >"$OUT/ids.txt" -c "SELECT '/v1/products/' || id FROM products WHERE status = 'published' ORDER BY md5(id::text) LIMIT 20000"
psql -qAt "$db_url" >"$OUT/lists.txt" -c "
	SELECT '/v1/products?province=' || p.code || '&category=' || c.id || '&limit=20'
	FROM (SELECT DISTINCT province_code AS code FROM products) p
	CROSS JOIN (VALUES ('food'), ('beverage'), ('textile'), ('household'), ('herbal')) c(id)
	ORDER BY md5(p.code || c.id)"
psql -q "$db_url" <<'SQL'
CREATE TABLE bench_ids AS SELECT row_number() OVER (ORDER BY md5(id::text)) AS n, id FROM products WHERE status = 'published';
CREATE UNIQUE INDEX ON bench_ids (n);
CREATE TABLE bench_provinces AS SELECT row_number() OVER (ORDER BY code) AS n, code FROM (SELECT DISTINCT province_code AS code FROM products) p;
CREATE TABLE bench_categories AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM (VALUES ('food'), ('beverage'), ('textile'), ('household'), ('herbal')) c(id);
ANALYZE bench_ids, bench_provinces, bench_categories;
SQL
nids=$(psql -qAt "$db_url" -c 'SELECT count(*) FROM bench_ids')

echo
echo "| workload | clients | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
bin/load -base "http://127.0.0.1:$PORT" -paths "$OUT/ids.txt" -c "$CONCURRENCY" -d "$DURATION" -label 'API GET /v1/products/{id}'
bin/load -base "http://127.0.0.1:$PORT" -paths "$OUT/lists.txt" -c "$CONCURRENCY" -d "$DURATION" -label 'API GET /v1/products?province&category'
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=

pgbench_row() { # label script
	local secs=${DURATION%s}
	"$pgbin/pgbench" -n -M prepared -c "$CONCURRENCY" -j 2 -T "$secs" -D nids="$nids" -f "$2" -P 0 "$db_url" 2>/dev/null |
		awk -v label="$1" -v c="$CONCURRENCY" '
			/number of transactions actually processed/ { split($0, a, ": "); split(a[2], b, "/"); n = b[1] }
			/latency average/ { avg = $4 }
			/^tps/ { tps = $3 }
			END { printf "| %s | %d | %d | %.0f | avg %.2f | | | | |\n", label, c, n, tps, avg }'
}
pgbench_row 'pgbench, same SQL as GET /v1/products/{id}' scripts/bench/sql/product_by_id.sql
pgbench_row 'pgbench, same SQL as the filtered list' scripts/bench/sql/products_by_province.sql

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
