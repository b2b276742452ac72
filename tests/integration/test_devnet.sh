#!/usr/bin/env bash
# The local chain itself: the registry stand-in answers like the real one
# (active = enabled + fresh heartbeat + approved PCR), in both TEEInfo
# layouts, and `stop` really stops anvil.  Needs no CLI build.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PYTHON=${PYTHON:-python3}
CAST=$ROOT/node_modules/@foundry-rs/cast-linux-amd64/bin/cast
DEVNET="$PYTHON $ROOT/tests/devnet/devnet.py"
RUN=$(mktemp -d "${TMPDIR:-/tmp}/og-devnet-test.XXXXXX")

cleanup() {
  for d in "$RUN"/a "$RUN"/b "$RUN"/c "$RUN"/g; do
    [ -d "$d" ] && $DEVNET stop --dir "$d" >/dev/null 2>&1 || true
  done
  rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
hexof() { od -An -v -tx1 "$1" | tr -d ' \n'; }
ok() { echo "ok - $*"; }

call() { "$CAST" call --rpc-url "$OG_RPC_URL" "$OG_TEE_REGISTRY" "$@"; }
# Number of entries in getActiveTEEs(type): the word after the offset.
active_count() {
  local out
  out=$(call "getActiveTEEs(uint8)" "$1")
  echo $((16#${out:66:64}))
}
is_active() { call "isTEEActive(bytes32)(bool)" "$1"; }
alive() { # a zombie counts as gone
  [ -r "/proc/$1/stat" ] || return 1
  local st
  st=$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)
  [ "$st" != Z ]
}
expect_revert() { # selector cmd...: the command must fail with that error
  local sel=$1 out; shift
  if out=$("$@" 2>&1); then fail "expected revert $sel: $*"; fi
  case $out in *"$sel"*) ;; *) fail "expected $sel, got: $out" ;; esac
}

"$PYTHON" "$ROOT/tests/devnet/check_abi.py" || fail "ABI check"
ok "compiled ABI matches the reference selectors and layouts"

# ---- 11-field layout (the default) ----------------------------------------
$DEVNET start --dir "$RUN/a" --tees 3
# shellcheck disable=SC1091
. "$RUN/a/env"
[ "$TEE_COUNT" = 3 ] || fail "TEE_COUNT=$TEE_COUNT"
[ "$OG_DEVNET_CHAIN_ID" = 31337 ] || fail "chain id $OG_DEVNET_CHAIN_ID"
[ "$OG_REGISTRY_LAYOUT" = 11 ] || fail "layout $OG_REGISTRY_LAYOUT"
alive "$ANVIL_PID" || fail "anvil pid $ANVIL_PID not running"
for i in 0 1 2; do
  id_var=TEE_${i}_ID; id=${!id_var}
  [[ $id =~ ^0x[0-9a-f]{64}$ ]] || fail "bad $id_var=$id"
  spki_var=TEE_${i}_SPKI_DER
  spki=0x$(hexof "${!spki_var}")
  [ "$("$CAST" keccak "$spki")" = "$id" ] || fail "teeId != keccak256(SPKI) for TEE $i"
  [ "$(call "computeTEEId(bytes)(bytes32)" "$spki")" = "$id" ] \
    || fail "computeTEEId disagrees for TEE $i"
  [ "$(is_active "$id")" = true ] || fail "TEE $i not active"
done
[ "$(active_count 0)" = 3 ] || fail "want 3 active, got $(active_count 0)"
[ "$(active_count 1)" = 0 ] || fail "type 1 should be empty"
out=$(call "getActiveTEEs(uint8)" 0)
w() { echo $((16#${out:$((2 + 64 * $1)):64})); }
el=$(( (0x40 + $(w 2)) / 32 ))   # element 0's first head word
[ "$(w $((el + 2)))" = $((0x160)) ] || fail "11-field element head is not 11 words"
ok "3 TEEs registered and active (11-field)"

# The decoded entry carries exactly what was registered.
T11='(address,address,string,bytes,bytes,bytes32,uint8,bool,uint256,uint256,(uint8,uint16,uint16,uint16,bytes,bytes,uint256))'
out=$(call "getTEE(bytes32)($T11)" "$TEE_1_ID")
for want in "$OG_DEVNET_ACCOUNT" "$TEE_1_PAYMENT_ADDRESS" "\"$TEE_1_ENDPOINT\"" \
    "0x$(hexof "$TEE_1_CERT_DER")" "0x$(hexof "$TEE_1_SPKI_DER")" \
    "$OG_DEVNET_PCR_HASH" ", 0, true, "; do
  case $out in *"$want"*) ;; *) fail "getTEE lacks $want" ;; esac
done
case $out in *"(1, 32, 1, 3, 0x"*) ;; *) fail "no ohttpConfig: $out" ;; esac
"$PYTHON" - "$TEE_1_CERT_DER" <<'EOF' || fail "certificate is not like the gateway's"
import sys, ipaddress
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
c = x509.load_der_x509_certificate(open(sys.argv[1], "rb").read())
assert isinstance(c.public_key(), ec.EllipticCurvePublicKey)
assert c.public_key().curve.name == "secp256r1"
assert c.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
san = c.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
assert san.get_values_for_type(x509.DNSName) == ["localhost"]
assert san.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
EOF
ok "getTEE returns the registered endpoint, key, certificate, payment address, ohttpConfig"

