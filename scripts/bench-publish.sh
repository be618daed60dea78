#!/usr/bin/env bash
# psib publish throughput against the local emulator, as a ratio to a raw
# HTTP load generator posting the same body at the same concurrency, and
# memory for a large batch. Figures for the README's performance section.
#
# Usage: scripts/bench-publish.sh [path/to/psib]
#   N=10000 CONC=16 BIG=100000 scripts/bench-publish.sh bin/psib
# Needs wrk (apt-get install wrk) for the load-generator baseline; without
# it the ratio is skipped. hey (go install github.com/rakyll/hey@latest) is
# used as a second baseline when it is on PATH.
set -euo pipefail
PSIB=${1:-bin/psib}
N=${N:-10000}
CONC=${CONC:-16}
BIG=${BIG:-100000}
OP=CHG_ASYNC_UTEST.v1
cd "$(dirname "$0")/.."
PSIB=$(cd "$(dirname "$PSIB")" && pwd)/$(basename "$PSIB")
work=$(mktemp -d)
gw=""
cleanup() { [ -n "$gw" ] && kill "$gw" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# start_gateway starts a fresh emulator (an empty message store) and sets
# $base; a running one is stopped first.
start_gateway() {
  if [ -n "$gw" ]; then kill "$gw" 2>/dev/null || true; wait "$gw" 2>/dev/null || true; fi
  rm -f "$work/addr"
  "$PSIB" gateway serve --addr-file "$work/addr" >/dev/null 2>"$work/gw.err" &
  gw=$!
  for _ in $(seq 200); do [ -s "$work/addr" ] && break; sleep 0.05; done
  [ -s "$work/addr" ] || { cat "$work/gw.err" >&2; echo "gateway did not start" >&2; exit 1; }
  base=$(cat "$work/addr")
  export PSIB_GATEWAY_URL=$base PSIB_FROM=PTEST PSIB_TO=HRMS PSIB_NODE_PASSWORD=secret
}

body='<?xml version="1.0"?><msg><id>1</id><name>hello</name></msg>'
printf '%s' "$body" > "$work/body.xml"
echo "== inputs: $N small messages (NDJSON and a directory), concurrency $CONC"
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++) printf "\"<?xml version=\\\"1.0\\\"?><msg><id>%d</id><name>hello</name></msg>\"\n", i }' > "$work/batch.ndjson"
mkdir "$work/dir"
awk -v n="$N" -v d="$work/dir" 'BEGIN { for (i = 0; i < n; i++) { f = sprintf("%s/m%06d.xml", d, i); printf "<?xml version=\"1.0\"?><msg><id>%d</id><name>hello</name></msg>", i > f; close(f) } }'

# psib_rate RUN-NAME ARGS...: publish into a fresh emulator and journal;
# sets $rate to messages/s (wall clock around the whole command). It runs
# in this shell, never in $(...): the emulator it starts must be stopped.
psib_rate() {
  local name=$1; shift
  start_gateway
  rm -f "$work/journal.db"*
  local t0 t1
  t0=$(date +%s.%N)
  "$PSIB" publish "$OP" "$@" --concurrency "$CONC" --no-progress -o json > "$work/out.ndjson" 2>"$work/err"
  t1=$(date +%s.%N)
  local ok
  ok=$(grep -c '"outcome":"accepted"' "$work/out.ndjson" || true)
  [ "$ok" = "$N" ] || { echo "$name: $ok of $N accepted" >&2; tail -3 "$work/err" >&2; exit 1; }
  rate=$(awk -v n="$N" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
}

results=()
echo
echo "== psib publish (whole command: check inputs, journal, send, output), best of 3"
best() {
  local name=$1; shift
  local top=0
  for _ in 1 2 3; do
    psib_rate "$name" "$@"
    awk -v v="$rate" -v t="$top" 'BEGIN { exit !(v > t) }' && top=$rate
  done
  printf '%-44s %8.0f msg/s\n' "$name" "$top"
  results+=("$name=$top")
}
best "psib publish --ndjson (journal on)" --ndjson "$work/batch.ndjson" --journal "$work/journal.db"
best "psib publish DIR (journal on)" "$work/dir" --journal "$work/journal.db"
best "psib publish --ndjson --no-journal" --ndjson "$work/batch.ndjson" --no-journal

echo
echo "== raw load generators posting the same body at concurrency $CONC"
wrk_rate=""
if command -v wrk >/dev/null 2>&1; then
  cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body   = '$body'
wrk.headers["OperationName"] = "$OP"
wrk.headers["From"] = "PTEST"
wrk.headers["To"] = "HRMS"
wrk.headers["Password"] = "secret"
wrk.headers["Content-Type"] = "text/xml"
LUA
  top=0
  for _ in 1 2 3; do
    start_gateway
    r=$(wrk -t2 -c"$CONC" -d5s -s "$work/post.lua" "$base/HttpListeningConnector" | awk '/Requests\/sec/ { print $2 }')
    awk -v v="$r" -v t="$top" 'BEGIN { exit !(v > t) }' && top=$r
  done
  wrk_rate=$top
  printf '%-44s %8.0f req/s\n' "wrk -t2 -c$CONC -d5s" "$wrk_rate"
else
  echo "wrk not installed (apt-get install wrk): no baseline"
fi
hey_rate=""
if command -v hey >/dev/null 2>&1; then
  top=0
  for _ in 1 2 3; do
    start_gateway
    # Query-string credentials: hey would send header names in Go's
    # canonical case (Operationname), which PeopleSoft does not accept.
    r=$(hey -n "$N" -c "$CONC" -m POST -T text/xml -D "$work/body.xml" \
      "$base/HttpListeningConnector?Operation=$OP&From=PTEST&To=HRMS&Password=secret" | awk '/Requests\/sec/ { print $2 }')
    awk -v v="$r" -v t="$top" 'BEGIN { exit !(v > t) }' && top=$r
  done
  hey_rate=$top
  printf '%-44s %8.0f req/s\n' "hey -n $N -c $CONC" "$hey_rate"
fi

echo
echo "== ratios (target >= 0.7 with the journal on)"
for r in "${results[@]}"; do
  name=${r%=*}; v=${r##*=}
  [ -n "$wrk_rate" ] && awk -v v="$v" -v b="$wrk_rate" -v n="$name" 'BEGIN { printf "%-44s %.2fx wrk\n", n, v / b }'
  [ -n "$hey_rate" ] && awk -v v="$v" -v b="$hey_rate" -v n="$name" 'BEGIN { printf "%-44s %.2fx hey\n", n, v / b }'
done

echo
echo "== memory: peak RSS of psib publish, $N vs $BIG messages (NDJSON, journal on)"
awk -v n="$BIG" 'BEGIN { for (i = 0; i < n; i++) printf "\"<?xml version=\\\"1.0\\\"?><msg><id>%d</id><name>hello</name></msg>\"\n", i }' > "$work/big.ndjson"
for f in batch big; do
  start_gateway
  rm -f "$work/journal.db"*
  /usr/bin/time -f "%M" -o "$work/rss" "$PSIB" publish "$OP" --ndjson "$work/$f.ndjson" --concurrency "$CONC" --no-progress \
    --journal "$work/journal.db" -o json > /dev/null 2>"$work/err" || { tail -3 "$work/err"; exit 1; }
  printf '%-44s %8d KiB peak RSS\n' "$(wc -l < "$work/$f.ndjson") messages" "$(tail -1 "$work/rss")"
done
