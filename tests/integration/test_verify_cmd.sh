#!/usr/bin/env bash
# `verify RESULT.json` on results saved with --json (chat, completion, tool
# calls, a stream's final line and its whole NDJSON), against the registry
# key and offline with --signing-key (PEM, DER; the RPC is dead), also with
# reals that need 17 significant digits and with list content holding a
# character new in Unicode 15.0 (hashed as Python 3.12 does); tampered
# results fail exactly the check they break (exit 6); bad files exit 1, a
# dead registry 2, an unknown TEE 3; and the signature vectors, turned into
# result files, verify (the negative ones do not).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/llm_lib.sh"
export OG_TEE_ID=$TEE_0_ID
R=$W/results
mkdir -p "$R"
openssl pkey -in "$TEE_0_SIGNING_KEY" -pubout -out "$W/sk0.pem" 2>/dev/null || fail "public key"
ALL_OK="{'verified': True, 'checks': {'request_hash': True, 'output_hash': True, 'tee_id': True, 'signature': True}}"

save() { # file args...: run a command with --json, keep its stdout
  local f=$1; shift
  run "$@" --json
  expect_rc 0 "save $f"
  printf '%s\n' "$OUT" >"$R/$f"
}
TOOLS='[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}},{"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{"tz":{"type":"string"}}}}}]'
save chat.json chat --model "$MODEL" --messages '[{"role":"system","content":"Be brief"},{"role":"user","content":"Grüße 🚀 \u0000 </x>"}]' --temperature 0.3 --stop-sequence END
save completion.json completion --model "$MODEL" --prompt "Say hi"
# numbers that 12 significant digits would change: saved exactly, so they verify
FTOOLS='[{"type":"function","function":{"name":"area","parameters":{"type":"object","properties":{"pi":{"type":"number","default":3.141592653589793},"eps":{"type":"number","default":1e-300},"big":{"type":"number","default":1.7976931348623157e308}}}}}]'
save floats.json chat --model "$MODEL" --messages "$HI" --temperature 0.30000000000000004 --tools "$FTOOLS"
OUT=$(cat "$R/floats.json")
pycheck "d['request']['temperature'] == 0.30000000000000004 and d['request']['tools'][0]['function']['parameters']['properties']['pi']['default'] == 3.141592653589793 and d['request']['tools'][0]['function']['parameters']['properties']['eps']['default'] == 1e-300 and d['request']['tools'][0]['function']['parameters']['properties']['big']['default'] == 1.7976931348623157e308" "saved request keeps every number exactly"
# list content with U+1FA77 (new in Unicode 15.0): the stand-in hashes
# str() of it as the gateway's Python 3.12 does; verified live and saved
save unicode15.json chat --model "$MODEL" --messages '[{"role":"user","content":[{"type":"text","text":"pink heart \ud83e\ude77"}]}]'
OUT=$(cat "$R/unicode15.json")
pycheck "d['verified'] is True and d['request']['messages'][0]['content'][0]['text'] == 'pink heart \U0001FA77'" "Unicode 15 list content verified live"
"$PYTHON" - "$R/unicode15.json" "$ROOT/tests/devnet" <<'PY' || fail "Unicode 15 list content: the request hash is not Python 3.12's"
import json, sys
sys.path.insert(0, sys.argv[2])
import ogcanon
r = json.load(open(sys.argv[1], encoding='utf-8'))
claimed = r['tee_request_hash'].removeprefix('0x')
assert claimed == ogcanon.request_hash(r['request'], '/v1/chat/completions').hex()
assert "'pink heart \\ud83e\\ude77'" in ogcanon.canonical_bytes(ogcanon.canonical_chat(r['request'])).decode()
ogcanon.pystr = str  # this Python's own str(): Unicode 14 escapes U+1FA77
if not ogcanon.printability_differs('\U0001FA77'):
    sys.exit(0)  # a Python >= 3.12 here: nothing to contrast
assert claimed != ogcanon.request_hash(r['request'], '/v1/chat/completions').hex()
PY
ctl 0 '{"tool_calls": 2}'
save tools.json chat --model "$MODEL" --messages "$HI" --tools "$TOOLS"
save stream.ndjson chat --model "$MODEL" --messages "$HI" --stream
ctl 0 '{"stream_tools": "fragmented"}'
save stream_tools.ndjson chat --model "$MODEL" --messages "$HI" --tools "$TOOLS" --stream
ctl 0 '{"rules": "newer"}'
save newer.json chat --model "$MODEL" --messages '[{"role":"developer","content":"d"},{"role":"user","content":"Hi"}]'
ctl_reset 0
# answers taken unverified (direct mode) can be verified later by anyone
OG_TEE_ID= save direct.json chat --llm-server-url "$TEE_0_ENDPOINT" --tls-cert "$TEE_0_CERT" --rpc-url "$DEAD_RPC" --model "$MODEL" --messages "$HI"
pycheck "d['verified'] is None and d['tee']['payment_address'] is None" "direct result unverified"
ctl 0 '{"fault": "no_sig"}'
save unsigned.json chat --model "$MODEL" --messages "$HI" --no-verify
ctl_reset 0
tail -n 1 "$R/stream.ndjson" >"$R/final.json"
tail -n 1 "$R/stream_tools.ndjson" >"$R/final_tools.json"
SAVED="chat.json completion.json floats.json unicode15.json tools.json stream.ndjson final.json stream_tools.ndjson final_tools.json newer.json direct.json"

