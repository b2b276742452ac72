#!/usr/bin/env bash
# x402 payments end to end against the gateway stand-in (which verifies what
# we sign with @x402/evm and viem's typed-data recovery): no key, paying,
# the --max-payment cap, --networks, --strict-payee, a facilitator
# rejection (never pay twice), streamed and completion requests, the key
# from a file and from the config file, the key never printed, and
# X-Upto-Session reuse within one client (examples/chat_session.c).
. "$(dirname "$0")/lib.sh"
DEVNET="$PYTHON $ROOT/tests/devnet/devnet.py"
OG_BUILD=${OG_BUILD:-$ROOT/build}
SESSION_BIN=$OG_BUILD/bin/example_chat_session
CAST=$ROOT/node_modules/@foundry-rs/cast-linux-amd64/bin/cast
[ -x "$SESSION_BIN" ] || fail "missing $SESSION_BIN (build the examples)"
W=$(mktemp -d)
LONG=
cleanup() {
  [ -n "$LONG" ] && kill "$LONG" 2>/dev/null
  $DEVNET stop --dir "$W/d" >/dev/null 2>&1
  rm -rf "$W"
}
trap cleanup EXIT
export HOME=$W
unset OG_PRIVATE_KEY OG_TEE_ID OG_LLM_SERVER_URL OG_MAX_PAYMENT OG_NETWORKS \
  OG_PAYMENT_RPC_URL

$DEVNET start --dir "$W/d" --tees 1 --gateways >/dev/null || fail "devnet start"
. "$W/d/env"
export OG_RPC_URL OG_TEE_REGISTRY
GW=https://127.0.0.1:$TEE_0_PORT
KEY0=$OG_DEVNET_PRIVATE_KEY
# anvil's public dev keys 1 and 2 (well known, test only)
KEY1=0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d
KEY2=0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a
ADDR0=$OG_DEVNET_ACCOUNT
ADDR1=$("$CAST" wallet address --private-key "$KEY1") || fail "cast wallet"
ADDR2=$("$CAST" wallet address --private-key "$KEY2") || fail "cast wallet"
OTHER_PAYEE=0x000000000000000000000000000000000000bEEF
MSG='[{"role":"user","content":"pay me"}]'
ASKED=100000000000000000

control() { # json
  curl -sk -XPOST "$GW/_control" -d "$1" >/dev/null || fail "control $1"
}
reset() { control '{"reset_stats": true, "reset_sessions": true}'; }
# stats_check 'python expr on d' description
stats_check() {
  local s
  s=$(curl -sk "$GW/_stats") || fail "stats"
  OUT="$s" json_check "$1" "$2"
}
ALL=$W/all-output
# every command's output is kept, to look for the key at the end
og() {
  run_og "$@"
  printf '%s\n%s\n' "$OUT" "$ERR" >>"$ALL"
}
chat() { og chat --model openai/gpt-4.1 --messages "$MSG" "$@"; }

control '{"x402": true}'

# --- a 402 without a key: exit 5 saying so, nothing signed ---
reset
chat --json
expect_rc 5 "402 without a key"
expect_err "no private key" "names the missing key"
expect_one_err_line "402 without a key"
json_check "d['error']['exit_code']==5 and 'no private key' in d['error']['message']" "json error object"
stats_check "d['payments_received']==0 and d['payment_required_sent']==1 and d['requests_total']==1" "one unpaid request only"
ok "402 without a key is exit 5"

# --- with a key: paid once, by our address; the result names the payment ---
reset
OG_PRIVATE_KEY=$KEY0 chat --json
expect_rc 0 "paid chat"
json_check "d['payment']['amount']=='$ASKED' and d['payment']['pay_to']=='$TEE_0_PAYMENT_ADDRESS' and d['payment']['network']=='eip155:8453' and d['payment']['scheme']=='upto' and d['verified'] is True and d['chat_output']['content']=='Echo: pay me'" "payment in the result"
stats_check "d['payments_received']==1 and [p.lower() for p in d['payers']]==['${ADDR0,,}'] and d['payments'][0]['amount']=='$ASKED' and d['requests_total']==2 and d['payment_rejections']==[]" "one payment by our address"
ok "paid request: one payment, payer recovered as our address"

# paying reads no payment chain: a dead payment RPC changes nothing
reset
OG_PRIVATE_KEY=$KEY0 chat --json --payment-rpc-url http://127.0.0.1:1
expect_rc 0 "paid with a dead payment RPC"
stats_check "d['payments_received']==1" "paid"
ok "paying needs no payment-chain RPC"

