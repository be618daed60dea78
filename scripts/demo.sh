#!/usr/bin/env bash
# make demo: run psib's main jobs end to end, with nothing but Go and this repo.
# Each later capability extends this script so that it stays the tour of
# what psib does today.
set -euo pipefail
PSIB=${1:-bin/psib}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "$2"; }

step "version" "psib version"
"$PSIB" version

step "decode the PeopleBooks request example (seed 002, flattened onto one line)" \
  "psib decode testdata/ibmsg/seed-request-flattened.mime"
"$PSIB" decode testdata/ibmsg/seed-request-flattened.mime

step "encode it back in PeopleSoft's exact internal MIME form" \
  "psib decode -o mime testdata/ibmsg/seed-request-flattened.mime > request.mime"
"$PSIB" decode -o mime testdata/ibmsg/seed-request-flattened.mime > "$work/request.mime"
cat -A "$work/request.mime" | sed -n '1,12p'
echo "..."

step "round trip: decoding the re-encoded message gives the same IBInfo and payload" \
  "diff <(psib decode -o json <flattened> | jq ...) <(psib decode -o json request.mime | jq ...)"
strip() { "$PSIB" decode -o json "$1" | sed -e 's/"file":"[^"]*",//' -e 's/,"problems":\[[^]]*\]//' -e 's/"headers":{[^}]*}//'; }
if diff <(strip testdata/ibmsg/seed-request-flattened.mime) <(strip "$work/request.mime"); then
  echo "identical: operation, nodes, IBInfo and content survive the round trip"
else
  echo "round trip differs" >&2; exit 1
fi

step "an async request whose sections are zlib, gzip and raw deflate under base64" \
  "psib decode --brief testdata/ibmsg/request-async-compressed-lf.mime; psib decode -o json ... | sections"
"$PSIB" decode --brief testdata/ibmsg/request-async-compressed-lf.mime
"$PSIB" decode -o json testdata/ibmsg/request-async-compressed-lf.mime |
  grep -o '"id":"[^"]*","content_type":"[^"]*","transfer_encoding":"[^"]*","compression":"[^"]*"'

step "an error reply explained from the message catalog" "psib decode testdata/ibmsg/soapfault-158-45.xml"
"$PSIB" decode testdata/ibmsg/soapfault-158-45.xml

step "exit codes scripts can rely on" "psib help exit-codes"
"$PSIB" help exit-codes
