#!/usr/bin/env bash
# PostGIS reference for BENCHMARKS.md: the same 1,000,000 synthetic features and the same query
# lists as `cargo bench --bench queries`, loaded into a throwaway PostgreSQL/PostGIS cluster on
# loopback, and the equivalent queries timed with pgbench (one client, prepared statements).
#
#   tools/bench_postgis.sh [N_FEATURES]
#
# Environment: DURATION (seconds per query kind, default 20), PGPORT_BENCH (default 55432),
# KEEP=1 to keep the temporary directory (data files, cluster, pgbench logs).
#
# What it does:
#  1. installs Debian's postgresql and the matching postgresql-NN-postgis-3 if they are missing
#     (needs root, as on the project's machines);
#  2. `cargo run --release --example synth_export` writes the features (WKT) and the query lists;
#  3. a throwaway cluster (tools/pg/throwaway.sh: initdb + pg_ctl as the `postgres` user, in a
#     temporary directory, listening on 127.0.0.1 only; fsync off, JIT off), no parallel
#     workers (one query = one core, like ours);
#  4. COPY, then geometry(4326) and geography columns, a GiST index on each, ANALYZE;
#  5. checks that PostGIS finds the same number of features as ours for every radius, box and
#     corridor query, then pgbench's per-transaction logs give the median, p90 and p99 latency
#     of each query kind (random query of the list per transaction), and of `SELECT 1` for the
#     client/server round trip that every PostGIS figure includes and ours do not.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-1000000}
DURATION=${DURATION:-20}
PORT=${PGPORT_BENCH:-55432}

log() { printf '\n== %s\n' "$*" >&2; }

# 1. PostgreSQL and PostGIS from Debian.
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    log "installing postgresql"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
MAJOR=$(basename "$(dirname "$PGBIN")")
if ! ls /usr/share/postgresql/"$MAJOR"/extension/postgis.control >/dev/null 2>&1; then
    log "installing postgresql-$MAJOR-postgis-3"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-$MAJOR-postgis-3" >/dev/null
fi
id postgres >/dev/null

WORK=$(mktemp -d /tmp/yuqian-postgis.XXXXXX)
cleanup() {
    tools/pg/throwaway.sh stop "$WORK" || true
    if [ "${KEEP:-0}" = 1 ]; then
        echo "kept $WORK" >&2
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

# 2. The data set and the query lists, exactly as the criterion bench makes them.
log "exporting $N synthetic features and the query lists"
cargo run --quiet --release --example synth_export -- "$WORK/data" "$N"

# 3. A throwaway cluster on loopback.
log "starting PostgreSQL $MAJOR in $WORK/pg on 127.0.0.1:$PORT"
# tools/pg/throwaway.sh: initdb and pg_ctl as `postgres` in $WORK/pg, loopback only, durability off.
PGBIN=$PGBIN PG_DATABASE=postgres PG_EXTRA_CONF="shared_buffers = 4GB
work_mem = 64MB
maintenance_work_mem = 2GB
max_parallel_workers_per_gather = 0
max_parallel_maintenance_workers = 0" tools/pg/throwaway.sh start "$WORK" "$PORT" >/dev/null

PSQL=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d postgres)
sql() { "${PSQL[@]}" "$@"; }

# 4. Load and index.
log "loading and indexing"
sql <<EOF
\timing on
CREATE EXTENSION postgis;
SELECT postgis_full_version();
CREATE UNLOGGED TABLE raw (fid int, id text, layer smallint, wkt text);
\echo COPY features.tsv
\copy raw FROM '$WORK/data/features.tsv'
\echo parse WKT into geometry(4326) and geography
CREATE UNLOGGED TABLE features AS
    SELECT fid, id, layer, g AS geom, g::geography AS geog
    FROM (SELECT fid, id, layer, ST_GeomFromText(wkt, 4326) AS g FROM raw) s;
