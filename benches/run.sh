#!/usr/bin/env bash
# Liyan benchmarks: binary size, idle RSS, cold start, quick search and get-by-id under load,
# backup during writes; each figure beside its baseline from the same run and its target.
# Prints the figures and appends a dated section to benches/RESULTS.md. See benches/README.md.
#
# Knobs (environment):
#   LIYAN_BENCH_CUSTOMERS    customers in the seeded database (default 1000000)
#   LIYAN_BENCH_DATA         where the database, logs and backups go (default benches/data)
#   LIYAN_BENCH_PORT         loopback port for the server (default 19443)
#   LIYAN_BENCH_SECONDS      length of each load run (default 15)
#   LIYAN_BENCH_CONNECTIONS  concurrent connections of each load run (default 32)
#   LIYAN_BENCH_SKIP_BUILD=1 use the binaries already built
#   LIYAN_BENCH_NO_RESULTS=1 print only; do not append to RESULTS.md
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/benches
N=${LIYAN_BENCH_CUSTOMERS:-1000000}
DATA=${LIYAN_BENCH_DATA:-$B/data}
PORT=${LIYAN_BENCH_PORT:-19443}
DUR=${LIYAN_BENCH_SECONDS:-15}
CONNS=${LIYAN_BENCH_CONNECTIONS:-32}
WRK_THREADS=2
WRITE_SECONDS=300        # cap of the write load that runs during a backup (stopped when it is done)
HOST=127.0.0.1
URL=https://$HOST:$PORT
BIN=$ROOT/target/release/liyan
DIRECT=$B/direct/target/release/liyan-bench-direct
# Seeded once, never served: each run works on its own copy. The version changes when the
# generator does (2: customers with their past: consultations, stage history, timeline; 3: pinyin
# terms of the current rules, so the first start has no terms to rewrite).
SEED_VERSION=3
SEED_DIR=$DATA/seed-$N-v$SEED_VERSION
NL=$( ((N % 1000000 == 0)) && echo "$((N / 1000000))M" || { ((N % 1000 == 0)) && echo "$((N / 1000))k" || echo "$N"; })
EMPTY_DIR=$DATA/empty
RUN=$DATA/run-$(date +%Y%m%d-%H%M%S)
DB_DIR=$RUN/db
TABLE=$RUN/table.md
NOTES=$RUN/notes.md
mkdir -p "$RUN"

SERVER_PID=""
BG_PIDS=()
cleanup() {
  for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$DB_DIR" "$RUN/backups" "$RUN/cp-copy.db"   # the run's copy of the database: about 1 GB
}
trap cleanup EXIT

