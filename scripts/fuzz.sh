#!/usr/bin/env bash
# Runs every Go fuzz target of every package (or of the packages given as
# arguments) for a short while each.
#
#   scripts/fuzz.sh                  # all packages, 5s per target
#   FUZZTIME=1m scripts/fuzz.sh      # longer
#   scripts/fuzz.sh ./pkg/ibmsg      # one package
#
# Targets are found with `go test -list '^Fuzz'`; each runs alone
# (go test -run '^$' -fuzz '^Name$' -fuzztime $FUZZTIME). A failing input is
# written by the fuzzer under the package's testdata/fuzz/<Name>/: commit it,
# it then runs with every `go test`. The script runs all targets, then exits
# 1 if any failed.
set -euo pipefail

cd "$(dirname "$0")/.."

fuzztime="${FUZZTIME:-5s}"
if [[ $# -gt 0 ]]; then
	pkgs=("$@")
else
	pkgs=(./...)
fi

# `go test -list` prints the matching names of a package, then a line
# "ok <import path> <time>" (or "? <import path> [no test files]").
listing="$(go test -list '^Fuzz' "${pkgs[@]}")"

targets=()
names=()
while IFS= read -r line; do
	case "$line" in
	Fuzz*)
		names+=("$line")
		;;
	ok[[:space:]]*)
		pkg="$(awk '{print $2}' <<<"$line")"
		for name in ${names[@]+"${names[@]}"}; do
			targets+=("$pkg $name")
		done
		names=()
		;;
	*)
		names=()
		;;
	esac
done <<<"$listing"

if [[ ${#targets[@]} -eq 0 ]]; then
	echo "fuzz.sh: no fuzz targets found in ${pkgs[*]}" >&2
	exit 1
fi

echo "fuzz.sh: ${#targets[@]} targets, $fuzztime each"
failed=()
for target in "${targets[@]}"; do
	read -r pkg name <<<"$target"
	echo "=== $pkg $name"
	if ! go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime"; then
		failed+=("$pkg $name")
	fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
	echo "fuzz.sh: ${#failed[@]} of ${#targets[@]} targets failed:" >&2
	printf '  %s\n' "${failed[@]}" >&2
	exit 1
fi
echo "fuzz.sh: all ${#targets[@]} targets passed"