expect_revert 0xf6523b65 call "getTEE(bytes32)" 0x"$(printf '%064d' 7)"
[ "$(is_active 0x"$(printf '%064d' 7)")" = false ] || fail "unknown id active"
# A document that is not 3 x 48 bytes fails the (mock) attestation.
expect_revert 0x06d1f25a "$CAST" send --rpc-url "$OG_RPC_URL" \
  --private-key "$OG_DEVNET_PRIVATE_KEY" "$OG_TEE_REGISTRY" \
  "registerTEEWithAttestation(bytes,bytes,bytes,address,string,uint8)" \
  0x01 0x0102 0x0304 "$OG_DEVNET_ACCOUNT" "https://x" 0
ok "unknown id reverts TEENotFound; bad attestation reverts AttestationInvalid"

# Disable TEE 0 (swap-and-pop moves TEE 2 to the front), stale TEE 1.
$DEVNET disable --dir "$RUN/a" --id "$TEE_0_ID"
[ "$(call "getEnabledTEEs(uint8)(bytes32[])" 0)" = "[$TEE_2_ID, $TEE_1_ID]" ] \
  || fail "enabled list after swap-and-pop: $(call "getEnabledTEEs(uint8)(bytes32[])" 0)"
$DEVNET stale --dir "$RUN/a" --id "$TEE_1_ID"
[ "$(active_count 0)" = 1 ] || fail "want 1 active, got $(active_count 0)"
[ "$(is_active "$TEE_0_ID")" = false ] || fail "disabled TEE 0 active"
[ "$(is_active "$TEE_1_ID")" = false ] || fail "stale TEE 1 active"
[ "$(is_active "$TEE_2_ID")" = true ] || fail "TEE 2 should stay active"
[ "$(call "isTEEEnabled(bytes32)(bool)" "$TEE_1_ID")" = true ] \
  || fail "stale TEE 1 should still be enabled"
out=$(call "getActiveTEEs(uint8)(${T11}[])" 0)
case $out in *"$TEE_2_ENDPOINT"*) ;; *) fail "active entry is not TEE 2" ;; esac
ok "disable + stale leave exactly TEE 2 active"

expect_revert 0xa2e39240 $DEVNET disable --dir "$RUN/a" --id "$TEE_0_ID"
$DEVNET heartbeat --dir "$RUN/a" --id "$TEE_1_ID"
$DEVNET enable --dir "$RUN/a" --id "$TEE_0_ID"
$DEVNET heartbeat --dir "$RUN/a" --id "$TEE_0_ID"
[ "$(active_count 0)" = 3 ] || fail "heartbeat/enable: $(active_count 0) active"
ok "heartbeat revives a stale TEE; enable re-lists a disabled one"

eval "$($DEVNET add-tee --dir "$RUN/a")"
[ "$TEE_COUNT" = 4 ] && [ "$(is_active "$TEE_3_ID")" = true ] || fail "add-tee"
$DEVNET gen-cert --out "$RUN/ca" --ca >/dev/null
$DEVNET gen-cert --out "$RUN/leaf" --signed-by "$RUN/ca" >/dev/null
"$PYTHON" - "$RUN/ca.pem" "$RUN/leaf.pem" <<'EOF' || fail "leaf not signed by the CA"
import sys
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
ca, leaf = (x509.load_pem_x509_certificate(open(p, "rb").read()) for p in sys.argv[1:])
assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
assert leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
assert leaf.issuer == ca.subject and leaf.subject != ca.subject
ca.public_key().verify(leaf.signature, leaf.tbs_certificate_bytes,
                       ec.ECDSA(leaf.signature_hash_algorithm))
EOF
eval "$($DEVNET add-tee --dir "$RUN/a" --cert "$RUN/ca.pem" --type 1)"
cmp -s "$TEE_4_CERT_DER" "$RUN/ca.der" || fail "add-tee --cert registered another cert"
[ "$(active_count 1)" = 1 ] || fail "type-1 TEE not active"
ok "add-tee (generated and given certificate, other type) and gen-cert"

$DEVNET revoke-pcr --dir "$RUN/a"
[ "$(active_count 0)" = 0 ] || fail "revokePCR left TEEs active"
[ "$(call "getEnabledTEEs(uint8)(bytes32[])" 0)" = "[]" ] || fail "revokePCR left TEEs enabled"
[ "$(active_count 1)" = 1 ] || fail "revokePCR of type 0 touched type 1"
ok "revoke-pcr disables every TEE of the type"

