#!/usr/bin/env bash
# Confidential chat (chat --relay-url): requests sealed with HPKE to the
# TEE's registry OHTTP key and sent through a relay stand-in built on an
# independent HPKE (@hpke/core) that decrypts, asks the gateway stand-in
# (which signs) and seals the answer back, single-shot or chunked. Every
# answer is verified; each fault switch gives the contract's exit code; the
# relay's log never holds the prompt or the answer in clear.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/llm_lib.sh"

NODE=${NODE:-node}
$DEVNET gen-cert --out "$W/relay" >/dev/null || fail "relay cert"
"$PYTHON" - "$W/d" "$W/tees.json" <<'PY' || fail "tee map"
import json, os, sys
d, out = sys.argv[1], sys.argv[2]
m = {}
for i in range(int(os.environ["TEE_COUNT"])):
    m[os.environ["TEE_%d_ID" % i].lower()] = {
        "key": os.path.join(d, "tee_%d" % i, "ohttp.key"), "key_id": 1,
        "gateway": os.environ["TEE_%d_ENDPOINT" % i]}
json.dump(m, open(out, "w"))
PY
TOKEN=relay-token-$RANDOM$RANDOM
RELAY_PID=
stop_relay() {
  [ -n "$RELAY_PID" ] && kill "$RELAY_PID" 2>/dev/null && wait "$RELAY_PID" 2>/dev/null
  RELAY_PID=
}
conf_cleanup() { stop_relay; llm_cleanup; }
trap conf_cleanup EXIT
start_relay() { # [FAULT]
  stop_relay
  rm -f "$W/relay.ready"
  (cd "$ROOT" && exec "$NODE" tests/devnet/ohttp_relay.mjs --port 0 \
     --cert "$W/relay.pem" --key "$W/relay.key" --ready-file "$W/relay.ready" \
     --tees "$W/tees.json" --log "$W/relay.log" --token "$TOKEN" \
     ${1:+--fault "$1"}) &
  RELAY_PID=$!
  for _ in $(seq 100); do [ -s "$W/relay.ready" ] && break; sleep 0.1; done
  [ -s "$W/relay.ready" ] || fail "relay stand-in did not start"
  RELAY=https://127.0.0.1:$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$W/relay.ready")
}
export OG_RELAY_TOKEN=$TOKEN
PROMPT="secret-prompt-$RANDOM$RANDOM"
MSG="[{\"role\":\"user\",\"content\":\"$PROMPT\"}]"
conf() { run chat --model "$MODEL" --messages "$MSG" --relay-url "$RELAY" --tls-cert "$W/relay.pem" "$@"; }

start_relay
ctl_reset 0; ctl_reset 1

# single-shot, verified
conf --json
expect_rc 0 "confidential chat"
pycheck "d['verified'] is True and d['confidential'] is True and d['relay'] == '$RELAY' and '$PROMPT' in d['chat_output']['content']" "single-shot verified"
conf
expect_rc 0 "confidential chat, human output"
expect_out "Echo: $PROMPT" "the answer in clear on our side"
ok "single-shot round trip, verified"

# exactly this TEE
conf --json --tee-id "$TEE_1_ID"
expect_rc 0 "--tee-id"
pycheck "d['tee']['id'].lower() == '$TEE_1_ID'.lower() and d['verified'] is True" "--tee-id used"
ok "--tee-id picks the TEE whose key seals the request"

# chunked stream, decrypted chunk by chunk, verified
conf --json --stream
expect_rc 0 "confidential stream"
pycheck "len(L) > 3 and L[-1]['is_final'] and L[-1]['verified'] is True and L[-1]['confidential'] is True and '$PROMPT' in ''.join(x['choices'][0]['delta'].get('content') or '' for x in L[:-1] if x.get('choices')) and '$PROMPT' in L[-1]['chat_output']['content']" "stream verified"
ok "chunked stream round trip, verified, $(grep -c . <<<"$OUT") NDJSON lines"