# --- every saved result verifies against the registry key ---
for f in $SAVED; do
  run verify "$R/$f" --json
  expect_rc 0 "verify $f"
  pycheck "d == $ALL_OK" "$f: all checks pass"
done
run verify "$R/tools.json"
expect_rc 0 "verify human"
expect_layout "request_hash   ok
output_hash    ok
tee_id         ok
signature      ok
Verified: yes" "verify human report"
ok "saved results verify against the registry key"

# --- offline: --signing-key PEM or DER, the RPC is dead ---
for f in $SAVED; do
  for key in "$W/sk0.pem" "$TEE_0_SPKI_DER"; do
    run verify "$R/$f" --signing-key "$key" --rpc-url "$DEAD_RPC" --json
    expect_rc 0 "offline $f with $(basename "$key")"
    pycheck "d == $ALL_OK" "offline $f"
  done
done
run verify "$R/chat.json" --rpc-url "$DEAD_RPC" --registry 0x1234
expect_rc 1 "bad --registry still checked without --signing-key"
ok "--signing-key (PEM, DER) verifies with no network"

# --- tampering: exit 6, the broken check false, one stderr line ---
tamper() { # src dst python-statement-on-r
  "$PYTHON" - "$R/$1" "$R/$2" "$3" <<'PY' || fail "tamper $2"
import json, sys
lines = open(sys.argv[1], encoding='utf-8').read().split('\n')
lines = [x for x in lines if x.strip()]
r = json.loads(lines[-1])
exec(sys.argv[3])
lines[-1] = json.dumps(r, ensure_ascii=False)
open(sys.argv[2], 'w', encoding='utf-8').write('\n'.join(lines) + '\n')
PY
}
expect_checks() { # file desc python-dict-of-failing-checks [verify args...]
  local f=$1 desc=$2 failing=$3; shift 3
  run verify "$R/$f" --json "$@"
  expect_rc 6 "$desc"; expect_one_err_line "$desc"
  pycheck "d['verified'] is False and {k for k, v in d['checks'].items() if not v} == $failing and set(d['checks']) == {'request_hash', 'output_hash', 'tee_id', 'signature'}" "$desc: failing checks $failing"
}
OTHER=0x$(printf 'ab%.0s' $(seq 32))
tamper chat.json t_content.json "r['chat_output']['content'] += '!'"
tamper chat.json t_request.json "r['request']['temperature'] = 0.5"
tamper chat.json t_message.json "r['request']['messages'][1]['content'] = 'Hello'"
tamper chat.json t_time.json "r['tee_timestamp'] += 1"
tamper chat.json t_sig.json "import base64; s = bytearray(base64.b64decode(r['tee_signature'])); s[100] ^= 1; r['tee_signature'] = base64.b64encode(bytes(s)).decode()"
tamper chat.json t_reqhash.json "r['tee_request_hash'] = '${OTHER#0x}'"
tamper chat.json t_teeid.json "r['tee']['id'] = '$TEE_1_ID'"
tamper completion.json t_completion.json "r['completion_output'] = 'Echo: Say bye'"
tamper tools.json t_args.json "r['chat_output']['tool_calls'][1]['function']['arguments'] = '{\"tz\": \"UTC\"}'"
tamper tools.json t_name.json "r['chat_output']['tool_calls'][0]['function']['name'] = 'get_time'"
tamper stream.ndjson t_stream.ndjson "r['chat_output']['content'] = 'Echo: Ho'"
tamper final_tools.json t_final_tools.json "r['chat_output']['tool_calls'].pop()"
for key in "" "--signing-key $TEE_0_SPKI_DER --rpc-url $DEAD_RPC"; do
  # shellcheck disable=SC2086
  expect_checks t_content.json "content changed ${key:+offline}" "{'output_hash', 'signature'}" $key
  expect_checks t_request.json "request changed" "{'request_hash', 'signature'}" $key
  expect_checks t_message.json "message changed" "{'request_hash', 'signature'}" $key
  expect_checks t_time.json "timestamp changed" "{'signature'}" $key
  expect_checks t_sig.json "signature bit flipped" "{'signature'}" $key
  expect_checks t_reqhash.json "claimed request hash changed" "{'request_hash'}" $key
  expect_checks t_completion.json "completion changed" "{'output_hash', 'signature'}" $key
  expect_checks t_args.json "tool arguments changed" "{'output_hash', 'signature'}" $key
  expect_checks t_name.json "tool name changed" "{'output_hash', 'signature'}" $key
  expect_checks t_stream.ndjson "stream content changed" "{'output_hash', 'signature'}" $key
  expect_checks t_final_tools.json "streamed tool call dropped" "{'output_hash', 'signature'}" $key
