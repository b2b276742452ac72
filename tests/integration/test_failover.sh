#!/usr/bin/env bash
# Failover between registry TEEs: a dead stand-in and one that presents a
# rotated certificate are passed over before any payment and any byte;
# --tee-id never fails over; all down is exit 4; a paid attempt that fails
# is never retried elsewhere (one payment across every stand-in). A
# long-lived client (examples/chat_session.c) re-reads the registry and
# moves off a TEE that was disabled on chain.
. "$(dirname "$0")/lib.sh"
DEVNET="$PYTHON $ROOT/tests/devnet/devnet.py"
OG_BUILD=${OG_BUILD:-$ROOT/build}
SESSION_BIN=$OG_BUILD/bin/example_chat_session
[ -x "$SESSION_BIN" ] || fail "missing $SESSION_BIN (build the examples)"
W=$(mktemp -d)
PIDS=()
cleanup() {
  exec 7>&- 2>/dev/null
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  $DEVNET stop --dir "$W/d" >/dev/null 2>&1
  rm -rf "$W"
}
trap cleanup EXIT
export HOME=$W
unset OG_PRIVATE_KEY OG_TEE_ID OG_LLM_SERVER_URL OG_MAX_PAYMENT OG_NETWORKS

$DEVNET start --dir "$W/d" --tees 2 --gateways >/dev/null || fail "devnet start"
. "$W/d/env"
export OG_RPC_URL OG_TEE_REGISTRY
MSG='[{"role":"user","content":"fail over"}]'
RUNS=30  # P(a TEE chosen at random is never the first pick) = 2^-30

control() { # port json
  curl -sk -XPOST "https://127.0.0.1:$1/_control" -d "$2" >/dev/null ||
    fail "control $1 $2"
}
stat() { # port python-expr -> prints the value
  curl -sk "https://127.0.0.1:$1/_stats" |
    "$PYTHON" -c "import json,sys; d=json.load(sys.stdin); print($2)"
}
chat() { run_og chat --model openai/gpt-4.1 --messages "$MSG" "$@"; }

# --- a failed paid attempt is not retried on another TEE ---
for p in $TEE_0_PORT $TEE_1_PORT; do
  control "$p" '{"x402": true, "fault": "close", "reset_stats": true}'
done
for i in 1 2 3 4; do
  OG_PRIVATE_KEY=$OG_DEVNET_PRIVATE_KEY chat -v
  [ "$RC" -ne 0 ] || fail "a paid attempt that got no answer succeeded"
  [ "$RC" -eq 4 ] || [ "$RC" -eq 6 ] || fail "paid attempt closed: exit $RC ($ERR)"
  grep -q "re-reading the registry" <<<"$ERR" && fail "failed over after paying: $ERR"
  n=$(( $(stat "$TEE_0_PORT" "d['payments_received']") + $(stat "$TEE_1_PORT" "d['payments_received']") ))
  [ "$n" -eq "$i" ] || fail "run $i: $n payments across both stand-ins, expected $i"
done
# one TEE saw everything; the other no request at all
t0=$(stat "$TEE_0_PORT" "d['requests_total']") t1=$(stat "$TEE_1_PORT" "d['requests_total']")
# each run: one unpaid request (402), one paid request; the paid one goes on
# a fresh connection, so libcurl never silently re-sends it
[ $((t0 + t1)) -eq 8 ] || fail "4 runs made $((t0 + t1)) requests, expected 8 (2 per run)"
[ "$(stat "$TEE_0_PORT" "d['payments_received']")" -eq "$(stat "$TEE_0_PORT" "d['payment_required_sent']")" ] ||
  fail "TEE 0: a 402 without a payment after it"
# streamed: the paid stream breaks after some bytes; still one payment
for p in $TEE_0_PORT $TEE_1_PORT; do
  control "$p" '{"fault": "truncate", "reset_stats": true}'
done
OG_PRIVATE_KEY=$OG_DEVNET_PRIVATE_KEY chat --stream --json
[ "$RC" -ne 0 ] || fail "a truncated paid stream succeeded"
n=$(( $(stat "$TEE_0_PORT" "d['payments_received']") + $(stat "$TEE_1_PORT" "d['payments_received']") ))
[ "$n" -eq 1 ] || fail "truncated stream: $n payments"
for p in $TEE_0_PORT $TEE_1_PORT; do
  control "$p" '{"x402": false, "fault": null, "reset_stats": true, "reset_sessions": true}'
done
ok "no failover after a payment (one payment across both stand-ins; $t0/$t1 requests)"

# --- a long-lived client moves off a TEE that left the active set ---
mkfifo "$W/step"
"$SESSION_BIN" --count 2 --step --refresh 1 -v <"$W/step" >"$W/long" 2>"$W/long.err" &
LONG=$!
PIDS+=($LONG)
exec 7>"$W/step"
for _ in $(seq 100); do
  [ -s "$W/long" ] && break
  sleep 0.1
done
FIRST=$("$PYTHON" -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["tee_id"])' "$W/long") ||
  fail "first request: $(cat "$W/long" "$W/long.err")"
case $FIRST in
  "$TEE_0_ID") OTHER=$TEE_1_ID OTHER_EP=$TEE_1_ENDPOINT ;;
  "$TEE_1_ID") OTHER=$TEE_0_ID OTHER_EP=$TEE_0_ENDPOINT ;;
  *) fail "first request served by an unknown TEE: $FIRST" ;;