# --- the cap: one unit below the asked amount is refused, equal is paid ---
reset
OG_PRIVATE_KEY=$KEY0 chat --max-payment 99999999999999999
expect_rc 5 "one unit below the amount"
expect_err "exceeds the maximum payment" "names the cap"
stats_check "d['payments_received']==0 and d['requests_total']==1" "nothing sent with a signature"
reset
OG_PRIVATE_KEY=$KEY0 OG_MAX_PAYMENT=99999999999999999 chat
expect_rc 5 "OG_MAX_PAYMENT one unit below"
stats_check "d['payments_received']==0" "env cap: no payment"
reset
OG_PRIVATE_KEY=$KEY0 chat --json --max-payment $ASKED
expect_rc 0 "equal to the amount"
stats_check "d['payments_received']==1" "paid at the cap"
# a server that asks for more than the default cap gets nothing
reset
control '{"amount": "100000000000000001"}'
OG_PRIVATE_KEY=$KEY0 chat
expect_rc 5 "server asks above the default cap"
stats_check "d['payments_received']==0" "no payment above the default cap"
control "{\"amount\": \"$ASKED\"}"
ok "--max-payment: equal pays, one unit less is exit 5 with no payment"

# --- networks ---
reset
OG_PRIVATE_KEY=$KEY0 chat --networks eip155:84532
expect_rc 5 "network not allowed"
expect_err "eip155:8453" "names the network"
stats_check "d['payments_received']==0 and d['requests_total']==1" "no payment"
reset
OG_PRIVATE_KEY=$KEY0 OG_NETWORKS=eip155:84532,eip155:1 chat
expect_rc 5 "OG_NETWORKS without Base"
OG_PRIVATE_KEY=$KEY0 chat --networks eip155:8453 --json
expect_rc 0 "Base allowed"
ok "--networks without eip155:8453 is exit 5"

# --- payTo other than the registry's payment address ---
reset
control "{\"payment_address\": \"$OTHER_PAYEE\"}"
OG_PRIVATE_KEY=$KEY0 chat --strict-payee
expect_rc 5 "strict payee"
expect_err "payTo" "names payTo"
stats_check "d['payments_received']==0 and d['requests_total']==1" "strict: no payment"
OG_PRIVATE_KEY=$KEY0 chat --json
expect_rc 0 "non-strict payee"
expect_err "warning:.*payTo" "warning on stderr without -v"
json_check "d['payment']['pay_to']=='$OTHER_PAYEE'" "paid the offered payTo"
stats_check "d['payments_received']==1" "non-strict: paid"
control "{\"payment_address\": \"$TEE_0_PAYMENT_ADDRESS\"}"
ok "--strict-payee refuses a foreign payTo; without it: paid with a warning"

# --- facilitator rejection: exit 5 with the reason, one attempt only ---
reset
control '{"verify_reason": "permit2_deadline_expired"}'
OG_PRIVATE_KEY=$KEY0 chat --json -v
expect_rc 5 "facilitator rejection"
expect_err "permit2_deadline_expired" "server's reason on stderr"
json_check "d['error']['exit_code']==5 and 'permit2_deadline_expired' in d['error']['message']" "reason in the json error"
stats_check "d['payment_rejections']==['permit2_deadline_expired'] and d['payments_received']==0 and d['requests_total']==2" "exactly one payment attempt"
control '{"verify_reason": null}'
ok "a rejected payment is exit 5 with the reason, never signed twice"

# --- streamed chat and completion pay too ---
reset
OG_PRIVATE_KEY=$KEY0 chat --stream --json
expect_rc 0 "paid stream"
LAST=$(tail -n 1 <<<"$OUT")
OUT=$LAST json_check "d['is_final'] is True and d['payment']['amount']=='$ASKED' and d['verified'] is True and d['chat_output']['content']=='Echo: pay me'" "final line carries the payment"
stats_check "d['payments_received']==1" "stream paid once"
reset
OG_PRIVATE_KEY=$KEY0 chat --stream
expect_rc 0 "paid stream, human"
expect_out "Echo: pay me" "streamed text"
reset
OG_PRIVATE_KEY=$KEY0 og completion --model openai/gpt-4.1 --prompt hello --json
expect_rc 0 "paid completion"
json_check "d['completion_output']=='Echo: hello' and d['payment']['pay_to']=='$TEE_0_PAYMENT_ADDRESS'" "completion payment"
stats_check "d['payments_received']==1 and d['payments'][0]['path']=='/v1/completions'" "completion paid once"
ok "streamed chat and completion pay"

