#!/usr/bin/env bash
# The decode benchmark (issue 6): a generated 100 MB msgLog.html, about 30%
# of it base64+gzip content sections, decoded by psib and by a small Python
# script built on the standard email package (scripts/bench-decode-python.py).
# Prints MB/s, peak RSS (/usr/bin/time -v) and the ratio to Python.
#
#   scripts/bench-decode.sh [path/to/psib]      # make build first, or: GOEXPERIMENT=simd go build -o bin/psib ./cmd/psib
#   SIZE=20 scripts/bench-decode.sh             # a smaller file (MB)
#   BENCH_DIR=/tmp/psib-bench scripts/bench-decode.sh   # keep (and reuse) the generated file
#   RUNS=5 scripts/bench-decode.sh              # 5 interleaved rounds (default 3)
#
# The generated file is never committed: it is written to a temporary
# directory (or BENCH_DIR) by scripts/bench-decode-gen, through the
# emulator's own gateway-log writer.
set -euo pipefail
PSIB=${1:-bin/psib}
SIZE=${SIZE:-100}
RUNS=${RUNS:-3}
cd "$(dirname "$0")/.."
case "$PSIB" in /*) ;; *) PSIB="$PWD/$PSIB" ;; esac
[ -x "$PSIB" ] || { echo "bench-decode: $PSIB not found (make build)" >&2; exit 1; }
PY=${PYTHON:-python3}

keep=1
if [ -z "${BENCH_DIR:-}" ]; then
  BENCH_DIR=$(mktemp -d)
  keep=0
fi
mkdir -p "$BENCH_DIR"
cleanup() { [ "$keep" = 1 ] || rm -rf "$BENCH_DIR"; }
trap cleanup EXIT
log="$BENCH_DIR/msgLog-${SIZE}M.html"
if [ ! -s "$log" ]; then
  go run ./scripts/bench-decode-gen -size "$SIZE" -out "$log"
fi
bytes=$(stat -c %s "$log" 2>/dev/null || wc -c <"$log")

have_time=0
if [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1; then have_time=1; fi

# measure LABEL CMD...: wall seconds and peak RSS (KB) of CMD, stdout to /dev/null.
measure() {
  local label=$1; shift
  local t0 t1 rss=""
  if [ "$have_time" = 1 ]; then
    t0=$(date +%s.%N)
    /usr/bin/time -v -o "$BENCH_DIR/time.txt" "$@" >/dev/null 2>"$BENCH_DIR/err.txt" || true
    t1=$(date +%s.%N)
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$BENCH_DIR/time.txt")
  else
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>"$BENCH_DIR/err.txt" || true
    t1=$(date +%s.%N)
  fi
  echo "$label $(echo "$t1 - $t0" | bc -l) ${rss:-?}"
}

mb=$(echo "$bytes / 1000000" | bc -l)
printf 'input: %s (%.1f MB), %s CPUs, load average %s\n' "$log" "$mb" "$(nproc 2>/dev/null || echo '?')" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
printf 'psib:  %s\n' "$("$PSIB" version 2>/dev/null | head -1)"
printf 'python: %s\n\n' "$("$PY" --version 2>&1)"

# Same work on both sides: find every message, decode it (base64, gzip),
# print one JSON object per message.
n_psib=$("$PSIB" decode -o json "$log" | wc -l)
n_py=$("$PY" scripts/bench-decode-python.py "$log" | wc -l)
echo "messages found: psib $n_psib, python $n_py"
echo

# The machine's speed drifts (a shared VM): psib and Python run in
# interleaved rounds, and the ratio is taken within each round (median
# over the rounds; the range shows the drift). Throughput is psib's best.
ratios_json=() ratios_brief=()
t_json="" t_brief="" t_py="" rss_json="" rss_brief="" rss_py=""
for r in $(seq "$RUNS"); do
  read -r _ tj rj < <(measure json "$PSIB" decode -o json "$log")
  read -r _ tb rb < <(measure brief "$PSIB" decode --brief "$log")
  read -r _ tp rp < <(measure python "$PY" scripts/bench-decode-python.py "$log")
  printf 'round %d: psib -o json %.2f s, --brief %.2f s, python %.2f s\n' "$r" "$tj" "$tb" "$tp"
  ratios_json+=("$(echo "$tp / $tj" | bc -l)")
  ratios_brief+=("$(echo "$tp / $tb" | bc -l)")
  if [ -z "$t_json" ] || (( $(echo "$tj < $t_json" | bc -l) )); then t_json=$tj; rss_json=$rj; fi
  if [ -z "$t_brief" ] || (( $(echo "$tb < $t_brief" | bc -l) )); then t_brief=$tb; rss_brief=$rb; fi
  if [ -z "$t_py" ] || (( $(echo "$tp < $t_py" | bc -l) )); then t_py=$tp; rss_py=$rp; fi
done
echo

# median VALUES...: the median of numbers; range VALUES...: "lo-hi".
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.1f", v[(NR + 1) / 2]; else printf "%.1f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
range() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.1f-%.1f", lo, hi }'; }

row() { printf '%-52s %8.2f s %9.1f MB/s %10s KB\n' "$1" "$2" "$(echo "$mb / $2" | bc -l)" "$3"; }
printf '%-52s %10s %14s %13s\n' "command (stdout to /dev/null)" "wall" "throughput" "peak RSS"
row "psib decode -o json msgLog.html (best of $RUNS)" "$t_json" "$rss_json"
row "psib decode --brief msgLog.html (best of $RUNS)" "$t_brief" "$rss_brief"
row "python3 scripts/bench-decode-python.py (best of $RUNS)" "$t_py" "$rss_py"
echo
printf 'ratio to Python within each round, median [range]: -o json %sx [%s], --brief %sx [%s]\n' \
  "$(median "${ratios_json[@]}")" "$(range "${ratios_json[@]}")" "$(median "${ratios_brief[@]}")" "$(range "${ratios_brief[@]}")"
echo "targets: >= 30x Python, >= 200 MB/s, peak RSS <= 64 MB (65536 KB)"
