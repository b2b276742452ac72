#!/usr/bin/env bash
# `approve`: the token's allowance to Permit2 on a local chain. Sends one
# EIP-1559 approve only when the allowance is short, waits for it, and
# reads the allowance again; a revert is exit 5; bad input exit 1; a dead
# RPC exit 2. cast is the independent check of the chain state.
. "$(dirname "$0")/lib.sh"
DEVNET="$PYTHON $ROOT/tests/devnet/devnet.py"
CAST=$ROOT/node_modules/@foundry-rs/cast-linux-amd64/bin/cast
PERMIT2=0x000000000022D473030F116dDEE9F6B43aC78BA3
W=$(mktemp -d)
cleanup() {
  $DEVNET stop --dir "$W/d" >/dev/null 2>&1
  rm -rf "$W"
}
trap cleanup EXIT
export HOME=$W
unset OG_PRIVATE_KEY OG_PAYMENT_RPC_URL

$DEVNET start --dir "$W/d" --tees 0 >/dev/null || fail "devnet start"
$DEVNET deploy-token --dir "$W/d" >/dev/null || fail "deploy-token"
. "$W/d/env"
[ -n "${OG_TEST_TOKEN:-}" ] || fail "no OG_TEST_TOKEN"
KEY=$OG_DEVNET_PRIVATE_KEY
OWNER=$OG_DEVNET_ACCOUNT
N=250000000000000000
allowance() {
  "$CAST" call "$OG_TEST_TOKEN" 'allowance(address,address)(uint256)' \
    "$OWNER" "$PERMIT2" --rpc-url "$OG_RPC_URL" | cut -d' ' -f1
}
nonce() { "$CAST" nonce "$OWNER" --rpc-url "$OG_RPC_URL"; }
approve() {
  run_og approve --token "$OG_TEST_TOKEN" --payment-rpc-url "$OG_RPC_URL" \
    --chain-id "$OG_DEVNET_CHAIN_ID" "$@"
  printf '%s\n%s\n' "$OUT" "$ERR" >>"$W/all-output"
}

[ "$(allowance)" = 0 ] || fail "fresh token has an allowance"

# --- short: one approve, mined, allowance exactly N ---
n0=$(nonce)
OG_PRIVATE_KEY=$KEY approve --amount $N --json -v
expect_rc 0 "approve"
json_check "d['allowance_before']=='0' and d['allowance_after']=='$N' and isinstance(d['tx_hash'], str) and len(d['tx_hash'])==66 and d['tx_hash'].startswith('0x')" "json result"
TX=$("$PYTHON" -c 'import json,sys; print(json.loads(sys.argv[1])["tx_hash"])' "$OUT")
[ "$(allowance)" = "$N" ] || fail "cast: allowance is $(allowance), expected $N"
[ "$(nonce)" -eq $((n0 + 1)) ] || fail "expected exactly one transaction"
R=$("$CAST" receipt "$TX" --rpc-url "$OG_RPC_URL" --json) || fail "no receipt for $TX"
OUT=$R json_check "int(d['status'],16)==1 and d['to'].lower()=='${OG_TEST_TOKEN,,}' and d['from'].lower()=='${OWNER,,}' and int(d['type'],16)==2" "receipt: EIP-1559 to the token, success"
TXJ=$("$CAST" tx "$TX" --rpc-url "$OG_RPC_URL" --json) || fail "cast tx"
OUT=$TXJ json_check "d['input'].lower()=='0x095ea7b3'+'${PERMIT2:2}'.lower().rjust(64,'0')+format($N,'064x')" "calldata approve(Permit2, N)"
ok "approve sets the allowance to N in one EIP-1559 transaction"

# --- enough already: nothing sent ---
n1=$(nonce)
OG_PRIVATE_KEY=$KEY approve --amount $N --json
expect_rc 0 "approve again"
json_check "d['allowance_before']=='$N' and d['allowance_after']=='$N' and d['tx_hash'] is None" "tx_hash null"
OG_PRIVATE_KEY=$KEY approve --amount 1
expect_rc 0 "smaller amount"; expect_out "nothing sent" "human: nothing sent"
[ "$(nonce)" -eq "$n1" ] || fail "a transaction was sent although the allowance was enough"
ok "an allowance that covers N sends nothing (nonce unchanged)"

# --- the key from a file works the same ---
printf '%s\n' "$KEY" >"$W/key"
chmod 600 "$W/key"   # a secret file open to others is refused
approve --amount $((N + 1)) --private-key-file "$W/key" --json
expect_rc 0 "key file"
json_check "d['allowance_before']=='$N' and d['allowance_after']=='$((N + 1))'" "raised by one unit"
ok "approve with --private-key-file"

# --- the token reverts approve: exit 5, allowance unchanged ---
$DEVNET approve-reverts --dir "$W/d" on >/dev/null || fail "approve-reverts on"
before=$(allowance)
OG_PRIVATE_KEY=$KEY approve --amount $((N * 4)) --json
expect_rc 5 "reverting approve"
json_check "d['error']['exit_code']==5" "json error"
[ "$(allowance)" = "$before" ] || fail "allowance changed by a reverted approve"
$DEVNET approve-reverts --dir "$W/d" off >/dev/null || fail "approve-reverts off"
ok "a reverting approve is exit 5"

# --- bad input and no key: exit 1, before any network ---
approve --amount $N
expect_rc 1 "no key"; expect_err "key" "names the key"; expect_one_err_line "no key"
for bad in 12x -1 "" 1.5 0x10 \
  115792089237316195423570985008687907853269984665640564039457584007913129639936; do
  OG_PRIVATE_KEY=$KEY approve --amount "$bad"
  expect_rc 1 "bad amount '$bad'"; expect_err "--amount" "names --amount"
done
OG_PRIVATE_KEY=$KEY run_og approve --token "$OG_TEST_TOKEN"
expect_rc 1 "missing --amount"
OG_PRIVATE_KEY=$KEY approve --amount 5 --token 0x1234
expect_rc 1 "bad token address"
OG_PRIVATE_KEY=$KEY run_og approve --amount 5 --token "$OG_TEST_TOKEN" --payment-rpc-url http://192.0.2.1:8545
expect_rc 1 "plain http RPC to a remote host"
ok "bad amount, token, RPC URL or no key: exit 1"

# --- RPC trouble: exit 2 ---
OG_PRIVATE_KEY=$KEY run_og approve --amount 5 --token "$OG_TEST_TOKEN" --payment-rpc-url http://127.0.0.1:1
expect_rc 2 "dead RPC"; expect_one_err_line "dead RPC"
OG_PRIVATE_KEY=$KEY approve --amount 5 --token 0x000000000000000000000000000000000000dEaD
expect_rc 2 "token without code"
ok "dead RPC (or no ERC-20 there) is exit 2"

if grep -qiF -- "${KEY#0x}" "$W/all-output"; then
  fail "the private key appears in the output"
fi
ok "the key is never printed"
echo "$TESTS_RUN checks passed"