# --- the key from a file (over OG_PRIVATE_KEY) and from the config file ---
printf '%s\n' "${KEY1#0x}" >"$W/key1"
chmod 600 "$W/key1"
reset
OG_PRIVATE_KEY=$KEY0 chat --private-key-file "$W/key1" --json
expect_rc 0 "key from --private-key-file"
stats_check "[p.lower() for p in d['payers']]==['${ADDR1,,}']" "file key is the payer"
printf '{"private_key": "%s"}\n' "$KEY2" >"$HOME/.opengradient_config.json"
chmod 600 "$HOME/.opengradient_config.json"
reset
chat --json -v
expect_rc 0 "key from the config file"
stats_check "[p.lower() for p in d['payers']]==['${ADDR2,,}']" "config key is the payer"
og config show
rm -f "$HOME/.opengradient_config.json"
og chat --model openai/gpt-4.1 --messages "$MSG" --private-key-file "$W/nokey"
expect_rc 1 "unreadable key file"
printf 'not a key\n' >"$W/badkey"
og chat --model openai/gpt-4.1 --messages "$MSG" --private-key-file "$W/badkey"
expect_rc 1 "malformed key file"
ok "key from --private-key-file and from the config file"

# --- X-Upto-Session within one client ---
reset
OG_PRIVATE_KEY=$KEY0 "$SESSION_BIN" --count 3 >"$W/s1" 2>"$W/s1.err" ||
  fail "chat_session: $(cat "$W/s1.err")"
cat "$W/s1" "$W/s1.err" >>"$ALL"
OUT=$(cat "$W/s1") "$PYTHON" - "$TEE_0_ID" <<'EOF' || fail "session reuse lines: $(cat "$W/s1")"
import json, os, sys
L = [json.loads(l) for l in os.environ["OUT"].splitlines()]
assert len(L) == 3 and all(l["ok"] and l["tee_id"] == sys.argv[1] for l in L)
assert [(l["paid"], l["session_reused"]) for l in L] == \
    [(True, False), (False, True), (False, True)], L
EOF
stats_check "d['payments_received']==1 and d['session_uses']==3 and d['payment_required_sent']==1" "one payment, then the session"
ok "one client: one payment, then two session reuses"

reset
control '{"session_requests": 2}'
OG_PRIVATE_KEY=$KEY0 "$SESSION_BIN" --count 3 --stream >"$W/s2" 2>"$W/s2.err" ||
  fail "chat_session (2-request sessions): $(cat "$W/s2.err")"
cat "$W/s2" "$W/s2.err" >>"$ALL"
OUT=$(cat "$W/s2") "$PYTHON" - <<'EOF' || fail "exhausted session lines: $(cat "$W/s2")"
import json, os
L = [json.loads(l) for l in os.environ["OUT"].splitlines()]
assert len(L) == 3 and all(l["ok"] for l in L)
assert [(l["paid"], l["session_reused"]) for l in L] == \
    [(True, False), (False, True), (True, False)], L
EOF
stats_check "d['payments_received']==2 and len({p['nonce'] for p in d['payments']})==2 and len({p['session'] for p in d['payments']})==2" "two payments, one per session"
control '{"session_requests": 100}'
ok "an exhausted session: the next request pays once more"

# sessions are per path: a completion does not ride the chat session
reset
OG_PRIVATE_KEY=$KEY0 "$SESSION_BIN" --count 2 --completion >"$W/s3" 2>"$W/s3.err" ||
  fail "chat_session --completion: $(cat "$W/s3.err")"
stats_check "d['payments_received']==1 and d['payments'][0]['path']=='/v1/completions' and d['session_uses']==2" "completion session"
ok "completion sessions"

# --- a long-lived client keeps its TEE and session when the registry RPC
# goes away (the refresh fails and is only reported) ---
reset
mkfifo "$W/step"
OG_PRIVATE_KEY=$KEY0 "$SESSION_BIN" --count 2 --step --refresh 1 -v \
  <"$W/step" >"$W/s4" 2>"$W/s4.err" &
LONG=$!
exec 7>"$W/step"
for _ in $(seq 100); do [ -s "$W/s4" ] && break; sleep 0.1; done
[ -s "$W/s4" ] || fail "first request of the long-lived client: $(cat "$W/s4.err")"
kill "$ANVIL_PID"
sleep 1.5   # past the 1 s refresh interval
echo next >&7
exec 7>&-
wait "$LONG" || fail "long-lived client without registry: $(cat "$W/s4" "$W/s4.err")"
cat "$W/s4" "$W/s4.err" >>"$ALL"
OUT=$(sed -n 2p "$W/s4") json_check "d['ok'] is True and d['tee_id']=='$TEE_0_ID' and d['session_reused'] is True and d['paid'] is False" "second request on the same TEE and session"
grep -q "registry refresh failed (keeping TEE $TEE_0_ID)" "$W/s4.err" || fail "refresh failure not reported: $(cat "$W/s4.err")"
stats_check "d['payments_received']==1" "one payment"
ok "a failed registry refresh keeps the TEE and its session"

# --- no key in any output, -v included ---
for k in "$KEY0" "$KEY1" "$KEY2"; do
  if grep -qiF -- "${k#0x}" "$ALL"; then
    fail "a private key appears in the output"
  fi
done
ok "no private key in any stdout/stderr"
echo "$TESTS_RUN checks passed"