say() { printf '%s\n' "$*" | tee -a "$RUN/log.txt"; }
note() { printf -- '- %s\n' "$*" >>"$NOTES"; say "note: $*"; }
# fig NAME MEASURED BASELINE TARGET VERDICT
fig() {
  printf '| %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$5" >>"$TABLE"
  say "$(printf '%-44s %-34s baseline: %-34s target: %-12s %s' "$1" "$2" "$3" "$4" "$5")"
}
kv() { sed -n "s/.*[ ^]$1=\([^ ]*\).*/\1/p" <<<" $2" | head -1; }
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }   # EXPR [DECIMALS]
verdict() { if awk "BEGIN { exit !($1) }"; then echo met; else echo MISSED; fi; }
now_ns() { date +%s%N; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# ---------------------------------------------------------------------------------------------
say "== Liyan benchmarks $(date -u +%Y-%m-%dT%H:%M:%SZ), $N customers, run dir $RUN"
say "load average before: $(loadavg)"
LOAD_BEFORE=$(loadavg)

for tool in wrk curl jq sqlite3; do
  command -v $tool >/dev/null || { echo "run.sh needs $tool (apt-get install -y $tool)" >&2; exit 1; }
done

if [[ ${LIYAN_BENCH_SKIP_BUILD:-0} != 1 ]]; then
  if [[ ! -f $ROOT/web/dist/index.html ]]; then
    say "building the web app (web/dist is missing)"
    "$ROOT/scripts/build-web.sh"
  fi
  say "building the release binary"
  (cd "$ROOT" && cargo build --release --quiet)
  say "building the direct-SQL baseline"
  cargo build --release --quiet --manifest-path "$B/direct/Cargo.toml"
fi
[[ -x $BIN && -x $DIRECT ]] || { echo "binaries missing; run without LIYAN_BENCH_SKIP_BUILD" >&2; exit 1; }

# The server and CLI run from the run dir so that no ./liyan.toml of the caller is picked up.
liyan() { (cd "$RUN" && "$BIN" "$@"); }

start_server() { # DATA_DIR
  (cd "$RUN" && LIYAN_BENCH=1 LIYAN_LISTEN=$HOST:$PORT exec "$BIN" serve --data-dir "$1") >>"$RUN/serve.log" 2>&1 &
  SERVER_PID=$!
}
stop_server() {
  if [[ -n $SERVER_PID ]]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  SERVER_PID=""
}
# Milliseconds from now until /api/v1/health answers 200 (polled every 5 ms; 60 s at most).
wait_health_ms() { # START_NS
  local code
  while :; do
    code=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 2 "$URL/api/v1/health" || true)
    [[ $code == 200 ]] && break
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then echo "server exited; see $RUN/serve.log" >&2; tail -5 "$RUN/serve.log" >&2; exit 1; fi
    (( $(now_ns) - $1 > 60000000000 )) && { echo "server did not become healthy in 60 s" >&2; exit 1; }
    sleep 0.005
  done
  calc "($(now_ns) - $1) / 1e6" 0
}
drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null; }
rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$SERVER_PID/status"; }
login() {
  curl -sk --max-time 10 -H 'content-type: application/json' \
    -d '{"username":"admin","password":"Liyan@2026"}' "$URL/api/v1/auth/login" | jq -r '.access_token // empty'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# ---------------------------------------------------------------------------------------------
# Seed data: built once into SEED_DIR and copied for every run, so each run starts from the same
# database (a run adds the customers of its write load and the audit rows of its views).
# `liyan demo --customers 0` makes the clinic (stores, staff, logins); the bench tool then adds
# the customers with the demo generator.
SEED_INFO=$DATA/seed-$N-v$SEED_VERSION.txt
# A seed made before the newest migration is made again: migrating 1M customers (after the
# automatic backup) is not what a start-up figure should measure.
SCHEMA=$(ls "$ROOT/migrations" | sed -n 's/^V\([0-9]*\)__.*/\1/p' | sort -n | tail -1)
SEED_SCHEMA=$(sqlite3 -readonly "$SEED_DIR/liyan.db" "SELECT max(version) FROM refinery_schema_history" 2>/dev/null || echo 0)
if [[ ! -f $SEED_DIR/liyan.db || ! -f $SEED_INFO || $SEED_SCHEMA != "$SCHEMA" ]]; then
  rm -rf "$SEED_DIR"
  say "seeding $N customers into $SEED_DIR (once; later runs reuse it)"
  t0=$(now_ns)
  liyan demo --no-serve --customers 0 --data-dir "$SEED_DIR" >"$RUN/seed.log" 2>&1
  "$DIRECT" seed --data-dir "$SEED_DIR" --customers "$N" 2>&1 | tee -a "$RUN/seed.log"
  secs=$(calc "($(now_ns) - $t0) / 1e9")
  printf 'customers=%s seconds=%.1f rate_per_s=%.0f date=%s load=%s\n' "$N" "$secs" "$(calc "$N / $secs")" "$(date -u +%F)" "$(loadavg | tr ' ' ,)" >"$SEED_INFO"
fi
say "seed: $(cat "$SEED_INFO")"
cp -a "$SEED_DIR" "$DB_DIR"
# One untimed start and clean stop: replays the seed's write-ahead log into the file.
start_server "$DB_DIR"; wait_health_ms "$(now_ns)" >/dev/null; stop_server
DB_BYTES=$(stat -c %s "$DB_DIR/liyan.db")
CUSTOMERS_NOW=$(sqlite3 -readonly "$DB_DIR/liyan.db" "SELECT count(*) FROM customers" 2>/dev/null || echo "?")
TERMS_NOW=$(sqlite3 -readonly "$DB_DIR/liyan.db" "SELECT count(*) FROM customer_search" 2>/dev/null || echo "?")
say "database: $(calc "$DB_BYTES / 1e6" 0) MB, $CUSTOMERS_NOW customers, $TERMS_NOW search terms"

# A second, empty data directory: the baseline for RSS and start-up.
if [[ ! -f $EMPTY_DIR/liyan.db ]]; then
  start_server "$EMPTY_DIR"; wait_health_ms "$(now_ns)" >/dev/null; stop_server
fi

# ---------------------------------------------------------------------------------------------
say "-- binary size"
BIN_BYTES=$(stat -c %s "$BIN")
DIST_BYTES=$(du -sb "$ROOT/web/dist" | cut -f1)
fig "binary size (release, SPA embedded)" "$(calc "$BIN_BYTES / 1e6") MB" "web/dist alone $(calc "$DIST_BYTES / 1e6") MB" "< 25 MB" "$(verdict "$BIN_BYTES < 25e6")"

# ---------------------------------------------------------------------------------------------
say "-- start-up and idle RSS"
COLD=yes
if ! drop_caches; then COLD=no; note "could not drop the page cache (/proc/sys/vm/drop_caches not writable): start-up figures are warm"; fi
starts_cold=(); starts_warm=(); starts_empty=()
for i in 1 2 3; do
  if [[ $COLD == yes ]]; then
    drop_caches; t0=$(now_ns); start_server "$DB_DIR"; starts_cold+=("$(wait_health_ms "$t0")"); stop_server
  fi
  t0=$(now_ns); start_server "$DB_DIR"; starts_warm+=("$(wait_health_ms "$t0")"); stop_server
  t0=$(now_ns); start_server "$EMPTY_DIR"; starts_empty+=("$(wait_health_ms "$t0")"); stop_server
done
WARM_MS=$(printf '%s\n' "${starts_warm[@]}" | median)
EMPTY_MS=$(printf '%s\n' "${starts_empty[@]}" | median)
if [[ $COLD == yes ]]; then
  COLD_MS=$(printf '%s\n' "${starts_cold[@]}" | median)
  fig "start to first 200 /health, $NL db, cold cache" "${COLD_MS} ms (median of ${starts_cold[*]})" "empty db, warm: ${EMPTY_MS} ms" "< 1000 ms" "$(verdict "$COLD_MS < 1000")"
  # What start-up spends: the quick_check of the whole file, alone, with the cache dropped.
  drop_caches; t0=$(now_ns); sqlite3 -readonly "$DB_DIR/liyan.db" "PRAGMA quick_check" >/dev/null
  QC_COLD_MS=$(calc "($(now_ns) - $t0) / 1e6" 0)
  t0=$(now_ns); sqlite3 -readonly "$DB_DIR/liyan.db" "PRAGMA quick_check" >/dev/null
  QC_WARM_MS=$(calc "($(now_ns) - $t0) / 1e6" 0)
  fig "start-up step: PRAGMA quick_check alone (sqlite3)" "cold ${QC_COLD_MS} ms, warm ${QC_WARM_MS} ms" "-" "-" "info"
fi
# After an abnormal end (kill -9) the server checks the whole file before it serves.
start_server "$DB_DIR"; wait_health_ms "$(now_ns)" >/dev/null
kill -KILL "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
[[ $COLD == yes ]] && drop_caches
t0=$(now_ns); start_server "$DB_DIR"; UNCLEAN_MS=$(wait_health_ms "$t0"); stop_server
fig "start after kill -9 (full check), $([[ $COLD == yes ]] && echo cold || echo warm) cache" "${UNCLEAN_MS} ms" "clean start: ${WARM_MS} ms warm" "-" "info"
fig "start to first 200 /health, $NL db, warm cache" "${WARM_MS} ms (median of ${starts_warm[*]})" "empty db: ${EMPTY_MS} ms" "< 1000 ms" "$(verdict "$WARM_MS < 1000")"

start_server "$EMPTY_DIR"; wait_health_ms "$(now_ns)" >/dev/null; sleep 5; RSS_EMPTY=$(rss_kib); stop_server
start_server "$DB_DIR"; wait_health_ms "$(now_ns)" >/dev/null; sleep 5; RSS_IDLE=$(rss_kib)
fig "idle RSS of serve, $NL db, 5 s after start" "$(calc "$RSS_IDLE * 1024 / 1e6") MB" "empty db: $(calc "$RSS_EMPTY * 1024 / 1e6") MB" "< 40 MB" "$(verdict "$RSS_IDLE * 1024 < 40e6")"

# ---------------------------------------------------------------------------------------------
say "-- load: $CONNS connections, $WRK_THREADS wrk threads, ${DUR} s each"
QDIR=$RUN/queries
"$DIRECT" queries --customers "$N" --out "$QDIR"

declare -A RPS P50 P99 BAD
wrk_run() { # NAME KIND FILE_OR_PATH [auth]
  local name=$1 kind=$2 arg=$3 auth=${4:-} hdr=() line
  if [[ -n $auth ]]; then
    local token; token=$(login)
    [[ -n $token ]] || { echo "login as admin failed" >&2; exit 1; }
    hdr=(-H "Authorization: Bearer $token")
  fi
  wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DUR}s" --timeout 10s "${hdr[@]}" -s "$B/wrk/query.lua" "$URL" -- "$kind" "$arg" >"$RUN/wrk-$name.txt" 2>&1
  line=$(grep '^RESULT' "$RUN/wrk-$name.txt")
  RPS[$name]=$(calc "$(kv rps "$line")" 0); P50[$name]=$(kv p50_ms "$line"); P99[$name]=$(kv p99_ms "$line"); BAD[$name]=$(( $(kv non2xx "$line") + $(kv socket_errors "$line") ))
  say "  $name: ${RPS[$name]} req/s, p50 ${P50[$name]} ms, p99 ${P99[$name]} ms, errors ${BAD[$name]}   (load $(loadavg))"
}