# streamed tool calls
TOOLS='[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]'
ctl 0 '{"stream_tools": "fragmented"}'; ctl 1 '{"stream_tools": "fragmented"}'
conf --json --stream --tools "$TOOLS"
expect_rc 0 "confidential streamed tool calls"
pycheck "L[-1]['verified'] is True and L[-1]['chat_output']['tool_calls'][0]['function']['name'] == 'get_weather' and len(L) > 2" "tool calls verified"
conf --json --tools "$TOOLS"
expect_rc 0 "confidential tool calls, single-shot"
pycheck "d['verified'] is True and d['chat_output']['tool_calls'][0]['function']['name'] == 'get_weather'" "tool calls single-shot"
ctl_reset 0; ctl_reset 1
ok "tool calls (streamed and not), verified"

# the relay saw only ciphertext
[ -s "$W/relay.log" ] || fail "relay log empty"
grep -q "^request " "$W/relay.log" || fail "relay log has no request"
if grep -qF "$PROMPT" "$W/relay.log" || grep -qi "Echo" "$W/relay.log" ||
   grep -qF "$(printf %s "$PROMPT" | od -An -tx1 | tr -d ' \n')" "$W/relay.log"; then
  fail "the relay log holds the prompt or the answer in clear"
fi
ok "relay log holds ciphertext only (no prompt, no answer, not even as hex)"

# fault switches
for f in "wrong-key-id:6:relay failed.*key id" "truncate:6:truncated" \
         "tamper-ct:6:does not decrypt" "tamper-answer:6:hash|signature" \
         "inner-500:6:inner failure|500" "401:5:relay refused" \
         "402:5:relay refused" "403:5:relay refused" "500:6:relay failed"; do
  IFS=: read -r f1 f2 f3 <<<"$f"
  set -- "$f1" "$f2" "$f3"
  start_relay "$1"
  conf --stream
  expect_failure "$2" "fault $1 (stream)"
  expect_err "$3" "fault $1 (stream) message"
  if [ "$1" != truncate ]; then
    conf
    expect_failure "$2" "fault $1"
    expect_err "$3" "fault $1 message"
  fi
  ok "relay fault $1: exit $2"
done
start_relay stall
run chat --model "$MODEL" --messages "$MSG" --relay-url "$RELAY" --tls-cert "$W/relay.pem" --timeout 2
expect_failure 7 "relay that stops answering"
ok "a relay that stops answering: exit 7"
stop_relay

# unreachable relay, and a relay whose certificate does not match the pin
run chat --model "$MODEL" --messages "$MSG" --relay-url https://127.0.0.1:1 --tls-cert "$W/relay.pem"
expect_failure 4 "unreachable relay"
ok "unreachable relay: exit 4"
start_relay
run chat --model "$MODEL" --messages "$MSG" --relay-url "$RELAY" --tls-cert "$TEE_0_CERT"
expect_failure 4 "relay certificate not the pinned one"
ok "relay not matching --tls-cert: exit 4"

# a missing token is the relay's 401
OG_RELAY_TOKEN= conf
expect_failure 5 "no relay token"
ok "no relay token: exit 5"

# confidential mode is for chat only; '' turns it off
run completion --model "$MODEL" --prompt hi --relay-url "$RELAY"
expect_failure 1 "completion with --relay-url"
conf --attest
expect_failure 1 "--attest with --relay-url"
run chat --model "$MODEL" --messages "$MSG" --relay-url '' --json
expect_rc 0 "--relay-url '' (direct, not confidential)"
pycheck "'confidential' not in d and d['verified'] is True" "plain chat"
ok "completion refuses --relay-url; --relay-url '' is the plain path"