esac
$DEVNET disable --dir "$W/d" --id "$FIRST" >/dev/null || fail "disable"
sleep 1.5   # let the client's 1 s refresh interval pass
echo next >&7
exec 7>&-
wait "$LONG" || fail "long-lived client: $(cat "$W/long" "$W/long.err")"
OUT=$(sed -n 2p "$W/long")
json_check "d['ok'] is True and d['tee_id']=='$OTHER' and d['endpoint']=='$OTHER_EP' and d['failovers']==0" "second request on the other TEE"
grep -q "left the active set" "$W/long.err" || fail "no switch reported: $(cat "$W/long.err")"
$DEVNET enable --dir "$W/d" --id "$FIRST" >/dev/null || fail "enable"
ok "a long-lived client re-reads the registry and leaves a disabled TEE"

# --- a dead stand-in: every run succeeds on the other TEE ---
kill "$TEE_0_GATEWAY_PID"
for _ in $(seq 50); do kill -0 "$TEE_0_GATEWAY_PID" 2>/dev/null || break; sleep 0.1; done
seen=0
for i in $(seq $RUNS); do
  chat --json -v
  expect_rc 0 "run $i with TEE 0 down"
  json_check "d['tee']['id']=='$TEE_1_ID' and d['tee']['endpoint']=='$TEE_1_ENDPOINT' and d['verified'] is True" "served by TEE 1"
  if grep -q "TEE $TEE_0_ID failed before answering" <<<"$ERR"; then
    expect_err "switching to $TEE_1_ENDPOINT" "-v names the new TEE"
    seen=$((seen + 1))
    [ $seen -ge 2 ] && break
  fi
done
[ $seen -ge 1 ] || fail "no run chose the dead TEE first"
ok "a dead TEE is passed over; the result names the serving TEE"

# --tee-id means that TEE only
before=$(stat "$TEE_1_PORT" "d['requests_total']")
chat --tee-id "$TEE_0_ID"
expect_rc 4 "--tee-id of a dead TEE"; expect_one_err_line "--tee-id of a dead TEE"
chat --tee-id "$TEE_0_ID" --json
expect_rc 4 "--tee-id dead, json"; json_check "d['error']['exit_code']==4" "json error"
[ "$(stat "$TEE_1_PORT" "d['requests_total']")" -eq "$before" ] || fail "--tee-id failed over"
ok "--tee-id of a dead TEE is exit 4, no failover"

# --- a rotated certificate on TEE 0's port is not accepted ---
$DEVNET gen-cert --out "$W/rotated" >/dev/null || fail gen-cert
"$PYTHON" "$ROOT/tests/devnet/gateway.py" --port "$TEE_0_PORT" --cert "$W/rotated.pem" \
  --key "$W/rotated.key" --signing-key "$TEE_0_SIGNING_KEY" \
  --payment-address "$TEE_0_PAYMENT_ADDRESS" --ready-file "$W/rot.ready" \
  >"$W/rot.log" 2>&1 &
PIDS+=($!)
ROT_PID=$!
for _ in $(seq 100); do [ -f "$W/rot.ready" ] && break; sleep 0.1; done
[ -f "$W/rot.ready" ] || fail "rotated stand-in did not start: $(cat "$W/rot.log")"
seen=0
for i in $(seq $RUNS); do
  chat --json -v
  expect_rc 0 "run $i with TEE 0 rotated"
  json_check "d['tee']['id']=='$TEE_1_ID'" "served by TEE 1"
  if grep -q "not the one registered" <<<"$ERR"; then
    expect_err "switching to $TEE_1_ENDPOINT" "fails over from the rotated TEE"
    seen=$((seen + 1))
    [ $seen -ge 2 ] && break
  fi
done
[ $seen -ge 1 ] || fail "no run chose the rotated TEE first"
[ "$(stat "$TEE_0_PORT" "d['requests_total']")" -eq 0 ] || fail "a request reached the rotated server"
chat --tee-id "$TEE_0_ID"
expect_rc 4 "--tee-id of the rotated TEE"; expect_err "not the one registered" "pin mismatch named"
ok "a rotated certificate is refused (exit 4 with --tee-id) and failed over"

# --- three TEEs, two bad: every run still reaches the good one ---
eval "$($DEVNET add-tee --dir "$W/d" --gateway 2>/dev/null)" || fail "add-tee"
kill "$TEE_1_GATEWAY_PID"
for _ in $(seq 50); do kill -0 "$TEE_1_GATEWAY_PID" 2>/dev/null || break; sleep 0.1; done
for i in $(seq 12); do
  chat --json -v
  expect_rc 0 "run $i with TEE 0 rotated and TEE 1 down"
  json_check "d['tee']['id']=='$TEE_2_ID'" "served by TEE 2"
done
ok "with two bad TEEs of three, the good one is found"

# --- all down ---
kill "$TEE_2_GATEWAY_PID"
for _ in $(seq 50); do kill -0 "$TEE_2_GATEWAY_PID" 2>/dev/null || break; sleep 0.1; done
chat
expect_rc 4 "all TEEs down"; expect_one_err_line "all TEEs down"
kill "$ROT_PID"
wait "$ROT_PID" 2>/dev/null
chat --json
expect_rc 4 "all TEEs refuse connections"; json_check "d['error']['exit_code']==4" "json error"
ok "all TEEs down is exit 4"
echo "$TESTS_RUN checks passed"
