#!/usr/bin/env bash
# Live `tee attest` against the gateway stand-ins on the devnet: each serves
# /enclave/attestation with a document signed by a test Nitro chain
# (tests/devnet/nitro.py) binding its own certificate and signing key, with
# the PCRs the devnet registry approved. All checks hold (human, --json,
# one TEE or every usable one); each fault switch fails its own check
# (exit 4); the built-in AWS root rejects the test chain (exit 4);
# `chat --attest` sends no prompt to a TEE whose binding is wrong (the
# stand-in's log shows the attestation GET and no POST) and exits 4, and
# goes through when the document is good.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/llm_lib.sh"
curl -sk "$TEE_0_ENDPOINT/_nitro_root" >"$W/root.pem" || fail "root"
grep -q "BEGIN CERTIFICATE" "$W/root.pem" || fail "no test root"
ROOT_OPT=(--nitro-root "$W/root.pem")

run tee attest "$TEE_0_ID" "${ROOT_OPT[@]}"
expect_rc 0 "live attest"
for c in signature chain nonce pcr_hash tls_cert signing_key; do
  expect_out "^$c: ok$" "$c ok"
done
expect_out "PCR hash: +$OG_DEVNET_PCR_HASH" "registry pcr hash"
ok "tee attest ID: every check ok"

run tee attest "${ROOT_OPT[@]}" --json
expect_rc 0 "live attest all --json"
pycheck "isinstance(d, list) and len(d) == 2 and all(x['ok'] is True and set(x['checks'].values()) == {True} for x in d)" "all TEEs all true"
pycheck "sorted(x['id'] for x in d) == sorted(['$TEE_0_ID', '$TEE_1_ID']) and all(x['pcr_hash'] == '$OG_DEVNET_PCR_HASH' and len(x['nonce']) == 40 for x in d)" "ids, pcr hash, nonce"
ok "tee attest (every usable TEE) --json: all true"

# a fresh nonce each time
stats 0
run tee attest "$TEE_0_ID" "${ROOT_OPT[@]}" --json
A=$("$PYTHON" -c 'import json,sys; print(json.loads(sys.argv[1])["nonce"])' "$OUT")
run tee attest "$TEE_0_ID" "${ROOT_OPT[@]}" --json
B=$("$PYTHON" -c 'import json,sys; print(json.loads(sys.argv[1])["nonce"])' "$OUT")
[ "$A" != "$B" ] || fail "the nonce was reused"
ok "fresh nonce per fetch"

check_fault() { # fault check-name
  ctl 0 "{\"attest_fault\": \"$1\"}"
  run tee attest "$TEE_0_ID" "${ROOT_OPT[@]}" --json
  expect_rc 4 "fault $1"
  pycheck "d['ok'] is False and d['checks']['$2'] is False and [k for k, v in d['checks'].items() if v is False] == ['$2']" "fault $1 fails only $2"
  run tee attest "$TEE_0_ID" "${ROOT_OPT[@]}"
  expect_rc 4 "fault $1 human"
  expect_out "^$2: FAILED$" "$2 FAILED line"
  expect_one_err_line "fault $1"
  ok "attest_fault $1: $2 fails, exit 4"
}
check_fault wrong_nonce nonce
check_fault wrong_pcrs pcr_hash
check_fault expired_leaf chain
check_fault bad_signature signature
# the binding: both halves wrong
ctl 0 '{"attest_fault": "wrong_binding"}'
run tee attest "$TEE_0_ID" "${ROOT_OPT[@]}" --json
expect_rc 4 "wrong binding"
pycheck "d['checks']['tls_cert'] is False and d['checks']['signing_key'] is False and d['checks']['signature'] is True" "binding false"
ok "attest_fault wrong_binding: tls_cert and signing_key fail, exit 4"