DROP TABLE raw;
ALTER TABLE features ADD PRIMARY KEY (fid);
\echo GiST index on geography
CREATE INDEX features_geog ON features USING gist (geog);
\echo GiST index on geometry
CREATE INDEX features_geom ON features USING gist (geom);
VACUUM ANALYZE features;

CREATE TABLE knn (i int PRIMARY KEY, lon float8, lat float8, ours text);
\copy knn FROM '$WORK/data/knn.tsv'
ALTER TABLE knn ADD COLUMN g geography;
UPDATE knn SET g = ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography;

CREATE TABLE radius (i int PRIMARY KEY, lon float8, lat float8, r float8, ours int);
\copy radius FROM '$WORK/data/radius.tsv'
ALTER TABLE radius ADD COLUMN g geography;
UPDATE radius SET g = ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography;

CREATE TABLE boxes (i int PRIMARY KEY, x0 float8, y0 float8, x1 float8, y1 float8, ours int);
\copy boxes FROM '$WORK/data/boxes.tsv'
ALTER TABLE boxes ADD COLUMN env geometry;
UPDATE boxes SET env = ST_MakeEnvelope(x0, y0, x1, y1, 4326);

CREATE TABLE corridors (i int PRIMARY KEY, wkt text, w float8, ours int);
\copy corridors FROM '$WORK/data/corridors.tsv'
ALTER TABLE corridors ADD COLUMN gm geometry, ADD COLUMN g geography, ADD COLUMN len float8;
UPDATE corridors SET gm = ST_GeomFromText(wkt, 4326);
UPDATE corridors SET g = gm::geography;
UPDATE corridors SET len = ST_Length(g);
ANALYZE knn; ANALYZE radius; ANALYZE boxes; ANALYZE corridors;
\timing off
SELECT pg_size_pretty(pg_table_size('features')) AS table_size,
       pg_size_pretty(pg_relation_size('features_geog')) AS geog_index,
       pg_size_pretty(pg_relation_size('features_geom')) AS geom_index,
       pg_size_pretty(pg_total_relation_size('features')) AS total;
EOF

# 5a. Same answers? The 10 nearest ids in order, and counts per query, PostGIS against ours.
log "cross-check: features found by PostGIS vs ours, per query"
sql <<'EOF'
SELECT 'nearest k=10 (<-> then ST_Distance)' AS query, count(*) AS queries,
       count(*) FILTER (WHERE pg <> ours) AS differing, NULL AS avg_postgis, NULL AS avg_ours
FROM (SELECT q.i, q.ours,
             (SELECT string_agg(id, ',' ORDER BY d, id) FROM (
                 SELECT c.id, ST_Distance(c.geog, q.g) AS d
                 FROM (SELECT f.id, f.geog FROM features f ORDER BY f.geog <-> q.g LIMIT 50) c
                 ORDER BY d, c.id LIMIT 10) t) AS pg
      FROM knn q) s
UNION ALL
SELECT 'radius (ST_DWithin, spheroid)', count(*),
       count(*) FILTER (WHERE pg <> ours),
       round(avg(pg), 1), round(avg(ours), 1)
FROM (SELECT q.i, q.ours, (SELECT count(*) FROM features f WHERE ST_DWithin(f.geog, q.g, q.r)) AS pg
      FROM radius q) s
UNION ALL
SELECT 'bbox (&& + ST_Intersects)', count(*), count(*) FILTER (WHERE pg <> ours),
       round(avg(pg), 1), round(avg(ours), 1)
FROM (SELECT q.i, q.ours, (SELECT count(*) FROM features f
                           WHERE f.geom && q.env AND ST_Intersects(f.geom, q.env)) AS pg
      FROM boxes q) s
UNION ALL
SELECT 'corridor (ST_DWithin, spheroid)', count(*), count(*) FILTER (WHERE pg <> ours),
       round(avg(pg), 1), round(avg(ours), 1)
FROM (SELECT q.i, q.ours, (SELECT count(*) FROM features f WHERE ST_DWithin(f.geog, q.g, q.w)) AS pg
      FROM corridors q) s;
EOF