# the confidential paths under valgrind (not in the ASan build)
case "${OG_BUILD:-}" in *asan*) ;; *)
  if command -v valgrind >/dev/null; then
    VG=(valgrind -q --error-exitcode=99 --leak-check=full
        --errors-for-leak-kinds=definite,indirect)
    start_relay
    for args in "--json" "--json --stream" "--stream --tools $TOOLS"; do
      "${VG[@]}" "$OG_BIN" chat --model "$MODEL" --messages "$MSG" --relay-url "$RELAY" \
        --tls-cert "$W/relay.pem" $args >"$W/vg.out" 2>"$W/vg.err" </dev/null
      rc=$?
      [ $rc -eq 0 ] || fail "valgrind confidential chat $args: exit $rc: $(cat "$W/vg.err")"
    done
    start_relay truncate
    "${VG[@]}" "$OG_BIN" chat --model "$MODEL" --messages "$MSG" --relay-url "$RELAY" \
      --tls-cert "$W/relay.pem" --stream >"$W/vg.out" 2>"$W/vg.err" </dev/null
    rc=$?
    [ $rc -eq 6 ] || fail "valgrind truncated stream: exit $rc: $(cat "$W/vg.err")"
    start_relay
    ok "confidential chat (single-shot, stream, tools, truncation) clean under valgrind"
  fi ;;
esac

# login stores the relay, its token and the registry; chat then goes
# confidential by default, the registry settings announced on stderr
APP=https://chat.example.test
BUNDLE='{"type":"opengradient-cli-auth","access_token":"'$TOKEN'","user":{"email":"bob@example.test"},"config":{"chat_api_base_url":"'$RELAY'","tee_registry_rpc_url":"'$OG_RPC_URL'","tee_registry_address":"'$OG_TEE_REGISTRY'"}}'
"$OG_BIN" login --no-browser --chat-app-url "$APP" --timeout 30 >"$W/login.out" 2>"$W/login.err" </dev/null &
LOGIN_PID=$!
"$PYTHON" "$ROOT/tests/integration/login_browser.py" "$W/login.out" "$APP" "$BUNDLE" >/dev/null ||
  fail "login browser steps: $(cat "$W/login.err")"
wait "$LOGIN_PID" || fail "login failed: $(cat "$W/login.err")"
(
  unset OG_RELAY_TOKEN OG_RPC_URL OG_TEE_REGISTRY OG_RELAY_URL
  run chat --model "$MODEL" --messages "$MSG" --tls-cert "$W/relay.pem" --json
  expect_rc 0 "chat after login"
  pycheck "d['confidential'] is True and d['relay'] == '$RELAY' and d['verified'] is True" "confidential by default after login"
  expect_err "registry RPC stored by login" "the stored RPC is announced"
  run chat --model "$MODEL" --messages "$MSG" --relay-url '' --json
  expect_rc 0 "--relay-url '' after login"
  pycheck "'confidential' not in d and d['verified'] is True" "plain for one command"
) || exit 1
ok "after login: chat is confidential by default (stored relay + token + registry, announced); --relay-url '' turns it off"
rm -f "$HOME/.opengradient_config.json"

# registry entries without an OHTTP key: never chosen; none left is exit 3
$DEVNET add-tee --dir "$W/d" --no-ohttp >"$W/plain.env" || fail "add-tee --no-ohttp"
PLAIN_ID=$(. "$W/plain.env"; echo "$TEE_2_ID")
[ -n "$PLAIN_ID" ] || fail "no id for the added TEE: $(cat "$W/plain.env")"
conf --tee-id "$PLAIN_ID"
expect_failure 3 "--tee-id of a TEE without an OHTTP key"
expect_err "OHTTP" "names the missing OHTTP key"
conf --json
expect_rc 0 "the OHTTP-capable TEEs are still chosen"
$DEVNET disable --dir "$W/d" --id "$TEE_0_ID" || fail "disable 0"
$DEVNET disable --dir "$W/d" --id "$TEE_1_ID" || fail "disable 1"
conf
expect_failure 3 "no OHTTP-capable TEE"
expect_err "OHTTP key" "names the reason"
ok "no OHTTP-capable TEE: exit 3 (entries without a key are never used)"
