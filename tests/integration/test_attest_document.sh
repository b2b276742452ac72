#!/usr/bin/env bash
# `tee attest --document` with the real document og-evm ships
# (tests/vectors/nitro/): at 2026-02-12T18:00:00Z signature and chain
# hold and the fields are exact (human and --json); the nonce, pcr hash
# and binding checks are made only when given; a flipped byte in the
# signature or the payload, a later --at, another root via --nitro-root
# each exit 4; unreadable or unparseable files and bad options exit 1.
. "$(dirname "$0")/lib.sh"
V=$ROOT/tests/vectors/nitro
DOC=$V/attestation_og_evm.b64
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
AT=2026-02-12T18:00:00Z
PCRH=0x8082af22571613eabd5dad9c7e857c4f16154ded3d387386d8193b53906f6a24
NONCE=0123456789abcdef0123456789abcdef01234567

run_og tee attest --document "$DOC" --at "$AT"
expect_rc 0 "real document"
for l in "signature: ok" "chain: ok" "nonce: -" "pcr_hash: -" "tls_cert: -" "signing_key: -" \
  "i-0340e0cb833504eb6-enc019c12d31f78864d" "1770918962724" "$PCRH" \
  "PCR0: +9baef83909784e4d2cb84466c02931bb8125e948b62029029e80bfa1698bfd7069408e4ab20d1c99c859e8f774cce0ff" \
  "PCR1: +4b4d5b3661b3efc12920900c80e126e4ce783c522de6c02a2a5bf7af3a2b9327b86776f188e4be1c1c404a129dbda493" \
  "PCR2: +769925c8ae0c5c2d1aa86de149213b1c5dec642557bf0c426c6581f0e562a042d1c7d2578443515d103f74ce55337666"; do
  expect_out "$l" "human output: $l"
done
ok "real document verifies at $AT, fields exact"

# the document's own timestamp is the default time; unix seconds work too
run_og tee attest --document "$DOC"
expect_rc 0 "at the document's timestamp"
run_og tee attest --document "$DOC" --at 1770919200
expect_rc 0 "--at unix seconds"
ok "default time and unix seconds"

run_og tee attest --document "$DOC" --at "$AT" --nonce "0x$NONCE" --expect-pcr-hash "${PCRH#0x}" --json
expect_rc 0 "all given checks"
json_check "d['checks'] == {'signature': True, 'chain': True, 'nonce': True, 'pcr_hash': True, 'tls_cert': None, 'signing_key': None} and d['ok'] is True" "json checks"
json_check "d['id'] is None and d['endpoint'] is None and d['module_id'] == 'i-0340e0cb833504eb6-enc019c12d31f78864d' and d['timestamp'] == 1770918962724" "json fields"
json_check "d['pcr_hash'] == '$PCRH' and d['nonce'] == '$NONCE' and d['pcrs']['1'].startswith('4b4d5b36') and len(d['pcrs']['0']) == 96" "json pcrs"
json_check "d['user_data'] == '1220b735546536e78ee12beea2d384fcda35f7491446c6858f79fa7ad5e4ae89b49f1220abf9d7453422eb419fc1391604b070a81bd6a61f4d9ae0ee71ab24d77670c154'" "json user_data"
ok "--json with nonce and pcr hash"

# raw CBOR is accepted as well as base64
base64 -d "$DOC" >"$W/doc.cbor"
run_og tee attest --document "$W/doc.cbor" --at "$AT"
expect_rc 0 "raw CBOR"
ok "raw CBOR document"

# wrong expectations: exit 4, the check false
run_og tee attest --document "$DOC" --at "$AT" --nonce 00112233 --json
expect_rc 4 "wrong nonce"
json_check "d['checks']['nonce'] is False and d['checks']['signature'] is True and d['ok'] is False" "nonce false"
run_og tee attest --document "$DOC" --at "$AT" --expect-pcr-hash 0x$(printf '%064d' 0)
expect_rc 4 "wrong pcr hash"
expect_out "pcr_hash: FAILED" "pcr_hash FAILED line"
# the binding halves against a certificate and a key that are not bound
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=x \
  -keyout "$W/k.pem" -out "$W/c.pem" -days 1 2>/dev/null || fail "openssl"