done
# the TEE id: offline the key is TEE 0's, so the claimed id no longer
# matches it; via the registry, TEE 1's key did not sign this answer
expect_checks t_teeid.json "tee id changed, offline" "{'tee_id'}" --signing-key "$TEE_0_SPKI_DER" --rpc-url "$DEAD_RPC"
expect_checks t_teeid.json "tee id changed, registry" "{'signature'}"
# the wrong key
expect_checks chat.json "another TEE's key" "{'tee_id', 'signature'}" --signing-key "$TEE_1_SPKI_DER" --rpc-url "$DEAD_RPC"
run verify "$R/unsigned.json" --json
expect_rc 6 "unsigned answer"; expect_err "no signature" "unsigned: says so"
pycheck "d == {'verified': False, 'checks': {'request_hash': False, 'output_hash': False, 'tee_id': False, 'signature': False}}" "unsigned: nothing passes"
run verify "$R/t_content.json"
expect_rc 6 "human tampered"; expect_out "^output_hash +FAILED$" "human FAILED line"; expect_out "^Verified: no$" "human verdict"
expect_err "output hash" "stderr names the check"
ok "tampered content, request, timestamp, signature, tee id or key: exit 6, that check false"

# --- unreadable or malformed files: exit 1 ---
bad_file() { # desc file...
  local desc=$1; shift
  run verify "$@" --signing-key "$TEE_0_SPKI_DER" --rpc-url "$DEAD_RPC"
  expect_rc 1 "$desc"; expect_one_err_line "$desc"
}
printf 'not json\n' >"$R/m_text.json"
printf '[1, 2]\n' >"$R/m_array.json"
: >"$R/m_empty.json"
printf '{"chat_output": {"role": "assistant", "content": "x"}}\n' >"$R/m_norequest.json"
"$PYTHON" -c "
import json, sys
r = json.load(open('$R/chat.json'))
del r['chat_output']
json.dump(r, open('$R/m_nooutput.json', 'w'))
"
head -n 2 "$R/stream.ndjson" >"$R/m_nofinal.ndjson"
printf '%s\n' '{"error": {"exit_code": 6, "message": "stream ended before its final chunk"}}' >>"$R/m_nofinal.ndjson"
bad_file "missing file" "$R/nope.json"
bad_file "a directory" "$R"
bad_file "not JSON" "$R/m_text.json"
bad_file "a JSON array" "$R/m_array.json"
bad_file "empty file" "$R/m_empty.json"
bad_file "no request object" "$R/m_norequest.json"
bad_file "no output" "$R/m_nooutput.json"
bad_file "NDJSON of a failed stream" "$R/m_nofinal.ndjson"
bad_file "two files" "$R/chat.json" "$R/chat.json"
run verify --json
expect_rc 1 "no file"; pycheck "d['error']['exit_code'] == 1" "json error object"
run verify "$R/chat.json" --signing-key "$R/m_text.json"
expect_rc 1 "--signing-key not a key"
ok "unreadable or malformed files: exit 1"

# --- registry trouble ---
run verify "$R/chat.json" --rpc-url "$DEAD_RPC"
expect_rc 2 "dead registry"; expect_one_err_line "dead registry"
run verify "$R/chat.json" --registry 0x000000000000000000000000000000000000dEaD
expect_rc 2 "no registry contract at the address"
tamper chat.json u_unknown.json "r['tee']['id'] = '0x' + '0' * 63 + '5'"
run verify "$R/u_unknown.json"
expect_rc 3 "TEE unknown to the registry"; expect_one_err_line "unknown TEE"
run verify "$R/u_unknown.json" --json
pycheck "d == {'error': {'exit_code': 3, 'message': d['error']['message']}}" "unknown TEE json error"
ok "dead registry exit 2; unknown TEE exit 3"

