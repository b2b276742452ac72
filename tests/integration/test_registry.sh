#!/usr/bin/env bash
# Registry discovery and exact TLS pinning against a real local chain:
# tee list/show/check, skipped entries, disabled and stale TEEs, both
# TEEInfo layouts, dead RPC, unknown ids, and servers that must be refused.
. "$(dirname "$0")/lib.sh"
DEVNET="$PYTHON $ROOT/tests/devnet/devnet.py"
W=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  $DEVNET stop --dir "$W/a" >/dev/null 2>&1
  $DEVNET stop --dir "$W/b" >/dev/null 2>&1
  rm -rf "$W"
}
trap cleanup EXIT
export HOME=$W
unset OG_PRIVATE_KEY OG_TEE_ID OG_LLM_SERVER_URL

$DEVNET start --dir "$W/a" --tees 2 >/dev/null || fail "devnet start"
. "$W/a/env"
export OG_RPC_URL OG_TEE_REGISTRY

# tls server with the given cert/key on a port (openssl s_server answers
# GET with 200 and a status page, which is enough for /health)
serve() { # port cert key
  openssl s_server -quiet -accept "$1" -cert "$2" -key "$3" -www >/dev/null 2>&1 &
  PIDS+=($!)
  for _ in $(seq 50); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.1
  done
  fail "s_server on $1 did not start"
}

# --- tee list: exactly the usable entries, with the right fields ---
run_og tee list --json
expect_rc 0 "tee list"
for i in 0 1; do
  id_var=TEE_${i}_ID ep_var=TEE_${i}_ENDPOINT pay_var=TEE_${i}_PAYMENT_ADDRESS der_var=TEE_${i}_CERT_DER
  sha=$(sha256sum "${!der_var}" | cut -d' ' -f1)
  json_check "any(t['id']=='${!id_var}' and t['endpoint']=='${!ep_var}' and t['payment_address']=='${!pay_var}' and t['tls_cert_sha256']=='$sha' and t['tee_type']==0 and t['enabled'] is True and t['pcr_hash']=='$OG_DEVNET_PCR_HASH'.lower() for t in d)" "entry $i"
done
json_check "len(d)==2 and all(set(t)=={'id','endpoint','payment_address','owner','tls_cert_sha256','pcr_hash','tee_type','enabled','registered_at','last_heartbeat_at'} for t in d)" "two entries, contract keys"
ok "tee list --json gives the registered TEEs"

run_og tee list
expect_rc 0 "tee list human"; expect_out "TEE ID: +$TEE_0_ID" "human id"; expect_out "Endpoint: +$TEE_1_ENDPOINT" "human endpoint"
ok "tee list human"

# --- entries that are not usable are skipped, and named with -v ---
eval "$($DEVNET add-tee --dir "$W/a" --endpoint http://127.0.0.1:9/ 2>/dev/null)" || fail "add-tee http"
HTTP_ID=$TEE_2_ID
run_og tee list --json -v
expect_rc 0 "list with an http entry"
json_check "len(d)==2 and all(t['id']!='$HTTP_ID' for t in d)" "http endpoint skipped"
expect_err "skipping TEE $HTTP_ID" "-v names the skipped entry"
ok "non-https entry skipped with a diagnostic"

# --- --require-pcr and empty lists ---
run_og tee list --json --require-pcr 0x$(printf '%064d' 7)
expect_rc 0 "pcr filter"; [ "$OUT" = "[]" ] || fail "pcr filter should give []: $OUT"
run_og tee list --json --require-pcr "$OG_DEVNET_PCR_HASH"
json_check "len(d)==2" "matching pcr keeps both"
run_og tee list --json --tee-type 1
expect_rc 0 "empty type"; [ "$OUT" = "[]" ] || fail "empty list should be []: $OUT"
ok "pcr filter and empty list (exit 0, [])"

