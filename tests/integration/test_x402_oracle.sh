#!/usr/bin/env bash
# Cross-check our x402 "upto" payment with independent verifiers: build one
# with examples/x402_sign (the library's og_x402_* API) for a fresh
# PAYMENT-REQUIRED at the current time, then let node check it
# (x402_oracle.cjs: @x402/core decoding, viem typed-data recovery, the
# @x402/evm upto facilitator's verify, and tampered copies refused).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${OG_BUILD:-$root/build}
signer=$build/bin/example_x402_sign
PY=${PYTHON:-python3}

[ -x "$signer" ] || { echo "missing $signer (build the examples)"; exit 1; }
command -v node >/dev/null || { echo "node not found (scripts/deps.sh)"; exit 1; }
[ -d "$root/node_modules/@x402/evm" ] || { echo "node_modules lacks @x402/evm (scripts/deps.sh)"; exit 1; }

# anvil's key 0: a well-known test key
export OG_PRIVATE_KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
address=0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266
facilitator=0x1111111111111111111111111111111111111111

req_json=$($PY -c '
import json
print(json.dumps({"x402Version": 2, "error": "Payment required",
  "resource": {"url": "https://127.0.0.1:8443/v1/chat/completions",
               "description": "Chat completion", "mimeType": "application/json"},
  "accepts": [{"scheme": "upto", "network": "eip155:8453",
    "asset": "0xFbC2051AE2265686a469421b2C5A2D5462FbF5eB",
    "amount": "100000000000000000",
    "payTo": "0x9deEBB5D1b22e4a6e027977CeAd13893A7E4cC1a",
    "maxTimeoutSeconds": 300,
    "extra": {"name": "OpenGradient", "version": "1",
              "assetTransferMethod": "permit2",
              "facilitatorAddress": "'$facilitator'"}}]}, separators=(",", ":")))')
req_b64=$(printf '%s' "$req_json" | base64 -w0)

fail=0
for mode in "" "--valid-after-zero"; do
  header=$("$signer" $mode "$req_b64" 2>"$build/x402_sign.err") || {
    cat "$build/x402_sign.err"; exit 1; }
  # the summary never carries the key
  if grep -qi "ac0974bec39a17e36ba4a6b4d238ff94" "$build/x402_sign.err"; then
    echo "FAIL: the key appears in the summary"; exit 1
  fi
  (cd "$root" && node "$here/x402_oracle.cjs" "$req_json" "$header" \
    "$address" "$facilitator") || fail=1
done

# over the cap: refused, exit 5, with the amount and the cap named
set +e
out=$("$signer" --max 99999999999999999 "$req_b64" 2>&1 >/dev/null)
st=$?
set -e
if [ $st -ne 5 ] || ! grep -q "amount 100000000000000000 exceeds the maximum payment 99999999999999999" <<<"$out"; then
  echo "FAIL: over-cap payment not refused as expected (exit $st): $out"; fail=1
fi
exit $fail
