#!/usr/bin/env bash
# The client against a hostile gateway (real TLS, its certificate pinned
# with --tls-cert) and a hostile JSON-RPC node (tests/devnet/hostile.py):
# payments only in an allowed (network, asset) pair, in both schemes and in
# direct and registry modes; approve refusing the RPC's chain id, fee and
# gas; bounded memory for amplification bodies (peak RSS measured with
# getrusage, normal build only); the aggregate tool-call cap; response
# headers over the limit; --max-time against a trickling server; the 402
# message; eth_call answering "0x"; bad input refused before any request.
. "$(dirname "$0")/lib.sh"
W=$(mktemp -d)
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$W"
}
trap cleanup EXIT
export HOME=$W
unset OG_PRIVATE_KEY OG_TEE_ID OG_LLM_SERVER_URL OG_MAX_PAYMENT OG_NETWORKS \
  OG_PAYMENT_RPC_URL OG_PAYMENT_ASSETS OG_RPC_URL OG_TEE_REGISTRY NO_COLOR
# anvil's public dev key 0 (well known, test only)
KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
OPG=0xFbC2051AE2265686a469421b2C5A2D5462FbF5eB
USDC=0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913
WETH=0x4200000000000000000000000000000000000006
HOSTILE="$PYTHON $ROOT/tests/devnet/hostile.py"
ASAN=0
case "$(basename "$(dirname "$(dirname "$OG_BIN")")")" in *asan*) ASAN=1 ;; esac
[ -n "${ASAN_OPTIONS:-}" ] && ASAN=1
[ $ASAN = 1 ] && echo "# sanitizer build: peak RSS is not measured (ASan inflates it)"

"$PYTHON" "$ROOT/tests/devnet/devnet.py" gen-cert --out "$W/gw" >/dev/null ||
  fail "gen-cert"
start() { # name [--cert ...]: start a hostile server; sets <name>_PORT
  local name=$1 i
  shift
  $HOSTILE --port 0 --ready-file "$W/$name.ready" "$@" &
  PIDS+=($!)
  for i in $(seq 100); do [ -s "$W/$name.ready" ] && break; sleep 0.1; done
  [ -s "$W/$name.ready" ] || fail "hostile $name did not start"
  printf -v "${name}_PORT" '%s' "$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$W/$name.ready")"
}
start GW --cert "$W/gw.pem" --key "$W/gw.key"
start RPC
GW=https://127.0.0.1:$GW_PORT
RPC=http://127.0.0.1:$RPC_PORT
gctl() { curl -sk -XPOST "$GW/_control" -d "$1" | grep -q '"ok"' || fail "control $1"; }
rctl() { curl -s -XPOST "$RPC/_control" -d "$1" | grep -q '"ok"' || fail "control $1"; }
gstats() { OUT=$(curl -sk "$GW/_stats") || fail "stats"; }
rstats() { OUT=$(curl -s "$RPC/_stats") || fail "stats"; }
# check 'python expr on d (the stats)' description (keeps OUT/ERR/RC)
check() {
  local o=$OUT e=$ERR r=$RC
  "$1"
  json_check "$2" "$3"
  OUT=$o ERR=$e RC=$r
}
D=(--llm-server-url "$GW" --tls-cert "$W/gw.pem" --no-verify)
HI='[{"role":"user","content":"hi"}]'
chat() { run_og chat "${D[@]}" --model openai/gpt-5 --messages "$HI" "$@"; }

# --- 1. payments only in an allowed (network, asset) pair ---
gctl '{"reset": true}'
OG_PRIVATE_KEY=$KEY chat --json
expect_rc 0 "unpaid answer"
check gstats "len(d['requests'])==1 and not d['payments']" "one request, no payment"
# (scheme, transfer, asset) the server asks for; Base is an allowed network
for ask in "upto permit2 $WETH" "exact eip3009 $USDC" "exact permit2 $USDC"; do
  set -- $ask
  gctl "{\"reset\": true, \"mode\": \"pay\", \"scheme\": \"$1\", \"transfer\": \"$2\", \"asset\": \"$3\"}"
  OG_PRIVATE_KEY=$KEY chat
  expect_rc 5 "$1/$2 in $3"
  expect_one_err_line "$1/$2"
  expect_err "asset $3 on network 'eip155:8453' is not an allowed asset" "$1/$2 names the asset"
  expect_err "add --payment-asset" "$1/$2: the CLI's hint names the option"
  [ "$(grep -o -- '--payment-asset' <<<"$ERR" | wc -l)" -eq 1 ] || fail "option named more than once: $ERR"
  check gstats "len(d['requests'])==1 and not d['payments'] and not any(r['paid'] for r in d['requests'])" \
    "$1/$2 in a foreign token: nothing sent after the 402"
  # the same token allowed: paid exactly once, in that token
  OG_PRIVATE_KEY=$KEY chat --payment-asset "eip155:8453:$3" --json
  expect_rc 0 "$1/$2 with --payment-asset"
  check gstats "len(d['payments'])==1 and d['payments'][0]['asset'].lower()=='$3'.lower() and d['payments'][0]['scheme']=='$1'" \
    "$1/$2 allowed: paid once in that token"
