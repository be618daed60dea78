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

step "publish a small batch asynchronously (seed 001); each message journaled before it is sent" "psib publish CHG_ASYNC_UTEST.v1 outbox/"
mkdir -p "$work/outbox"; for i in 1 2 3; do printf '<?xml version="1.0"?><CHG_ASYNC><id>%d</id></CHG_ASYNC>\n' "$i" > "$work/outbox/m$i.xml"; done
export PSIB_JOURNAL="$work/journal.db"   # the demo's own journal, not yours
"$PSIB" publish CHG_ASYNC_UTEST.v1 "$work/outbox"
step "the same command again: accepted messages are skipped, never sent twice" "psib publish CHG_ASYNC_UTEST.v1 outbox/"
"$PSIB" publish CHG_ASYNC_UTEST.v1 "$work/outbox"
step "the journal" "psib journal list --runs; psib journal list"
"$PSIB" journal list --runs
"$PSIB" journal list

# mark_worked ID JSON: the user marks the entry Worked (the emulator's admin endpoint plays PeopleSoft)
mark_worked() {
  local hostport=${PSIB_GATEWAY_URL#http://}; hostport=${hostport%%/*}
  exec 3<>"/dev/tcp/${hostport%:*}/${hostport#*:}"
  printf 'POST /psib/emulator/worklist/%s/worked HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "$1" "$hostport" "${#2}" "$2" >&3
  head -1 <&3; exec 3<&-
}
wl=(--business-process 'Administer Workforce' --activity Hire --event Approve --worklist 'HR Approvals'
    --operator VP1 --priority high --app EMPLID=KU0001 --app EFFDT=2026-03-01)
step "PT_WORKLIST (seed 004): a worklist entry for user VP1" \
  "psib worklist create --business-process 'Administer Workforce' --activity Hire --event Approve --worklist 'HR Approvals' --operator VP1 --priority high --app EMPLID=KU0001 --app EFFDT=2026-03-01 --request-id DEMO-0001"
"$PSIB" worklist create "${wl[@]}" --request-id DEMO-0001
step "the same create again: psib's journal keeps PeopleSoft from getting a second entry" "psib worklist create ... --request-id DEMO-0001"
"$PSIB" worklist create "${wl[@]}" --request-id DEMO-0001
step "its status (GETWLINSTANCE; the journal supplies the keys)" "psib worklist status DEMO-0001"
"$PSIB" worklist status DEMO-0001
step "wait for it while VP1 works it (the emulator plays the user)" \
  "psib worklist wait DEMO-0001 --interval 1s & POST \$EMULATOR/psib/emulator/worklist/DEMO-0001/worked"
"$PSIB" worklist wait DEMO-0001 --interval 1s --timeout 30s > "$work/wait.txt" &
waiter=$!
sleep 1.5
mark_worked DEMO-0001 '{"additional_data":[{"name":"comment","value":"approved"}]}'
wait "$waiter"
cat "$work/wait.txt"

step "decode the emulator's own msgLog.html after these calls: one line per message" \
  "psib decode --brief logs/msgLog.html --operation CHG_SYNC_TEST.v1"
"$PSIB" decode --brief "$work/logs/msgLog.html" --operation CHG_SYNC_TEST.v1
step "only the errors, explained (passwords REDACTED)" "psib decode --errors --brief logs/msgLog.html"
"$PSIB" decode --errors --brief "$work/logs/msgLog.html"
step "the async publish as the gateway logged it (zlib + base64, decoded)" \
  "psib decode logs/msgLog.html --operation CHG_ASYNC_UTEST.v1 --kind request -o json | grep mime | jq .sections"
"$PSIB" decode "$work/logs/msgLog.html" --operation CHG_ASYNC_UTEST.v1 --kind request -o json | grep '"format":"mime"' | head -1 |
  grep -o '"sections":.*' | cut -c1-300

step "lint the seed's rowset message and the shared samples" "psib lint testdata/lint/samples/"
"$PSIB" lint testdata/lint/samples/

step "lint broken messages: file:line:col, rule, what to fix; exit 3" \
  "psib lint testdata/lint/rules/PSIB-L022.fail.xml testdata/lint/rules/PSIB-L035.fail.xml"
"$PSIB" lint testdata/lint/rules/PSIB-L022.fail.xml testdata/lint/rules/PSIB-L035.fail.xml || echo "exit $? (findings at or above --fail-on error)"

step "exit codes scripts can rely on" "psib help exit-codes"
"$PSIB" help exit-codes