openssl pkey -in "$W/k.pem" -pubout -out "$W/pub.pem" 2>/dev/null || fail "openssl pub"
run_og tee attest --document "$DOC" --at "$AT" --expect-tls-cert "$W/c.pem" --expect-signing-key "$W/pub.pem" --json
expect_rc 4 "unbound cert and key"
json_check "d['checks']['tls_cert'] is False and d['checks']['signing_key'] is False" "binding false"
ok "wrong nonce, pcr hash, certificate, key: exit 4"

# tampering: a byte flipped in the signature, in the payload
flip() { # in out offset-from-end|+offset-from-start
  "$PYTHON" - "$1" "$2" "$3" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
o = sys.argv[3]
i = int(o[1:]) if o.startswith('+') else len(b) - int(o)
b[i] ^= 1
open(sys.argv[2], 'wb').write(bytes(b))
PY
}
flip "$W/doc.cbor" "$W/sig.cbor" 1
run_og tee attest --document "$W/sig.cbor" --at "$AT" --json
expect_rc 4 "flipped signature byte"
json_check "d['checks']['signature'] is False and d['checks']['chain'] is True" "signature false"
off=$(grep -oba 'i-0340e0cb' "$W/doc.cbor" | head -1 | cut -d: -f1)
flip "$W/doc.cbor" "$W/pay.cbor" "+$((off + 2))"
run_og tee attest --document "$W/pay.cbor" --at "$AT"
expect_rc 4 "flipped payload byte"
expect_out "signature: FAILED" "signature FAILED line"
ok "flipped signature or payload byte: exit 4"

run_og tee attest --document "$DOC" --at 2026-02-13T18:00:00Z
expect_rc 4 "later time"
expect_out "chain: FAILED" "chain FAILED"
expect_err "expired" "names the expiry"
ok "later --at: exit 4"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes \
  -subj "/C=US/O=Amazon/OU=AWS/CN=aws.nitro-enclaves" -days 36500 \
  -keyout "$W/rk.pem" -out "$W/root.pem" 2>/dev/null || fail "openssl root"
run_og tee attest --document "$DOC" --at "$AT" --nitro-root "$W/root.pem"
expect_rc 4 "another root"
expect_out "chain: FAILED" "chain FAILED with another root"
run_og tee attest --document "$DOC" --at "$AT" --nitro-root "$V/aws_nitro_root_g1.pem"
expect_rc 0 "the AWS root given as a file"
ok "another root: exit 4; the same root as a file: 0"

# bad input: exit 1
run_og tee attest --document "$W/none"
expect_rc 1 "missing file"
expect_one_err_line "missing file"
printf 'hello world' >"$W/junk"
run_og tee attest --document "$W/junk"
expect_rc 1 "junk file"
head -c 100 "$W/doc.cbor" >"$W/trunc.cbor"
run_og tee attest --document "$W/trunc.cbor"
expect_rc 1 "truncated document"
run_og tee attest --document "$DOC" --at yesterday
expect_rc 1 "bad --at"
run_og tee attest --document "$DOC" --nonce xyz
expect_rc 1 "bad --nonce"
run_og tee attest --document "$DOC" --expect-pcr-hash 0x12
expect_rc 1 "bad --expect-pcr-hash"
run_og tee attest --document "$DOC" --nitro-root "$W/junk"
expect_rc 1 "bad --nitro-root"
run_og tee attest --nonce 00 --rpc-url http://127.0.0.1:1
expect_rc 1 "--nonce without --document"
ok "bad input: exit 1"
echo "# $TESTS_RUN tests"