CONSTANT=no
if [[ $(curl -sk -o /dev/null -w '%{http_code}' "$URL/api/v1/bench/constant") == 200 ]]; then
  CONSTANT=yes
  wrk_run constant path /api/v1/bench/constant
else
  note "GET /api/v1/bench/constant is not in this binary: the constant-handler baseline is missing; GET /api/v1/setup/status stands in (it reads the database)"
  wrk_run constant path /api/v1/setup/status
fi
CONST_LABEL=$([[ $CONSTANT == yes ]] && echo "constant handler" || echo "stand-in /setup/status")
wrk_run health path /api/v1/health
wrk_run tail tail "$QDIR/tail.txt" auth
wrk_run name name "$QDIR/name.txt" auth
wrk_run pinyin pinyin "$QDIR/pinyin.txt" auth
wrk_run id id "$QDIR/id.txt" auth
wrk_run overview overview "$QDIR/overview.txt" auth
RSS_AFTER=$(rss_kib)
stop_server

say "-- the same SQL straight through rusqlite (server stopped)"
"$DIRECT" sql --db "$DB_DIR/liyan.db" --queries "$QDIR" --seconds 5 --threads 1 | tee "$RUN/direct-1.txt"
"$DIRECT" sql --db "$DB_DIR/liyan.db" --queries "$QDIR" --seconds 5 --threads 2 | tee "$RUN/direct-2.txt"
"$DIRECT" commit --dir "$RUN/commit-probe" --seconds 5 | tee "$RUN/direct-commit.txt"
dget() { kv "$2" "$(grep "^direct $1 " "$3")"; }