# --- the signature vectors as result files ---
V=$W/vec
mkdir -p "$V"
"$PYTHON" - "$ROOT/tests/vectors/tee_signature.json" "$V" <<'PY' || fail "vector results"
import json, os, sys
vec = json.load(open(sys.argv[1]))
out = sys.argv[2]
key = vec['key']
open(os.path.join(out, 'key.pem'), 'w').write(key['public_key_spki_pem'])
open(os.path.join(out, 'key.der'), 'wb').write(bytes.fromhex(key['public_key_spki_der_hex']))
TEE = {'id': key['tee_id'], 'endpoint': 'https://vector.invalid', 'payment_address': None}

def sig_fields(e):
    return {'tee_signature': e['tee_signature'], 'tee_timestamp': e['tee_timestamp'],
            'tee_request_hash': e['tee_request_hash'], 'tee_output_hash': e['tee_output_hash']}

def result(e, body):
    ch = body['choices'][0]
    r = {'model': body['model'], 'finish_reason': ch['finish_reason']}
    if e['endpoint'] == '/v1/completions':
        r['completion_output'] = ch['text']
    else:
        r['chat_output'] = ch['message']
    r['usage'] = body.get('usage')
    r['tee'] = TEE
    r.update(sig_fields(e))
    r['verified'] = True
    r['request'] = json.loads(e['request_body'])
    return r

def ndjson(e, sse, request):
    lines, text, calls, role = [], '', [], 'assistant'
    for ev in sse.split('\n\n'):
        ev = ev.strip()
        if not ev.startswith('data: ') or ev == 'data: [DONE]':
            continue
        c = json.loads(ev[6:])
        d = c['choices'][0]['delta']
        text += d.get('content') or ''
        for t in d.get('tool_calls') or []:
            calls.append({'id': t['id'], 'type': t['type'], 'function': t['function']})
        final = c['choices'][0]['finish_reason'] is not None
        c['is_final'] = final
        if final:
            c['tee'] = TEE
            c['verified'] = True
            c['request'] = request
            c['chat_output'] = {'role': role, 'content': text}
            if calls:
                c['chat_output']['tool_calls'] = calls
        lines.append(json.dumps(c, ensure_ascii=False))
    return '\n'.join(lines) + '\n'

def write(name, text):
    open(os.path.join(out, name), 'w', encoding='utf-8').write(text)

names = []
for e in vec['examples']:
    if e['stream']:
        write(e['name'] + '.ndjson', ndjson(e, e['sse_body'], json.loads(e['request_body'])))
        names.append(e['name'] + '.ndjson')
    else:
        write(e['name'] + '.json', json.dumps(result(e, e['response_body'])))
        names.append(e['name'] + '.json')
    if 'stream_variant' in e:
        req = dict(json.loads(e['request_body']), stream=True)
        write(e['name'] + '_stream.ndjson', ndjson(e, e['stream_variant']['sse_body'], req))
        names.append(e['name'] + '_stream.ndjson')
write('positive.txt', '\n'.join(names) + '\n')

base = next(e for e in vec['examples'] if e['name'] == 'chat_nonstream_text')
neg = []
for n in vec['negative']:
    assert n['must_verify'] is False
    r = result(base, base['response_body'])
    r['tee_signature'] = n['tee_signature']
    if 'tee_timestamp' in n:
        r['tee_timestamp'] = n['tee_timestamp']
    write('neg_' + n['name'] + '.json', json.dumps(r))
    neg.append('neg_' + n['name'] + '.json')
write('negative.txt', '\n'.join(neg) + '\n')
PY
n=0
while read -r f; do
  for key in "$V/key.pem" "$V/key.der"; do
    run verify "$V/$f" --signing-key "$key" --rpc-url "$DEAD_RPC" --json
    expect_rc 0 "vector $f ($(basename "$key"))"; pycheck "d == $ALL_OK" "vector $f"
  done
  n=$((n + 1))
done <"$V/positive.txt"
[ "$n" -ge 5 ] || fail "expected at least 5 vector results, got $n"
m=0
while read -r f; do
  run verify "$V/$f" --signing-key "$V/key.pem" --rpc-url "$DEAD_RPC" --json
  expect_rc 6 "negative vector $f"
  pycheck "d['verified'] is False and d['checks'] == {'request_hash': True, 'output_hash': True, 'tee_id': True, 'signature': False}" "negative vector $f: only the signature fails"
  m=$((m + 1))
done <"$V/negative.txt"
[ "$m" -ge 4 ] || fail "expected 4 negative vectors, got $m"
run verify "$V/chat_nonstream_text.json"
expect_rc 3 "vector TEE is not in the devnet registry"
run verify "$V/chat_nonstream_text.json" --signing-key "$TEE_0_SPKI_DER" --rpc-url "$DEAD_RPC" --json
expect_rc 6 "vector with the wrong key"; pycheck "not d['checks']['tee_id'] and not d['checks']['signature']" "wrong key"
ok "signature vectors: $n results verify, $m negatives fail on the signature"
echo "$TESTS_RUN checks passed"