done
ok "a 402 in a foreign token (upto/Permit2, exact/EIP-3009, exact/Permit2) is exit 5 with no payment; allowed with --payment-asset it is paid once"

# default OPG on Base is paid; a network without an allowed asset is not
gctl '{"reset": true, "mode": "pay", "scheme": "upto", "asset": "'$OPG'"}'
OG_PRIVATE_KEY=$KEY chat --json
expect_rc 0 "OPG on Base by default"
check gstats "len(d['payments'])==1" "OPG paid once"
gctl '{"reset": true, "mode": "pay", "scheme": "upto", "network": "eip155:84532", "asset": "'$OPG'"}'
OG_PRIVATE_KEY=$KEY chat
expect_rc 5 "Base Sepolia is in --networks but has no allowed asset"
expect_err "network 'eip155:84532' has no allowed asset" "names the network"
expect_err "--payment-asset" "names the option to add"
check gstats "not d['payments']" "nothing paid on a network without an asset"
# the env list replaces the default: OPG on Base is then refused
gctl '{"reset": true, "mode": "pay", "scheme": "upto", "asset": "'$OPG'"}'
OG_PAYMENT_ASSETS="eip155:84532:$OPG, eip155:8453:$USDC" OG_PRIVATE_KEY=$KEY chat
expect_rc 5 "OG_PAYMENT_ASSETS replaces the default"
check gstats "not d['payments']" "nothing paid"
OG_PAYMENT_ASSETS="eip155:8453:$USDC,eip155:8453:$OPG" OG_PRIVATE_KEY=$KEY chat --json
expect_rc 0 "OG_PAYMENT_ASSETS with OPG again"
check gstats "len(d['payments'])==1" "paid once"
ok "default OPG on Base; a network with no allowed asset is refused; OG_PAYMENT_ASSETS replaces the default"

# registry mode: the hostile gateway registered on a devnet chain with its
# certificate (the client pins it from the registry)
DEVNET="$PYTHON $ROOT/tests/devnet/devnet.py"
cleanup_devnet() { $DEVNET stop --dir "$W/d" >/dev/null 2>&1; }
trap 'cleanup_devnet; cleanup' EXIT
$DEVNET start --dir "$W/d" --tees 0 >/dev/null || fail "devnet start"
$DEVNET add-tee --dir "$W/d" --cert "$W/gw.pem" --endpoint "$GW" >"$W/tee.env" ||
  fail "add-tee"
. "$W/d/env"
RM=(--rpc-url "$OG_RPC_URL" --registry "$OG_TEE_REGISTRY" --no-verify)
gctl '{"reset": true, "mode": "pay", "scheme": "exact", "transfer": "eip3009", "asset": "'$USDC'"}'
OG_PRIVATE_KEY=$KEY run_og chat "${RM[@]}" --model openai/gpt-5 --messages "$HI"
expect_rc 5 "registry mode: USDC"
expect_err "is not an allowed asset" "registry mode names the asset"
check gstats "len(d['requests'])==1 and not d['payments']" "registry mode: nothing paid"
OG_PRIVATE_KEY=$KEY run_og chat "${RM[@]}" --model openai/gpt-5 --messages "$HI" --payment-asset "eip155:8453:$USDC" --json
expect_rc 0 "registry mode: USDC allowed"
check gstats "len(d['payments'])==1" "registry mode: paid once"
cleanup_devnet
ok "registry mode: a foreign asset is refused, an allowed one is paid once"

# --- 7. a 402 whose demand cannot be read: one clean message ---
gctl '{"reset": true, "mode": "bad402"}'
OG_PRIVATE_KEY=$KEY chat
expect_rc 5 "unreadable 402"
expect_one_err_line "unreadable 402"
[ "$(grep -o 'cannot read the payment demand' <<<"$ERR" | wc -l)" -eq 1 ] ||
  fail "402 message garbled or doubled: $ERR"
LC_ALL=C grep -q '[^[:print:]]' <<<"$ERR" && fail "402 message has unprintable bytes: $ERR"
ok "an unreadable payment demand gives one clean message"