for q in tail name pinyin; do
  label=$(case $q in tail) echo "mobile tail (q=4 digits)";; name) echo "name substring (q=2 Han chars)";; pinyin) echo "pinyin initials (q=3 letters)";; esac)
  fig "search $label, p50 / p99" "${P50[$q]} / ${P99[$q]} ms" "SQL alone: $(dget "$q" p50_ms "$RUN/direct-1.txt") / $(dget "$q" p99_ms "$RUN/direct-1.txt") ms (re-prepared on $(dget "$q" reprepared "$RUN/direct-1.txt") of runs)" "p99 < 20 ms" "$(verdict "${P99[$q]} < 20 && ${BAD[$q]} == 0")"
  fig "search $label, req/s" "${RPS[$q]}" "SQL 1 thread $(dget "$q" qps "$RUN/direct-1.txt")/s, 2 threads $(dget "$q" qps "$RUN/direct-2.txt")/s; $CONST_LABEL ${RPS[constant]}" "-" "errors ${BAD[$q]}"
done
fig "get-by-id, p50 / p99" "${P50[id]} / ${P99[id]} ms" "SQL alone: $(dget id p50_ms "$RUN/direct-1.txt") / $(dget id p99_ms "$RUN/direct-1.txt") ms; one durable commit $(dget commit p50_ms "$RUN/direct-commit.txt") / $(dget commit p99_ms "$RUN/direct-commit.txt") ms" "-" "errors ${BAD[id]}"
fig "get-by-id, req/s" "${RPS[id]} ($(calc "100 * ${RPS[id]} / ${RPS[constant]}" 0)% of $CONST_LABEL)" "$CONST_LABEL ${RPS[constant]}; SQL 1 thread $(dget id qps "$RUN/direct-1.txt")/s, 2 threads $(dget id qps "$RUN/direct-2.txt")/s; durable commits $(dget commit per_s "$RUN/direct-commit.txt")/s" ">= 50% of constant" "$(verdict "${RPS[id]} >= 0.5 * ${RPS[constant]} && ${BAD[id]} == 0")"
fig "360° page (overview), p50 / p99" "${P50[overview]} / ${P99[overview]} ms at ${RPS[overview]} req/s" "the same reads alone: $(dget overview p50_ms "$RUN/direct-1.txt") / $(dget overview p99_ms "$RUN/direct-1.txt") ms, $(dget overview qps "$RUN/direct-1.txt")/s (1 thread)" "p99 < 50 ms" "$(verdict "${P99[overview]} < 50 && ${BAD[overview]} == 0")"
fig "$CONST_LABEL / health, req/s (p99)" "${RPS[constant]} (${P99[constant]} ms) / ${RPS[health]} (${P99[health]} ms)" "-" "-" "baseline"
fig "RSS after the load runs" "$(calc "$RSS_AFTER * 1024 / 1e6") MB" "idle $(calc "$RSS_IDLE * 1024 / 1e6") MB" "-" "info"

