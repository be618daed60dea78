#!/usr/bin/env bash
# make demo: run psib's main jobs end to end, with nothing but Go and this repo.
# Each later capability extends this script so that it stays the tour of
# what psib does today.
set -euo pipefail
PSIB=${1:-bin/psib}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
gw=""
trap '[ -n "$gw" ] && kill "$gw" 2>/dev/null; rm -rf "$work"' EXIT

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

step "start the local gateway emulator (seed 000's nodes and operations)" \
  "psib gateway serve --addr-file gw.addr --log-dir logs --log-level 5 &"
"$PSIB" gateway serve --addr-file "$work/gw.addr" --log-dir "$work/logs" --log-level 5 >/dev/null 2>"$work/gw.err" &
gw=$!
for _ in $(seq 200); do [ -s "$work/gw.addr" ] && break; sleep 0.05; done
[ -s "$work/gw.addr" ] || { cat "$work/gw.err"; exit 1; }
head -1 "$work/gw.err"
export PSIB_GATEWAY_URL=$(cat "$work/gw.addr") PSIB_FROM=PTEST PSIB_TO=HRMS PSIB_NODE_PASSWORD=secret

step "seed 000, helloworld" "psib post CHG_SYNC_TEST.v1 --root helloworld"
"$PSIB" post CHG_SYNC_TEST.v1 --root helloworld -o text
step "seed 000, activeusercount (one value with --xpath)" "psib post CHG_SYNC_TEST.v1 --root activeusercount --xpath //activeusercount"
"$PSIB" post CHG_SYNC_TEST.v1 --root activeusercount --xpath //activeusercount
step "seed 000, anything else" "psib post CHG_SYNC_TEST.v1 --root blah -o json"
"$PSIB" post CHG_SYNC_TEST.v1 --root blah -o json
step "a wrong node password: explained, exit code 4" "PSIB_NODE_PASSWORD=wrong psib post CHG_SYNC_TEST.v1 --root helloworld"
set +e
PSIB_NODE_PASSWORD=wrong "$PSIB" post CHG_SYNC_TEST.v1 --root helloworld -o text
echo "exit code: $?"
set -e
step "what went over the wire (-v; the password is REDACTED)" "psib post CHG_SYNC_TEST.v1 --root helloworld -v"
"$PSIB" post CHG_SYNC_TEST.v1 --root helloworld -v 2>&1 >/dev/null | sed -n '1,12p'
step "ping the gateway and the node's credentials" "psib ping --count 3"
"$PSIB" ping --count 3

step "decode what the emulator logged (msgLog.html holds the internal MIME it sent the app server)" \
  "psib decode <the MIME request from msgLog.html>"
python_free_extract() { # the first logged MIME request, unescaped, with sed alone
  sed -n '/PeopleSoftTargetConnector: request/,/<\/pre>/p' "$work/logs/msgLog.html" | sed '1,2d' | sed '/<\/pre>/,$d' |
    sed -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&#34;/"/g' -e 's/&#39;/'"'"'/g' -e 's/&amp;/\&/g' > "$work/logged.mime"
}
python_free_extract
"$PSIB" decode "$work/logged.mime"

step "exit codes scripts can rely on" "psib help exit-codes"
"$PSIB" help exit-codes