# --- tee show ---
run_og tee show "$(tr a-f A-F <<<"${TEE_1_ID#0x}")" --json
expect_rc 0 "tee show, uppercase without 0x"
json_check "d['id']=='$TEE_1_ID' and d['active'] is True and d['endpoint']=='$TEE_1_ENDPOINT'" "show fields"
run_og tee show "$HTTP_ID"
expect_rc 0 "show unusable"; expect_out "Active: +true" "active"; expect_out "Usable: +false" "unusable shown"
run_og tee show 0x$(printf '%064d' 5)
expect_rc 3 "unknown id"; expect_one_err_line "unknown id"
run_og tee show nothex
expect_rc 1 "malformed id"
ok "tee show (exit 3 for an unknown TEE)"

# --- pinning: the exact certificate is accepted ---
serve "$TEE_0_PORT" "$TEE_0_CERT" "$TEE_0_TLS_KEY"
run_og tee check "$TEE_0_ID" --json
expect_rc 0 "pinned check"
json_check "d[0]['ok'] is True and d[0]['id']=='$TEE_0_ID' and d[0]['error'] is None and d[0]['ms']>=0" "check ok"
ok "tee check accepts the registered certificate"

# --- a server with another certificate is refused (exit 4) ---
$DEVNET gen-cert --out "$W/other" >/dev/null || fail gen-cert
serve "$TEE_1_PORT" "$W/other.pem" "$W/other.key"
run_og tee check "$TEE_1_ID"
expect_rc 4 "different certificate"; expect_err "not the one registered" "pin mismatch message"
ok "a different certificate is refused with exit 4"

# --- the CA trap: the registry holds a CA cert, the server a leaf it signed ---
$DEVNET gen-cert --out "$W/ca" --ca >/dev/null || fail "gen ca"
$DEVNET gen-cert --out "$W/leaf" --signed-by "$W/ca" >/dev/null || fail "gen leaf"
CA_PORT=$("$PYTHON" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
eval "$($DEVNET add-tee --dir "$W/a" --cert "$W/ca.pem" --tls-key "$W/ca.key" --port "$CA_PORT" 2>/dev/null)" || fail "add-tee ca"
CA_ID=$TEE_3_ID
serve "$CA_PORT" "$W/leaf.pem" "$W/leaf.key"
run_og tee check "$CA_ID"
expect_rc 4 "leaf signed by the registered CA"
ok "a leaf signed by a registered CA certificate is refused with exit 4"

# --- check all: the first failure in list order decides ---
run_og tee check --json
expect_rc 4 "check all"
json_check "len(d)==3 and [t['ok'] for t in d].count(True)==1" "one of three ok"
ok "tee check of every TEE"

# --- unknown --tee-id is exit 3 ---
run_og tee check 0x$(printf '%064d' 9)
expect_rc 3 "check unknown id"
ok "unknown --tee-id is exit 3"

# --- dead RPC is exit 2, never 'no TEEs' ---
run_og tee list --rpc-url http://127.0.0.1:1
expect_rc 2 "dead rpc"; expect_one_err_line "dead rpc"
run_og tee list --json --rpc-url http://127.0.0.1:1
expect_rc 2 "dead rpc json"; json_check "d['error']['exit_code']==2" "json error object"
run_og tee list --rpc-url http://192.0.2.1:8545
expect_rc 1 "plain http to a remote host"; expect_err "allow-insecure-rpc" "explains the flag"
run_og tee list --registry 0x1234
expect_rc 1 "bad registry address"
run_og tee list --registry 0x000000000000000000000000000000000000dEaD
expect_rc 2 "registry address without a contract"
ok "dead RPC exit 2; bad input exit 1"

# --- disabled and heartbeat-stale TEEs are not listed ---
$DEVNET disable --dir "$W/a" --id "$TEE_1_ID" >/dev/null || fail disable
$DEVNET stale --dir "$W/a" --id "$TEE_0_ID" >/dev/null || fail stale
run_og tee list --json
expect_rc 0 "list after disable/stale"
json_check "[t['id'] for t in d]==['$CA_ID']" "only the fresh, enabled TEE remains"
run_og tee show "$TEE_0_ID" --json
json_check "d['active'] is False" "stale TEE inactive"
run_og tee check "$TEE_0_ID"
expect_rc 3 "check a stale TEE by id"
ok "disabled and stale TEEs are left out"

# --- the 10-field layout decodes the same way ---
$DEVNET start --dir "$W/b" --tees 2 --layout 10 >/dev/null || fail "devnet 10"
B_RPC=$(grep '^export OG_RPC_URL=' "$W/b/env" | cut -d= -f2-)
B_REG=$(grep '^export OG_TEE_REGISTRY=' "$W/b/env" | cut -d= -f2-)
B_ID0=$(grep '^export TEE_0_ID=' "$W/b/env" | cut -d= -f2-)
run_og tee list --json --rpc-url "$B_RPC" --registry "$B_REG"
expect_rc 0 "10-field list"
json_check "len(d)==2 and d[0]['id']=='$B_ID0'" "10-field entries"
ok "10-field TEEInfo layout"
echo "$TESTS_RUN checks passed"