# ---------------------------------------------------------------------------------------------
say "-- backup of the $NL database"
BK=$RUN/backups
backup_once() { # LABEL -> prints seconds; the summary line goes to the log
  local t0; t0=$(now_ns)
  liyan backup --data-dir "$DB_DIR" --dest "$BK" --keep 1 >>"$RUN/backup.log" 2>&1 || { echo "backup failed, see $RUN/backup.log" >&2; exit 1; }
  calc "($(now_ns) - $t0) / 1e9"
}
start_server "$DB_DIR"; wait_health_ms "$(now_ns)" >/dev/null
BACKUP_IDLE=$(backup_once idle)
say "  backup, no writes: ${BACKUP_IDLE} s — $(tail -1 "$RUN/backup.log")"

# Writes: wrk posting new customers with unique 166… mobiles for at most WRITE_SECONDS.
max166=$(sqlite3 -readonly "$DB_DIR/liyan.db" "SELECT coalesce(max(CAST(substr(mobile, 4) AS INTEGER)), 0) FROM customers WHERE mobile GLOB '166*'")
token=$(login)
WRITES_START=$(now_ns)
wrk -t"$WRK_THREADS" -c4 -d"${WRITE_SECONDS}s" --timeout 10s -H "Authorization: Bearer $token" -s "$B/wrk/post.lua" "$URL" -- "$((max166 + 1))" "$WRK_THREADS" >"$RUN/wrk-writes.txt" 2>&1 &
WRK_PID=$!; BG_PIDS+=("$WRK_PID")
sleep 3
BACKUP_BUSY=$(backup_once busy)
BACKUP_END_S=$(calc "($(now_ns) - $WRITES_START) / 1e9")
WRITES_STILL=$(kill -0 "$WRK_PID" 2>/dev/null && echo yes || echo no)
say "  backup during writes: ${BACKUP_BUSY} s (finished ${BACKUP_END_S} s after the writes began; writes still running: $WRITES_STILL) — $(tail -1 "$RUN/backup.log")"
t0=$(now_ns); cp "$DB_DIR/liyan.db" "$RUN/cp-copy.db"; CP_S=$(calc "($(now_ns) - $t0) / 1e9" 2)
t0=$(now_ns); sync "$RUN/cp-copy.db"; CP_SYNC_S=$(calc "$CP_S + ($(now_ns) - $t0) / 1e9" 2)
rm -f "$RUN/cp-copy.db"
kill -INT "$WRK_PID" 2>/dev/null || true   # wrk stops on SIGINT and still prints its summary
wait "$WRK_PID" || true
wline=$(grep '^RESULT' "$RUN/wrk-writes.txt" || true)
WRITE_RPS=$(calc "$(kv rps "$wline")" 0)
say "  writes during the backup window: $WRITE_RPS req/s, p50 $(kv p50_ms "$wline") ms, p99 $(kv p99_ms "$wline") ms, max $(kv max_ms "$wline") ms, errors $(( $(kv non2xx "$wline") + $(kv socket_errors "$wline") ))"
if [[ $WRITES_STILL == no ]]; then
  note "the backup under write load finished only after the ${WRITE_SECONDS} s write load had stopped (${BACKUP_END_S} s after it began)"
