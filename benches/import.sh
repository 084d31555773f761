#!/usr/bin/env bash
# Import benchmark: a customer csv of realistic rows (the demo generator's customers, written by
# `liyan-bench-direct import-csv`) through the real release server over HTTPS: upload, dry run,
# commit. Prints the seconds of each step; appends them to RESULTS.md. See benches/README.md.
#
# Knobs (environment):
#   LIYAN_BENCH_IMPORT_ROWS  rows in the file (default 100000; the target is < 60 s for 100,000)
#   LIYAN_BENCH_DATA         where the database and the file go (default benches/data)
#   LIYAN_BENCH_PORT         loopback port for the server (default 19443)
#   LIYAN_BENCH_SKIP_BUILD=1 use the binaries already built
#   LIYAN_BENCH_NO_RESULTS=1 print only; do not append to RESULTS.md
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/benches
ROWS=${LIYAN_BENCH_IMPORT_ROWS:-100000}
RUN=${LIYAN_BENCH_DATA:-$B/data}/import-$(date +%Y%m%d-%H%M%S)
PORT=${LIYAN_BENCH_PORT:-19443}
URL=https://127.0.0.1:$PORT
BIN=$ROOT/target/release/liyan
DIRECT=$B/direct/target/release/liyan-bench-direct
mkdir -p "$RUN"

SERVER_PID=""
cleanup() {
  if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$RUN/db"
}
trap cleanup EXIT
now_ns() { date +%s%N; }
secs() { awk "BEGIN { printf \"%.1f\", ($2 - $1) / 1e9 }"; }

if [[ ${LIYAN_BENCH_SKIP_BUILD:-} != 1 ]]; then
  [[ -d $ROOT/web/dist ]] || "$ROOT/scripts/build-web.sh"
  (cd "$ROOT" && cargo build --release --locked)
  (cd "$B/direct" && cargo build --release)
fi

"$BIN" demo --no-serve --customers 0 --data-dir "$RUN/db" >"$RUN/demo.log"
"$DIRECT" import-csv --out "$RUN/customers.csv" --rows "$ROWS"
echo "file: $ROWS rows, $(du -h "$RUN/customers.csv" | cut -f1)"

LIYAN_LOG=warn "$BIN" serve --data-dir "$RUN/db" --listen "127.0.0.1:$PORT" >"$RUN/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 200); do
  curl -sk -o /dev/null "$URL/api/v1/health" && break
  sleep 0.1
done
TOKEN=$(curl -sk -X POST "$URL/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"username":"admin","password":"Liyan@2026"}' | jq -r .access_token)
api() { curl -sk -H "authorization: Bearer $TOKEN" "$@"; }

t0=$(now_ns)
api -X POST -H 'content-type: text/csv' --data-binary "@$RUN/customers.csv" \
  "$URL/api/v1/imports?filename=customers.csv" >"$RUN/upload.json"
t1=$(now_ns)
ID=$(jq -r .id "$RUN/upload.json")
jq -c '{mapping}' "$RUN/upload.json" >"$RUN/mapping.json"
api -X POST -H 'content-type: application/json' --data-binary "@$RUN/mapping.json" \
  "$URL/api/v1/imports/$ID/dry-run" >"$RUN/dry-run.json"
t2=$(now_ns)
api -X POST -H 'content-type: application/json' --data-binary "@$RUN/mapping.json" \
  "$URL/api/v1/imports/$ID/commit" >"$RUN/commit.json"
t3=$(now_ns)

for step in dry-run commit; do
  created=$(jq -r .summary.created "$RUN/$step.json")
  if [[ $created != "$ROWS" ]]; then
    echo "$step did not plan $ROWS creations: $(head -c 600 "$RUN/$step.json")" >&2
    exit 1
  fi
done
UP=$(secs "$t0" "$t1"); DRY=$(secs "$t1" "$t2"); COMMIT=$(secs "$t2" "$t3"); TOTAL=$(secs "$t0" "$t3")
VERDICT=$(awk "BEGIN { print ($TOTAL < 60) ? \"met\" : \"MISSED\" }")
echo "upload ${UP} s, dry run ${DRY} s, commit ${COMMIT} s, total ${TOTAL} s (target < 60 s: $VERDICT)"

if [[ ${LIYAN_BENCH_NO_RESULTS:-} != 1 ]]; then
  {
    echo
    echo "## Import of $ROWS customers — $(date +%Y-%m-%d)"
    echo
    echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/ {print $2}') GiB RAM; release build; \`benches/import.sh\`."
    echo
    echo "| step | seconds |"
    echo "|---|---|"
    echo "| upload (parse, encrypt, store) | $UP |"
    echo "| dry run | $DRY |"
    echo "| commit (one transaction) | $COMMIT |"
    echo "| total | $TOTAL (target < 60: $VERDICT) |"
  } >>"$B/RESULTS.md"
fi