# --attest: no prompt to a TEE that fails, exit 4
ctl 0 '{"reset_stats": true}'
run chat --attest "${ROOT_OPT[@]}" --tee-id "$TEE_0_ID" --model "$MODEL" --messages "$HI"
expect_rc 4 "chat --attest, bad binding"
expect_one_err_line "chat --attest, bad binding"
stats 0
pycheck "S['requests'].get('GET /enclave/attestation') == 1 and not any(k.startswith('POST') for k in S['requests'])" "no request after a failed attestation"
ok "chat --attest with a bad binding: no request sent, exit 4"
ctl 0 '{"attest_fault": null, "reset_stats": true}'
run chat --attest "${ROOT_OPT[@]}" --tee-id "$TEE_0_ID" --model "$MODEL" --messages "$HI"
expect_rc 0 "chat --attest, good"
stats 0
pycheck "S['requests'].get('GET /enclave/attestation') == 1 and S['requests'].get('POST /v1/chat/completions') == 1" "attested, then one request"
ok "chat --attest with a good document: attested once, then the request"

# no --tee-id: a TEE that fails attestation is left like a pin failure
ctl 0 '{"attest_fault": "wrong_binding", "reset_stats": true}'
ctl 1 '{"reset_stats": true}'
for i in 1 2 3; do
  run chat --attest "${ROOT_OPT[@]}" --model "$MODEL" --messages "$HI" --json
  expect_rc 0 "chat --attest fails over"
  pycheck "d['tee']['id'] == '$TEE_1_ID'" "served by the good TEE"
done
stats 0
pycheck "not any(k.startswith('POST') for k in S['requests'])" "the failing TEE got no prompt"
ctl 1 '{"attest_fault": "wrong_pcrs"}'
run chat --attest "${ROOT_OPT[@]}" --model "$MODEL" --messages "$HI"
expect_rc 4 "every TEE fails attestation"
expect_one_err_line "every TEE fails"
ctl 1 '{"attest_fault": null}'
ctl 0 '{"attest_fault": null}'
ok "chat --attest without --tee-id: another TEE; none left: exit 4"

# --llm-server-url: no registry checks; tls_cert from --tls-cert,
# signing_key from --signing-key
openssl pkey -in "$TEE_0_SIGNING_KEY" -pubout -out "$W/sk0.pem" 2>/dev/null || fail "public key"
run tee attest --llm-server-url "$TEE_0_ENDPOINT" --tls-cert "$TEE_0_CERT" --signing-key "$W/sk0.pem" "${ROOT_OPT[@]}" --rpc-url "$DEAD_RPC" --json
expect_rc 0 "direct mode"
pycheck "d['checks'] == {'signature': True, 'chain': True, 'nonce': True, 'pcr_hash': None, 'tls_cert': True, 'signing_key': True} and d['id'] is None" "direct checks"
run tee attest --llm-server-url "$TEE_0_ENDPOINT" --tls-cert "$TEE_0_CERT" "${ROOT_OPT[@]}" --json
expect_rc 0 "direct mode without a key"
pycheck "d['checks']['signing_key'] is None and d['checks']['tls_cert'] is True" "no key: null"
ok "tee attest --llm-server-url: registry checks null"

# a long-lived client (serve) attests a TEE once, not per request
ctl 0 '{"reset_stats": true}'
"$OG_BIN" serve --listen 127.0.0.1:0 --json --attest "${ROOT_OPT[@]}" --tee-id "$TEE_0_ID" >"$W/s.out" 2>"$W/s.err" &
SPID=$!
for _ in $(seq 100); do grep -q listening "$W/s.out" 2>/dev/null && break; sleep 0.1; done
SURL=$("$PYTHON" -c 'import json,sys; print(json.loads(sys.stdin.readline())["listening"])' <"$W/s.out") \
  || { kill "$SPID"; fail "serve did not start: $(cat "$W/s.err")"; }
for i in 1 2 3; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{"model":"gpt-5","messages":[{"role":"user","content":"Hi"}]}' "$SURL/v1/chat/completions")
  [ "$code" = 200 ] || { kill "$SPID"; fail "serve request $i: HTTP $code"; }
done
kill -TERM "$SPID"; wait "$SPID"
stats 0
pycheck "S['requests'].get('GET /enclave/attestation') == 1 and S['requests'].get('POST /v1/chat/completions') == 3" "one attestation for three requests"
ok "serve --attest: attested once, three requests"

# the built-in AWS root does not anchor the test chain
run tee attest "$TEE_0_ID"
expect_rc 4 "built-in root"
expect_out "^chain: FAILED$" "chain fails under the AWS root"
ok "the built-in AWS root rejects the test chain"

echo "# $TESTS_RUN tests"
