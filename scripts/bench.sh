#!/usr/bin/env bash
# End-to-end performance figures for the README's performance section.
# Usage: scripts/bench.sh [path/to/psib]   (make bench builds it first)
# Needs wrk for the load-generator figures (apt-get install wrk); without it
# those are skipped with a note and the Go benchmarks stand alone.
set -euo pipefail
PSIB=${1:-bin/psib}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# start_gateway starts the emulator in this shell (not in a $(...) subshell,
# which would wait for the server's stdout) and sets $base.
start_gateway() {
  rm -f "$work/addr"
  "$PSIB" gateway serve --addr-file "$work/addr" >/dev/null 2>"$work/gw.err" &
  pids+=($!)
  for _ in $(seq 200); do [ -s "$work/addr" ] && break; sleep 0.05; done
  [ -s "$work/addr" ] || { cat "$work/gw.err" >&2; echo "gateway did not start" >&2; exit 1; }
  base=$(cat "$work/addr")
}

echo "== emulator: small sync requests (seed helloworld) per second, wrk -t2 -c32 -d10s on loopback"
if command -v wrk >/dev/null 2>&1; then
  start_gateway
  cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body   = '<?xml version="1.0"?><helloworld/>'
wrk.headers["OperationName"] = "CHG_SYNC_TEST.v1"
wrk.headers["From"] = "PTEST"
wrk.headers["To"] = "HRMS"
wrk.headers["Password"] = "secret"
wrk.headers["Content-Type"] = "text/xml"
LUA
  wrk -t2 -c32 -d10s -s "$work/post.lua" "$base/HttpListeningConnector" | grep -E 'Requests/sec|Latency|requests in'
else
  echo "wrk not installed (apt-get install wrk): skipped; see BenchmarkHTTPListeningSync for an in-process figure"
fi

echo
echo "== post: one psib post against the emulator, wall time as a ratio to curl posting the same request (hyperfine)"
if command -v hyperfine >/dev/null 2>&1 && command -v curl >/dev/null 2>&1; then
  [ -n "${base:-}" ] || start_gateway
  export PSIB_GATEWAY_URL=$base PSIB_FROM=PTEST PSIB_TO=HRMS PSIB_NODE_PASSWORD=secret
  printf '%s' '<?xml version="1.0"?><helloworld/>' > "$work/hello.xml"
  hyperfine -N --warmup 20 --runs 300 --export-json "$work/post.json" \
    "$PSIB post CHG_SYNC_TEST.v1 --root helloworld" \
    "curl -s -H OperationName:CHG_SYNC_TEST.v1 -H From:PTEST -H To:HRMS -H Password:secret -H Content-Type:text/xml --data-binary @$work/hello.xml $base/HttpListeningConnector" |
    grep -E 'Time|±|faster|Benchmark'
else
  echo "hyperfine or curl not installed (apt-get install hyperfine curl): skipped"
fi

echo
echo "== lint: a generated 100 MB FULLSYNC message vs xmllint --stream --noout, and peak RSS"
./scripts/bench-lint.sh "$PSIB" || echo "bench-lint: skipped or failed (needs libxml2-utils for the xmllint baseline)"

echo
echo "== publish: 10,000 small messages at concurrency 16 with the journal, vs wrk and hey with the same body"
./scripts/bench-publish.sh "$PSIB" || echo "bench-publish: skipped or failed"

echo
echo "== decode: a generated 100 MB msgLog.html (~30% base64+gzip), psib vs a Python email-package script"
./scripts/bench-decode.sh "$PSIB" || echo "bench-decode: skipped or failed"