fi
fig "liyan backup, $NL db, while writes continue" "${BACKUP_BUSY} s (writes still running at the end: $WRITES_STILL)" "cp $(calc "$DB_BYTES / 1e6" 0) MB: ${CP_S} s, cp + fsync: ${CP_SYNC_S} s; backup with no writes: ${BACKUP_IDLE} s" "-" "info"
fig "writes (POST /customers) during the backup" "$WRITE_RPS req/s, p99 $(kv p99_ms "$wline") ms" "-" "-" "info"
stop_server
# Where a backup's time goes: the integrity_check and SHA-256 of the copy, alone (warm cache).
COPY=$(ls -d "$BK"/liyan-backup-*/ 2>/dev/null | tail -1)
if [[ -n $COPY ]]; then
  t0=$(now_ns); sqlite3 -readonly "$COPY/liyan.db" "PRAGMA integrity_check" >/dev/null; IC_S=$(calc "($(now_ns) - $t0) / 1e9")
  t0=$(now_ns); sha256sum "$COPY/liyan.db" >/dev/null; SHA_S=$(calc "($(now_ns) - $t0) / 1e9")
  say "  of which, measured alone on the copy: PRAGMA integrity_check ${IC_S} s, SHA-256 ${SHA_S} s"
  fig "backup steps, measured alone on the copy" "integrity_check ${IC_S} s, SHA-256 ${SHA_S} s" "cp + fsync ${CP_SYNC_S} s" "-" "info"
fi
rm -rf "$BK"

# ---------------------------------------------------------------------------------------------
LOAD_AFTER=$(loadavg)
say "load average after: $LOAD_AFTER"
if [[ ${LIYAN_BENCH_NO_RESULTS:-0} == 1 ]]; then exit 0; fi
{
  echo
  echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — $N customers"
  echo
  echo "Code: $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)$(cd "$ROOT" && git diff --quiet HEAD -- src migrations Cargo.toml 2>/dev/null || echo ' with uncommitted changes in src/')."
  echo "Machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs, $(free -g | awk '/^Mem:/ { print $2 }') GiB RAM, Linux $(uname -r)."
  echo "Load average before / after: $LOAD_BEFORE / $LOAD_AFTER. Page cache for start-up: $([[ $COLD == yes ]] && echo dropped for the cold figure || echo "could not be dropped (warm only)")."
  echo "Seed: $(cat "$SEED_INFO"). Database at run time: $(calc "$DB_BYTES / 1e6" 0) MB, $CUSTOMERS_NOW customers, $TERMS_NOW search terms."
  echo "Load: wrk, $CONNS connections, $WRK_THREADS threads, ${DUR} s per figure, HTTPS on 127.0.0.1, logged in as the demo admin; wrk shares the 2 CPUs with the server."
  echo
  echo "| figure | measured | baseline (same run) | target | verdict |"
  echo "|---|---|---|---|---|"
  cat "$TABLE"
  if [[ -s $NOTES ]]; then echo; cat "$NOTES"; fi
} >>"$B/RESULTS.md"
say "appended to benches/RESULTS.md"