# --- registry mode: a foreign asset from a TEE found through the registry ---
# (the registry lives on the hostile RPC: eth_call answers "0x" -> item 9)
rctl '{"reset": true, "call_result": "0x"}'
REG=0x5FbDB2315678afecb367f032d93F642f64180aa3
run_og tee list --rpc-url "$RPC" --registry "$REG"
expect_rc 2 "eth_call returning 0x"
expect_err "no contract answers at the registry address $REG on the RPC $RPC" "names address and RPC"
OG_PRIVATE_KEY=$KEY run_og chat --rpc-url "$RPC" --registry "$REG" --model openai/gpt-5 --messages "$HI"
expect_rc 2 "chat: eth_call returning 0x"
expect_err "no contract answers" "chat says so too"
ok "eth_call answering 0x: no contract at that registry address on that RPC (exit 2)"

# --- 2. approve does not trust the RPC ---
APPROVE=(approve --amount 1000 --payment-rpc-url "$RPC")
rctl '{"reset": true, "chain_id": 1}'
OG_PRIVATE_KEY=$KEY run_og "${APPROVE[@]}"
expect_rc 5 "approve on chain 1"
expect_err "chain id 1, not the payment network's 8453" "names the RPC's chain id"
check rstats "'eth_sendRawTransaction' not in d['rpc']" "nothing sent for a wrong chain"
rctl '{"reset": true, "base_fee": 1000000000000000}'
OG_PRIVATE_KEY=$KEY run_og "${APPROVE[@]}"
expect_rc 5 "approve with a 1,000,000 gwei base fee"
expect_err "base fee of 1000000 gwei" "names the RPC's fee"
check rstats "'eth_sendRawTransaction' not in d['rpc']" "nothing sent for an excessive fee"
rctl '{"reset": true, "tip": 60000000000}'
OG_PRIVATE_KEY=$KEY run_og "${APPROVE[@]}"
expect_rc 5 "approve with a 60 gwei tip"
expect_err "tip of 60 gwei" "names the tip"
OG_PRIVATE_KEY=$KEY run_og "${APPROVE[@]}" --max-fee-gwei 70.5 --json
expect_rc 0 "a higher --max-fee-gwei allows it"
check rstats "d['rpc'].get('eth_sendRawTransaction')==1" "sent once"
rctl '{"reset": true, "gas": 6000000}'
OG_PRIVATE_KEY=$KEY run_og "${APPROVE[@]}"
expect_rc 5 "approve asked for 6,000,000 gas"
expect_err "estimates 6000000 gas" "names the gas figure"
check rstats "'eth_sendRawTransaction' not in d['rpc']" "nothing sent for excessive gas"
rctl '{"reset": true, "chain_id": 84532, "base_fee": 10000000}'
OG_PRIVATE_KEY=$KEY run_og "${APPROVE[@]}" --chain-id 84532 --max-fee-gwei 0.05 -v
expect_rc 0 "--chain-id and a decimal --max-fee-gwei"
expect_err "maxFeePerGas 0.021 gwei" "maxFeePerGas = 2 x base + tip, under the cap"
for bad in "--chain-id 0" "--chain-id x" "--max-fee-gwei 0" "--max-fee-gwei 1.0000000001" "--max-fee-gwei -1"; do
  rctl '{"reset": true}'
  OG_PRIVATE_KEY=$KEY run_og "${APPROVE[@]}" $bad
  expect_rc 1 "approve $bad"
  check rstats "not d['rpc']" "approve $bad: no RPC call"
done
ok "approve refuses a wrong chain id, a fee over --max-fee-gwei and gas over 100,000 (exit 5, nothing sent)"

