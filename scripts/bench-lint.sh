#!/usr/bin/env bash
# psib lint on a generated 100 MB FULLSYNC message: wall time as a ratio to
# `xmllint --stream --noout` (libxml2, well-formedness only) on the same
# file, and peak RSS. Targets: <= 2x xmllint, RSS <= 64 MB.
# Usage: scripts/bench-lint.sh [path/to/psib] [size]   (default bin/psib 100MB)
# Needs xmllint (apt-get install libxml2-utils) for the ratio and GNU time
# (/usr/bin/time) for RSS; without them those figures are skipped.
set -euo pipefail
PSIB=${1:-bin/psib}
SIZE=${2:-100MB}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
msg=$work/fullsync.xml

go run ./scripts/gen-fullsync -size "$SIZE" -o "$msg"
echo "== psib lint on a generated $SIZE FULLSYNC message ($(wc -c <"$msg") bytes, $(grep -c '<Transaction>' "$msg") Transactions)"

# best of 5 wall-clock runs, in seconds
best() {
  local b=""
  for _ in 1 2 3 4 5; do
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    t1=$(date +%s.%N)
    b=$(echo "$t0 $t1 ${b:-999}" | awk '{d=$2-$1; print (d<$3)?d:$3}')
  done
  echo "$b"
}

echo "psib lint says: $("$PSIB" lint "$msg" 2>&1)"   # a clean message: exit 0, no findings
if command -v hyperfine >/dev/null 2>&1 && command -v xmllint >/dev/null 2>&1; then
  # hyperfine: warm cache, 10 runs each, mean ± σ and the ratio.
  hyperfine -N --warmup 2 --runs 10 --export-json "$work/lint.json" \
    "$PSIB lint $msg" "xmllint --stream --noout $msg" | grep -E 'Time|±|faster|Benchmark'
  awk '/"mean"/ {gsub(/[",]/,""); m[++n]=$2} END {printf "ratio (mean psib lint / mean xmllint): %.2fx (target <= 2x)\n", m[1]/m[2]}' "$work/lint.json"
else
  lint_s=$(best "$PSIB" lint "$msg")
  echo "psib lint:                 ${lint_s}s (best of 5)"
  if command -v xmllint >/dev/null 2>&1; then
    xml_s=$(best xmllint --stream --noout "$msg")
    echo "xmllint --stream --noout:  ${xml_s}s (best of 5; $(xmllint --version 2>&1 | head -1))"
    echo "ratio:                     $(echo "$lint_s $xml_s" | awk '{printf "%.2fx", $1/$2}') (target <= 2x)"
  else
    echo "xmllint not installed (apt-get install libxml2-utils): ratio skipped"
  fi
fi
if [ -x /usr/bin/time ]; then
  rss=$(/usr/bin/time -v "$PSIB" lint "$msg" 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2}')
  echo "peak RSS:                  $((rss / 1024)) MB ($rss kB; target <= 64 MB)"
  if command -v xmllint >/dev/null 2>&1; then
    xrss=$(/usr/bin/time -v xmllint --stream --noout "$msg" 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2}')
    echo "xmllint peak RSS:          $((xrss / 1024)) MB ($xrss kB)"
  fi
else
  echo "/usr/bin/time not installed: RSS skipped"
fi