eval "$($DEVNET deploy-token --dir "$RUN/a")"
[ "$("$CAST" call --rpc-url "$OG_RPC_URL" "$OG_TEST_TOKEN" "balanceOf(address)(uint256)" "$OG_DEVNET_ACCOUNT")" \
  = "1000000000000000000000000 [1e24]" ] || fail "token balance"
"$CAST" send --rpc-url "$OG_RPC_URL" --private-key "$OG_DEVNET_PRIVATE_KEY" \
  "$OG_TEST_TOKEN" "approve(address,uint256)" "$TEE_0_PAYMENT_ADDRESS" 5 >/dev/null
[ "$("$CAST" call --rpc-url "$OG_RPC_URL" "$OG_TEST_TOKEN" "allowance(address,address)(uint256)" \
  "$OG_DEVNET_ACCOUNT" "$TEE_0_PAYMENT_ADDRESS")" = 5 ] || fail "allowance"
$DEVNET approve-reverts --dir "$RUN/a" on
expect_revert 0xeb60c2c4 "$CAST" send --rpc-url "$OG_RPC_URL" \
  --private-key "$OG_DEVNET_PRIVATE_KEY" "$OG_TEST_TOKEN" \
  "approve(address,uint256)" "$TEE_0_PAYMENT_ADDRESS" 6
ok "test token: mint, approve, allowance, approve switch"

PID_A=$ANVIL_PID
$DEVNET stop --dir "$RUN/a"
alive "$PID_A" && fail "anvil $PID_A still running after stop"
$DEVNET stop --dir "$RUN/a"
ok "stop ends anvil and is idempotent"

# ---- 10-field layout ----------------------------------------------------
$DEVNET start --dir "$RUN/b" --tees 3 --layout 10
# shellcheck disable=SC1091
. "$RUN/b/env"
[ "$OG_REGISTRY_LAYOUT" = 10 ] || fail "layout $OG_REGISTRY_LAYOUT"
[ "$(active_count 0)" = 3 ] || fail "10-field: want 3 active"
T10='(address,address,string,bytes,bytes,bytes32,uint8,bool,uint256,uint256)'
out=$(call "getActiveTEEs(uint8)" 0)
# 10 head words per element: the first tail offset is 0x140 (0x160 for 11).
w() { echo $((16#${out:$((2 + 64 * $1)):64})); }
el=$(( (0x40 + $(w 2)) / 32 ))   # element 0's first head word
[ "$(w $((el + 2)))" = $((0x140)) ] \
  || fail "10-field element head is not 10 words"
$DEVNET disable --dir "$RUN/b" --id "$TEE_2_ID"
$DEVNET stale --dir "$RUN/b" --id "$TEE_0_ID"
[ "$(active_count 0)" = 1 ] || fail "10-field: want 1 active"
[ "$(is_active "$TEE_1_ID")" = true ] || fail "10-field: TEE 1 should be active"
out=$(call "getActiveTEEs(uint8)(${T10}[])" 0)
case $out in *"$TEE_1_ENDPOINT"*) ;; *) fail "10-field active entry" ;; esac
PID_B=$ANVIL_PID
$DEVNET stop --dir "$RUN/b"
alive "$PID_B" && fail "anvil $PID_B still running after stop"
ok "10-field layout: 3 active, then exactly 1; stopped"

# ---- gateway stand-ins ----------------------------------------------------
if out=$(OG_GATEWAY_SCRIPT=$RUN/none.py $DEVNET start --dir "$RUN/c" --gateways 2>&1); then
  fail "--gateways without a stand-in should fail"
fi
case $out in *"does not exist"*) ;; *) fail "unclear error: $out" ;; esac
[ -f "$RUN/c/state.json" ] && fail "a failed start left state behind"
ok "--gateways fails clearly when the stand-in is missing"

if [ -f "${OG_GATEWAY_SCRIPT:-$ROOT/tests/devnet/gateway.py}" ]; then
  $DEVNET start --dir "$RUN/g" --tees 2 --gateways
  # shellcheck disable=SC1091
  . "$RUN/g/env"
  GW_PIDS=
  for i in 0 1; do
    port_var=TEE_${i}_PORT der_var=TEE_${i}_CERT_DER pid_var=TEE_${i}_GATEWAY_PID
    [ -f "$RUN/g/gw_$i.ready" ] || fail "gateway $i not ready"
    "$PYTHON" - "${!port_var}" "${!der_var}" <<'EOF' || fail "gateway $i serves another certificate"
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) as s:
    with ctx.wrap_socket(s) as t:
        assert t.getpeercert(binary_form=True) == open(sys.argv[2], "rb").read()
EOF
    GW_PIDS="$GW_PIDS ${!pid_var}"
  done
  PID_G=$ANVIL_PID
  $DEVNET stop --dir "$RUN/g"
  for p in $PID_G $GW_PIDS; do alive "$p" && fail "pid $p still running"; done
  ok "gateways serve the registered certificates and stop with the devnet"
else
  echo "skip - gateway stand-in not present"
fi

echo "all devnet checks passed"