# --- 3. amplification bodies: bounded parse, peak RSS under 256 MiB ---
peak() { # command...: RC and RSS_KB (peak RSS of the child, getrusage)
  local r
  r=$("$PYTHON" -c '
import resource, subprocess, sys
p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@")
  RC=${r% *}
  RSS_KB=${r#* }
}
LIMIT_KB=$((256 * 1024))
for m in nest values values_max; do
  gctl "{\"reset\": true, \"mode\": \"$m\"}"
  chat
  expect_rc 6 "gateway $m"
  [ $m = values_max ] || expect_err "JSON (nested deeper than 128 levels|with more than 500000 values)" "$m: the scan refuses it"
  if [ $ASAN = 0 ]; then
    peak "$OG_BIN" chat "${D[@]}" --model openai/gpt-5 --messages "$HI"
    [ "$RC" = 6 ] || fail "$m under getrusage: exit $RC"
    [ "$RSS_KB" -lt $LIMIT_KB ] || fail "gateway $m: peak RSS $RSS_KB KiB >= 256 MiB"
    echo "# gateway $m: peak RSS $((RSS_KB / 1024)) MiB"
  fi
  rctl "{\"reset\": true, \"rpc_mode\": \"$m\"}"
  run_og tee list --rpc-url "$RPC" --registry "$REG"
  expect_rc 2 "RPC $m"
  if [ $ASAN = 0 ]; then
    peak "$OG_BIN" tee list --rpc-url "$RPC" --registry "$REG"
    [ "$RC" = 2 ] || fail "RPC $m under getrusage: exit $RC"
    [ "$RSS_KB" -lt $LIMIT_KB ] || fail "RPC $m: peak RSS $RSS_KB KiB >= 256 MiB"
    echo "# RPC $m: peak RSS $((RSS_KB / 1024)) MiB"
  fi
done
ok "16 MB nesting/value bodies from the gateway and the RPC: refused (6 / 2), peak RSS under 256 MiB"

# --- 4. the aggregate cap on streamed tool calls ---
TOOLS='[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]'
gctl '{"reset": true, "mode": "tools_stream", "tool_events": 20, "tool_calls": 20, "tool_event_bytes": 921600}'
chat --stream --tools "$TOOLS"
expect_rc 6 "20 x 900 KiB of tool calls"
expect_err "tool calls in the stream larger than 16777216 bytes in total" "names the total cap"
if [ $ASAN = 0 ]; then
  peak "$OG_BIN" chat "${D[@]}" --model openai/gpt-5 --messages "$HI" --stream --tools "$TOOLS"
  [ "$RC" = 6 ] || fail "tool calls under getrusage: exit $RC"
  [ "$RSS_KB" -lt $LIMIT_KB ] || fail "tool calls: peak RSS $RSS_KB KiB >= 256 MiB"
  echo "# tool calls: peak RSS $((RSS_KB / 1024)) MiB"
fi
gctl '{"tool_events": 16, "tool_calls": 16, "tool_event_bytes": 921600}'
chat --stream --tools "$TOOLS" --json
expect_rc 0 "16 x 900 KiB of tool calls (under the cap)"
ok "streamed tool calls over 16 MiB in total are exit 6; under it they are delivered"

# --- 6. response headers over the limit ---
for m in big_header many_headers; do
  gctl "{\"reset\": true, \"mode\": \"$m\", \"header_bytes\": 307200}"
  chat
  expect_rc 6 "gateway $m"
  expect_err "response header too large" "gateway $m says so"
  grep -qi "out of memory" <<<"$ERR" && fail "gateway $m: says out of memory: $ERR"
  rctl "{\"reset\": true, \"rpc_mode\": \"$m\", \"header_bytes\": 307200}"
  run_og tee list --rpc-url "$RPC" --registry "$REG"
  expect_rc 2 "RPC $m"
  expect_err "response header too large" "RPC $m says so"
  grep -qi "out of memory" <<<"$ERR" && fail "RPC $m: says out of memory: $ERR"
done
ok "a response header over the limit: exit 6 (gateway) / 2 (RPC), 'response header too large'"

# --- 5. --max-time against a trickling server ---
gctl '{"reset": true, "mode": "trickle", "trickle_s": 0.3}'
chat --timeout 30 --max-time 1.5
expect_rc 7 "gateway trickle with --max-time"
rctl '{"reset": true, "rpc_mode": "trickle", "trickle_s": 0.3}'
run_og tee list --rpc-url "$RPC" --registry "$REG" --timeout 30 --max-time 1.5
expect_rc 2 "RPC trickle with --max-time"
for bad in 0 -1 x 86401; do
  chat --max-time $bad
  expect_rc 1 "--max-time $bad"
done
ok "--max-time ends a trickling gateway (exit 7) and RPC (exit 2)"

# --- 10. bad input never reaches the network ---
gctl '{"reset": true, "mode": "ok"}'
badin() { # description args...
  local what=$1
  shift
  run_og "$@"
  expect_rc 1 "$what"
  expect_one_err_line "$what"
}
C=(chat "${D[@]}" --model openai/gpt-5)
badin "missing content" "${C[@]}" --messages '[{"role":"user"}]'
badin "numeric content" "${C[@]}" --messages '[{"role":"user","content":5}]'
badin "tool content not a string" "${C[@]}" --messages '[{"role":"tool","content":{"a":1},"tool_call_id":"x"}]'
badin "unknown role" "${C[@]}" --messages '[{"role":"wizard","content":"x"}]'
expect_err "unknown role 'wizard'" "names the role"
badin "tool without function" "${C[@]}" --messages "$HI" --tools '[{"type":"function"}]'
expect_err "tools\\[0\\] needs a \"function\" object" "names the tool"
badin "empty prompt" completion "${D[@]}" --model openai/gpt-5 --prompt ''
expect_err "--prompt: must not be empty" "names the option once"
check gstats "not d['requests']" "no request reached the gateway"
chat --messages '[{"role":"assistant","content":null},{"role":"user","content":[{"type":"text","text":"x"}]}]' --json
expect_rc 0 "null assistant content and list user content are fine"
ok "bad messages, roles, tools and an empty --prompt are exit 1 before any network access"
echo "$TESTS_RUN checks passed"