# 5b. Where PostGIS spends the time: the plan of the first query of each list.
log "plans (EXPLAIN ANALYZE) of query 0 of each list"
sql <<'EOF'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT c.id, ST_Distance(c.geog, q.g) AS d
FROM knn q, LATERAL (SELECT f.id, f.geog FROM features f ORDER BY f.geog <-> q.g LIMIT 50) c
WHERE q.i = 0 ORDER BY d, c.id LIMIT 10;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT f.id, ST_Distance(f.geog, q.g) AS d
FROM radius q JOIN features f ON ST_DWithin(f.geog, q.g, q.r)
WHERE q.i = 0 ORDER BY d, f.id;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT f.fid, count(*) OVER () AS matched
FROM boxes q JOIN features f ON f.geom && q.env AND ST_Intersects(f.geom, q.env)
WHERE q.i = 0 ORDER BY f.fid LIMIT 1000;
EOF

# 5c. Timings.
cat >"$WORK/select1.sql" <<'EOF'
SELECT 1;
EOF
cat >"$WORK/nearest.sql" <<'EOF'
\set i random(0, 1023)
SELECT c.id, ST_Distance(c.geog, q.g) AS d
FROM knn q, LATERAL (SELECT f.id, f.geog FROM features f ORDER BY f.geog <-> q.g LIMIT 50) c
WHERE q.i = :i
ORDER BY d, c.id
LIMIT 10;
EOF
cat >"$WORK/radius.sql" <<'EOF'
\set i random(0, 255)
SELECT f.id, ST_Distance(f.geog, q.g) AS d
FROM radius q JOIN features f ON ST_DWithin(f.geog, q.g, q.r)
WHERE q.i = :i
ORDER BY d, f.id;
EOF
cat >"$WORK/bbox.sql" <<'EOF'
\set i random(0, 255)
SELECT f.fid, count(*) OVER () AS matched
FROM boxes q JOIN features f ON f.geom && q.env AND ST_Intersects(f.geom, q.env)
WHERE q.i = :i
ORDER BY f.fid
LIMIT 1000;
EOF
cat >"$WORK/corridor.sql" <<'EOF'
\set i random(0, 127)
SELECT f.id, ST_Distance(f.geog, q.g) AS d,
       ST_LineLocatePoint(q.gm, ST_ClosestPoint(q.gm, f.geom)) * q.len AS chainage
FROM corridors q JOIN features f ON ST_DWithin(f.geog, q.g, q.w)
WHERE q.i = :i
ORDER BY chainage, d, f.id;
EOF

log "pgbench: 1 client, prepared statements, ${DURATION}s per query kind"
printf '%-10s %8s %10s %10s %10s %10s\n' query txns 'median_us' 'p90_us' 'p99_us' 'mean_us'
for q in select1 nearest radius bbox corridor; do
    # A short warm-up so every query's index pages are cached, then the timed run.
    "$PGBIN/pgbench" -n -M prepared -c 1 -j 1 -T 3 -f "$WORK/$q.sql" \
        -h 127.0.0.1 -p "$PORT" -U postgres postgres >/dev/null 2>&1
    (cd "$WORK" && "$PGBIN/pgbench" -n -M prepared -c 1 -j 1 -T "$DURATION" -f "$WORK/$q.sql" \
        -l --log-prefix="log_$q" -h 127.0.0.1 -p "$PORT" -U postgres postgres >/dev/null 2>&1)
    # Per-transaction log: client, txn, latency_us, script, epoch, epoch_us.
    cat "$WORK"/log_"$q".* | awk '{print $3}' | sort -n | awk -v q="$q" '
        { v[NR] = $1; s += $1 }
        END {
            m = v[int((NR - 1) * 0.5) + 1]; p90 = v[int((NR - 1) * 0.9) + 1]; p99 = v[int((NR - 1) * 0.99) + 1]
            printf "%-10s %8d %10d %10d %10d %10.0f\n", q, NR, m, p90, p99, s / NR
        }'
done
