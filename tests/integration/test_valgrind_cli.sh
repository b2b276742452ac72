#!/usr/bin/env bash
# The whole command under valgrind, end to end against the devnet: registry
# read, pinned TLS, chat (plain, streamed, tool call), a paid request,
# verify, and failures. No leaks and no memory errors on any path.
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || { echo "valgrind missing"; exit 1; }
case "${OG_BUILD:-}" in *asan*) echo "skipped under ASan (valgrind cannot run ASan binaries)"; exit 0 ;; esac
DEVNET="$PYTHON $ROOT/tests/devnet/devnet.py"
W=$(mktemp -d)
cleanup() { $DEVNET stop --dir "$W/d" >/dev/null 2>&1; rm -rf "$W"; }
trap cleanup EXIT
export HOME=$W
unset OG_PRIVATE_KEY OG_TEE_ID OG_LLM_SERVER_URL
$DEVNET start --dir "$W/d" --tees 2 --gateways >/dev/null || fail "devnet start"
. "$W/d/env"
export OG_RPC_URL OG_TEE_REGISTRY

VG=(valgrind -q --error-exitcode=99 --leak-check=full
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect)
vg() { # expected-exit description args...
  local want=$1 what=$2; shift 2
  "${VG[@]}" "$OG_BIN" "$@" >"$W/out" 2>"$W/err" </dev/null
  local rc=$?
  [ $rc -eq 99 ] && { cat "$W/err" >&2; fail "$what: valgrind found errors or leaks"; }
  [ $rc -eq "$want" ] || { cat "$W/err" >&2; fail "$what: exit $rc, expected $want"; }
  ok "$what (valgrind clean, exit $rc)"
}
M='[{"role":"user","content":"Hello under valgrind, caf\u00e9"}]'
T='[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"x":{"type":"string"}}}}}]'
vg 0 "tee list" tee list --json
vg 0 "tee check" tee check
vg 0 "chat" chat --model openai/gpt-5 --messages "$M" --json
cp "$W/out" "$W/answer.json"
vg 0 "streamed chat" chat --model openai/gpt-5 --messages "$M" --stream
vg 0 "streamed tool call" chat --model openai/gpt-5 --messages "$M" --tools "$T" --stream --json
vg 0 "completion" completion --model openai/gpt-5 --prompt hi
vg 0 "verify" verify "$W/answer.json"
vg 3 "unknown TEE" chat --model openai/gpt-5 --messages "$M" --tee-id 0x$(printf '%064d' 1)
vg 2 "dead RPC" tee list --rpc-url http://127.0.0.1:1
vg 1 "bad input" chat --model gpt-5 --messages "$M"
for p in $TEE_0_PORT $TEE_1_PORT; do
  curl -sk -X POST "https://127.0.0.1:$p/_control" -d '{"x402": true}' >/dev/null
done
vg 5 "402 without a key" chat --model openai/gpt-5 --messages "$M"
OG_PRIVATE_KEY=$OG_DEVNET_PRIVATE_KEY vg 0 "paid chat" chat --model openai/gpt-5 --messages "$M" -v
grep -qi "${OG_DEVNET_PRIVATE_KEY#0x}" "$W/out" "$W/err" && fail "the key was printed"
for p in $TEE_0_PORT $TEE_1_PORT; do
  curl -sk -X POST "https://127.0.0.1:$p/_control" -d '{"x402": false, "fault": "error_frame"}' >/dev/null
done
vg 6 "error frame mid-stream" chat --model openai/gpt-5 --messages "$M" --stream
echo "$TESTS_RUN checks passed"
