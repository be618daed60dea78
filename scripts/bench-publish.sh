#!/usr/bin/env bash
# psib publish throughput against the local emulator, as a ratio to a raw
# HTTP load generator posting the same body at the same concurrency, and
# memory for a large batch. Figures for the README's performance section.
#
# Usage: scripts/bench-publish.sh [path/to/psib]
#   N=10000 CONC=16 BIG=100000 ROUNDS=3 scripts/bench-publish.sh bin/psib
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

# wrk_rate / hey_rate: one baseline run each into a fresh emulator; they
# set $rate ("" when the tool is missing).
cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body   = '$body'
wrk.headers["OperationName"] = "$OP"
wrk.headers["From"] = "PTEST"
wrk.headers["To"] = "HRMS"
wrk.headers["Password"] = "secret"
wrk.headers["Content-Type"] = "text/xml"
LUA
wrk_rate() {
  rate=""
  command -v wrk >/dev/null 2>&1 || return 0
  start_gateway
  rate=$(wrk -t2 -c"$CONC" -d5s -s "$work/post.lua" "$base/HttpListeningConnector" | awk '/Requests\/sec/ { printf "%.0f", $2 }')
}
# hey is timed as psib is, by the wall clock around the whole command
# ($rate); its own figure ($hey_own), which leaves out its start-up, is
# shown beside it.
hey_rate() {
  rate=""; hey_own=""
  command -v hey >/dev/null 2>&1 || return 0
  start_gateway
  local t0 t1 hn
  # hey gives each of its CONC workers N/CONC requests (rounded down).
  hn=$(( N / CONC * CONC ))
  t0=$(date +%s.%N)
  # Query-string credentials: hey would send header names in Go's
  # canonical case (Operationname), which PeopleSoft does not accept.
  hey -n "$hn" -c "$CONC" -m POST -T text/xml -D "$work/body.xml" \
    "$base/HttpListeningConnector?Operation=$OP&From=PTEST&To=HRMS&Password=secret" > "$work/hey.out"
  t1=$(date +%s.%N)
  grep -Eq "\[200\][[:space:]]+$hn responses\$" "$work/hey.out" || { echo "hey: not $hn answers of 200" >&2; cat "$work/hey.out" >&2; exit 1; }
  rate=$(awk -v n="$hn" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
  hey_own=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' "$work/hey.out")
}
# floor_rate: the least a Go client can do for the same N posts at the
# same concurrency (scripts/bench-rawpost: no journal, no checks, no
# parsing); it shows how far Go networking alone gets on this machine.
have_floor=0
if command -v go >/dev/null 2>&1 && go build -o "$work/rawpost" ./scripts/bench-rawpost; then have_floor=1; else echo "no Go toolchain: no floor baseline"; fi
floor_rate() {
  rate=""
  [ "$have_floor" = 1 ] || return 0
  start_gateway
  rate=$("$work/rawpost" -url "$base/HttpListeningConnector" -n "$N" -c "$CONC" | awk '/requests\/s:/ { print $2 }') || rate=""
}
command -v wrk >/dev/null 2>&1 || echo "wrk not installed (apt-get install wrk): no wrk baseline"
command -v hey >/dev/null 2>&1 || echo "hey not installed (go install github.com/rakyll/hey@latest): no hey baseline"

# The machine's speed drifts (a shared VM), so psib and the baselines run
# in interleaved rounds, and each ratio is taken within a round: the
# median over the rounds is the figure, the range shows the drift.
ROUNDS=${ROUNDS:-3}
names=("psib publish --ndjson (journal on)" "psib publish DIR (journal on)" "psib publish --ndjson --no-journal")
declare -A got
echo
echo "== $ROUNDS interleaved rounds: psib (whole command: check inputs, journal, send, output), wrk -t2 -c$CONC -d5s, hey -n $N -c $CONC, floor (bench-rawpost -n $N -c $CONC)"
for r in $(seq "$ROUNDS"); do
  psib_rate "${names[0]}" --ndjson "$work/batch.ndjson" --journal "$work/journal.db"; got[0,$r]=$rate
  psib_rate "${names[1]}" "$work/dir" --journal "$work/journal.db"; got[1,$r]=$rate
  psib_rate "${names[2]}" --ndjson "$work/batch.ndjson" --no-journal; got[2,$r]=$rate
  wrk_rate; got[wrk,$r]=$rate
  hey_rate; got[hey,$r]=$rate; got[heyown,$r]=$hey_own
  floor_rate; got[floor,$r]=$rate
  printf 'round %d: psib %s / %s / %s msg/s, wrk %s req/s, hey %s req/s (its own figure %s), floor %s req/s\n' "$r" "${got[0,$r]}" "${got[1,$r]}" "${got[2,$r]}" "${got[wrk,$r]:--}" "${got[hey,$r]:--}" "${got[heyown,$r]:--}" "${got[floor,$r]:--}"
done

# median VALUES...: the median of numbers.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.2f\n", v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo
echo "== ratios within each round, median [range] (target >= 0.7 with the journal on; hey: by the same wall clock as psib, heyown: by hey's own figure)"
for i in 0 1 2 floor; do
  for b in wrk hey heyown; do
    rs=()
    for r in $(seq "$ROUNDS"); do
      if [ -n "${got[$b,$r]}" ] && [ -n "${got[$i,$r]}" ]; then
        rs+=("$(awk -v v="${got[$i,$r]}" -v d="${got[$b,$r]}" 'BEGIN { printf "%.2f", v / d }')")
      fi
    done
    [ ${#rs[@]} -gt 0 ] || continue
    lo=$(printf '%s\n' "${rs[@]}" | sort -g | head -1); hi=$(printf '%s\n' "${rs[@]}" | sort -g | tail -1)
    if [ "$i" = floor ]; then label="floor: bench-rawpost (no journal)"; else label=${names[$i]}; fi
    printf '%-40s %sx %s  [%s-%s]\n' "$label" "$(median "${rs[@]}")" "$b" "$lo" "$hi"
  done
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
