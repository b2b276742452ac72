#!/usr/bin/env bash
# The library never names a CLI option in a message (a scan of every
# string literal under src/ outside src/cli/, with a self-test that the
# scan finds what it must); the CLI names the option once. No network.
. "$(dirname "$0")/lib.sh"
"$PYTHON" "$ROOT/tests/tools/check_option_names.py" --self-test ||
  fail "the option-name scan misses what it must find"
found=$("$PYTHON" "$ROOT/tests/tools/check_option_names.py" "$ROOT") ||
  fail "library messages name CLI options:
$found"
ok "no library source outside src/cli/ writes an option name into a message"

export HOME=$(mktemp -d)
trap 'rm -rf "$HOME"' EXIT
unset OG_PRIVATE_KEY OG_TEE_ID OG_LLM_SERVER_URL OG_NETWORKS OG_PAYMENT_ASSETS
HI='[{"role":"user","content":"hi"}]'
once() { # option description: exit 1, the option named exactly once
  expect_rc 1 "$2"
  [ "$(grep -o -- "$1" <<<"$ERR" | wc -l)" -eq 1 ] ||
    fail "$2: '$1' not named exactly once: $ERR"
  expect_one_err_line "$2"
}
R=(--rpc-url http://127.0.0.1:1)
run_og chat "${R[@]}" --model openai/gpt-5 --messages "$HI" --tee-id 0x12
once --tee-id "bad --tee-id"
run_og chat "${R[@]}" --model openai/gpt-5 --messages "$HI" --networks 'eip155:1,'
once --networks "bad --networks"
run_og chat "${R[@]}" --model openai/gpt-5 --messages "$HI" --payment-asset eip155:8453:0x12
once --payment-asset "bad --payment-asset"
expect_err "'0x12' is not a token address" "names the bad value"
OG_PAYMENT_ASSETS=nonsense run_og chat "${R[@]}" --model openai/gpt-5 --messages "$HI"
expect_rc 1 "bad OG_PAYMENT_ASSETS"; expect_err "OG_PAYMENT_ASSETS" "names the variable"
run_og chat "${R[@]}" --model openai/gpt-5 --messages "$HI" --max-payment 1.5
once --max-payment "bad --max-payment"
run_og chat "${R[@]}" --model gpt-5 --messages "$HI"
once --model "model without provider"
run_og chat "${R[@]}" --model openai/gpt-5 --messages "$HI" --tool-choice none
once --tool-choice "--tool-choice without tools"
run_og chat "${R[@]}" --model openai/gpt-5 --messages "$HI" --x402-settlement-mode cheap
once --x402-settlement-mode "bad settlement mode"
run_og tee show 0x12 "${R[@]}"
expect_rc 1 "bad TEE id"; expect_err "TEE id '0x12': expected 64 hex digits" "names the value"
run_og tee list --rpc-url http://192.0.2.1:8545
once --allow-insecure-rpc "insecure RPC hint"
ok "the CLI names the option once (--tee-id, --networks, --payment-asset, --max-payment, --model, --tool-choice, --x402-settlement-mode, --allow-insecure-rpc)"
echo "$TESTS_RUN checks passed"
