#!/usr/bin/env bash
# `make demo`: the client's main job on a local chain with two TEE stand-ins.
# Starts anvil with the registry and two HTTPS gateway stand-ins (each with
# its own registered certificate and RSA signing key), runs the command
# against them, and stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=$ROOT/build/bin/opengradient
PYTHON=${PYTHON:-python3}
DIR=$(mktemp -d)
cleanup() {
  "$PYTHON" tests/devnet/devnet.py stop --dir "$DIR" >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

bold() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
# The command is shown quoted for the shell, so it can be pasted as is:
# a word with anything but plain characters goes in single quotes.
shq() {
  local a
  for a in "$@"; do
    if [[ $a =~ ^[A-Za-z0-9_./:=,+@-]+$ ]]; then printf ' %s' "$a"
    else printf " '%s'" "${a//\'/\'\\\'\'}"; fi
  done
}
run() { bold "opengradient$(shq "$@")"; "$BIN" "$@"; }

echo "Starting a local chain (anvil), the TEE registry and two gateway stand-ins..."
"$PYTHON" tests/devnet/devnet.py start --dir "$DIR" --tees 2 --gateways
# shellcheck disable=SC1091
. "$DIR/env"
export OG_RPC_URL OG_TEE_REGISTRY
export HOME=$DIR   # no personal config is read or written by the demo
echo "Registry $OG_TEE_REGISTRY on $OG_RPC_URL"

run tee list
run tee check
run chat --model openai/gpt-5 \
  --messages '[{"role":"user","content":"What is a trusted execution environment?"}]'
run chat --model anthropic/claude-sonnet-4-5 --stream \
  --messages '[{"role":"user","content":"Tell me a short story about a lighthouse."}]'
TOOLS='[{"type":"function","function":{"name":"get_current_weather","description":"Get the current weather in a given location","parameters":{"type":"object","properties":{"city":{"type":"string"},"state":{"type":"string"},"unit":{"type":"string","enum":["fahrenheit","celsius"]}},"required":["city","state","unit"]}}}]'
run chat --model openai/gpt-5 --max-tokens 200 --tools "$TOOLS" \
  --messages '[{"role":"system","content":"You are a helpful assistant. Use tools when needed."},{"role":"user","content":"What is the weather like in Dallas, Texas? Give me the temperature in fahrenheit."}]'
run completion --model openai/gpt-5 --prompt "Hello, how are you?" --max-tokens 50

bold "opengradient chat ... --json > answer.json; opengradient verify answer.json"
"$BIN" chat --model openai/gpt-5 --json \
  --messages '[{"role":"user","content":"Sign this answer."}]' > "$DIR/answer.json"
"$BIN" verify "$DIR/answer.json"

echo
echo "Now the gateways ask for x402 payment; the client pays with anvil's public"
echo "test key (never a real key), within --max-payment, once per request."
for i in 0 1; do
  port_var=TEE_${i}_PORT
  curl -sk -X POST "https://127.0.0.1:${!port_var}/_control" -d '{"x402": true}' >/dev/null
done
export OG_PRIVATE_KEY=$OG_DEVNET_PRIVATE_KEY
run chat --model openai/gpt-5 -v \
  --messages '[{"role":"user","content":"A paid question."}]'
bold "opengradient chat ... --max-payment 1   (refused: the TEE asks for more)"
"$BIN" chat --model openai/gpt-5 --max-payment 1 \
  --messages '[{"role":"user","content":"Too expensive."}]' || echo "(exit status $?, as expected)"
echo
echo "Demo finished; stopping the chain and the stand-ins."
