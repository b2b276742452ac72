#!/usr/bin/env bash
# chat and completion against the devnet and its gateway stand-ins (payments
# off): the human layouts, --json and NDJSON shapes, tool calls (plain,
# streamed whole and in fragments, the fallback), parameters and settlement
# headers on the wire, TEE choice, input checks before any network, direct
# mode with pinned certificates and a given signing key, both canonical
# request rules, and non-ASCII text.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/llm_lib.sh"
export OG_TEE_ID=$TEE_0_ID   # most checks drive TEE 0's stand-in

# --- chat, human layout, exactly ---
run chat --model "$MODEL" --messages "$HI"
expect_rc 0 "chat"
expect_layout "✅ LLM Chat Successful
$RULE
Model: $MODEL
Source: OpenGradient TEE
Verified: yes (enclave signature checked against the registry key)
TEE Node:
  Endpoint:        $TEE_0_ENDPOINT
  TEE ID:          $TEE_0_ID
  Payment address: $TEE_0_PAYMENT_ADDRESS
$RULE
Finish Reason: 

stop

Chat Output:

Echo: Hi" "chat human layout"
grep -qE '^  TEE ID:          0x[0-9a-f]{64}$' <<<"$OUT" || fail "TEE ID shape"
ok "chat prints the Python CLI layout with the TEE block"

# --- completion, human layout, exactly ---
run completion --model "$MODEL" --prompt "Say hi"
expect_rc 0 "completion"
expect_layout "✅ LLM completion Successful
$RULE
Model: $MODEL
Source: OpenGradient TEE
Verified: yes (enclave signature checked against the registry key)
TEE Node:
  Endpoint:        $TEE_0_ENDPOINT
  TEE ID:          $TEE_0_ID
  Payment address: $TEE_0_PAYMENT_ADDRESS
$RULE
LLM Output:

Echo: Say hi" "completion human layout"
ok "completion prints the Python CLI layout"

# --- chat --json: keys and values; request = the body on the wire ---
RESULT_KEYS="{'model','finish_reason','usage','tee','tee_signature','tee_timestamp','tee_request_hash','tee_output_hash','verified','request'}"
TEE0="{'id': '$TEE_0_ID', 'endpoint': '$TEE_0_ENDPOINT', 'payment_address': '$TEE_0_PAYMENT_ADDRESS'}"
run chat --model "$MODEL" --messages "$HI" --json
expect_rc 0 "chat --json"; stats 0
pycheck "set(d) == $RESULT_KEYS | {'chat_output'}" "chat keys"
pycheck "d['chat_output'] == {'role': 'assistant', 'content': 'Echo: Hi'}" "chat_output without tool_calls"
pycheck "d['finish_reason'] == 'stop' and d['model'] == d['request']['model'] == 'gpt-5'" "model, finish_reason"
pycheck "set(d['usage']) == {'prompt_tokens','completion_tokens','total_tokens'} and all(type(v) is int for v in d['usage'].values())" "usage"
pycheck "d['tee'] == $TEE0" "tee object"
pycheck "b64len(d['tee_signature']) == 256 and type(d['tee_timestamp']) is int and HEX64.fullmatch(d['tee_request_hash']) and HEX64.fullmatch(d['tee_output_hash'])" "tee_* fields as the gateway sends them"
pycheck "d['verified'] is True" "verified"
pycheck "d['request'] == json.loads(S['last_body']) == {'model': 'gpt-5', 'messages': [{'role': 'user', 'content': 'Hi'}], 'max_tokens': 100, 'temperature': 0.0}" "request is the body sent"
pycheck "S['last_headers']['x-settlement-type'] == 'batch' and 'payment-signature' not in S['last_headers']" "default settlement batch, nothing paid"
ok "chat --json object"

run completion --model "$MODEL" --prompt "Say hi" --json
expect_rc 0 "completion --json"; stats 0
pycheck "set(d) == $RESULT_KEYS | {'completion_output'}" "completion keys"
pycheck "d['completion_output'] == 'Echo: Say hi' and d['finish_reason'] == 'stop' and d['verified'] is True and d['tee'] == $TEE0" "completion values"
pycheck "d['request'] == json.loads(S['last_body']) and d['request']['prompt'] == 'Say hi' and S['requests']['POST /v1/completions'] >= 2" "completion request"
ok "completion --json object"

# --- usage null when the server sends none ---
ctl 0 '{"usage": false}'
run chat --model "$MODEL" --messages "$HI" --json
expect_rc 0 "chat without usage"; pycheck "'usage' in d and d['usage'] is None and d['verified'] is True" "chat usage null"
run completion --model "$MODEL" --prompt x --json
expect_rc 0 "completion without usage"; pycheck "d['usage'] is None" "completion usage null"
run chat --model "$MODEL" --messages "$HI" --json --stream
expect_rc 0 "stream without usage"; pycheck "L[-1]['is_final'] and L[-1]['usage'] is None" "stream usage null"
run chat --model "$MODEL" --messages "$HI" --stream
expect_rc 0 "human stream without usage"
grep -q "Token Usage" <<<"$OUT" && fail "no usage, yet a Token Usage block"
ctl 0 '{"usage": true}'
ok "usage is null when the server sent none"

# --- streaming, human: header without the TEE block, text, trailer once ---
run chat --model "$MODEL" --messages '[{"role":"user","content":"Hi there"}]' --stream
expect_rc 0 "stream"
expect_layout "🌊 Streaming LLM Chat
$RULE
Model: $MODEL
Source: OpenGradient TEE
$RULE
Response:

Echo: Hi there

$RULE
Token Usage:
  Prompt tokens: <N>
  Completion tokens: <N>
  Total tokens: <N>

Finish reason: stop
Verified: yes (enclave signature checked against the registry key)
TEE Node:
  Endpoint:        $TEE_0_ENDPOINT
  TEE ID:          $TEE_0_ID
  Payment address: $TEE_0_PAYMENT_ADDRESS
$RULE
Chunks received: 5
Content length: 14 characters" "stream human layout"
ok "streamed chat: text, then the trailer once"

# --- streaming NDJSON ---
run chat --model "$MODEL" --messages '[{"role":"user","content":"Hi there"}]' --stream --json
expect_rc 0 "stream --json"; stats 0
pycheck "all(type(x) is dict and type(x.get('is_final')) is bool for x in L)" "every line an object with is_final"
pycheck "len(L) == 5 and [x['is_final'] for x in L] == [False]*4 + [True]" "one line per chunk, exactly one final (the last)"
pycheck "[x['choices'][0]['delta'].get('content') for x in L[:4]] == ['Echo', ': Hi', ' the', 're']" "chunks in order"
F="L[-1]"
pycheck "$F['choices'][0]['finish_reason'] == 'stop' and $F['tee'] == $TEE0 and $F['verified'] is True" "final: tee, verified"
pycheck "$F['chat_output'] == {'role': 'assistant', 'content': 'Echo: Hi there'}" "final: reassembled chat_output"
pycheck "$F['request'] == json.loads(S['last_body']) and $F['request']['stream'] is True" "final: request sent"
pycheck "b64len($F['tee_signature']) == 256 and HEX64.fullmatch($F['tee_output_hash']) and type($F['usage']['total_tokens']) is int" "final: signature fields, usage"
pycheck "S['last_headers']['accept'] == 'text/event-stream'" "asked for SSE"
ok "chat --stream --json NDJSON"

# --- tool calls ---
TOOLS='[{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city"]}}},{"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{"tz":{"type":"string"},"n":{"type":"integer"}}}}}]'
WMSG='[{"role":"user","content":"Weather in Dallas?"}]'
ARGS0='{"city": "test-city", "unit": "celsius"}'
ARGS1='{"tz": "test-tz", "n": 1}'
CALLS2="[('get_weather', '$ARGS0'), ('get_time', '$ARGS1')]"
calls_of() { echo "[(t['function']['name'], t['function']['arguments']) for t in $1['chat_output']['tool_calls']]"; }
run chat --model "$MODEL" --messages "$WMSG" --tools "$TOOLS"
expect_rc 0 "tool call human"
expect_out "^Finish Reason: $" "finish label"
grep -qzF "Chat Output:

Tool Calls:
  Function: get_weather
  Arguments: $ARGS0" <<<"$OUT" || fail "tool call lines: $OUT"
run chat --model "$MODEL" --messages "$WMSG" --tools "$TOOLS" --json
expect_rc 0 "tool call json"; stats 0
pycheck "d['finish_reason'] == 'tool_calls' and d['verified'] is True" "tool call verified"
pycheck "$(calls_of d) == [('get_weather', '$ARGS0')] and all(t['type'] == 'function' and t['id'].startswith('call_') for t in d['chat_output']['tool_calls'])" "tool call object"
pycheck "d['request']['tools'] == json.loads(r'''$TOOLS''') and d['request']['tool_choice'] == 'auto' and d['request'] == json.loads(S['last_body'])" "tools and tool_choice auto sent"
run chat --model "$MODEL" --messages "$WMSG" --tools "$TOOLS" --tool-choice none --json
pycheck "d['request']['tool_choice'] == 'none'" "--tool-choice sent"
ctl 0 '{"tool_calls": 2}'
run chat --model "$MODEL" --messages "$WMSG" --tools "$TOOLS" --json
expect_rc 0 "two calls"; pycheck "$(calls_of d) == $CALLS2 and d['verified'] is True" "two calls, in order"
ok "tool calls (non-streamed)"

for style in buffered fragmented; do
  ctl 0 "{\"stream_tools\": \"$style\", \"tool_calls\": 2}"
  run chat --model "$MODEL" --messages "$WMSG" --tools "$TOOLS" --stream --json
  expect_rc 0 "stream tools $style"
  pycheck "[x['is_final'] for x in L].count(True) == 1 and L[-1]['is_final']" "$style: one final line"
  pycheck "$(calls_of 'L[-1]') == $CALLS2 and L[-1]['verified'] is True and L[-1]['choices'][0]['finish_reason'] == 'tool_calls'" "$style: reassembled and verified"
  pycheck "[t['id'] for t in L[-1]['chat_output']['tool_calls']] == [t['id'] for x in L[:-1] for t in x['choices'][0]['delta']['tool_calls'] if t.get('id')][:2]" "$style: call ids kept"
  [ "$style" = fragmented ] && pycheck "len(L) > 3" "fragments are separate lines"
  run chat --model "$MODEL" --messages "$WMSG" --tools "$TOOLS" --stream
  expect_rc 0 "stream tools human $style"
  grep -qzF "Tool Calls:
  Function: get_weather
  Arguments: $ARGS0
  Function: get_time
  Arguments: $ARGS1" <<<"$OUT" || fail "$style human tool calls: $OUT"
  [ "$(grep -c '^TEE Node:$' <<<"$OUT")" = 1 ] || fail "$style: one TEE block"
done
ok "streamed tool calls, whole and in fragments"

# a server that does not stream tool calls: the fallback asks without SSE
ctl 0 '{"stream_tools": "none", "tool_calls": 1}'
run chat --model "$MODEL" --messages "$WMSG" --tools "$TOOLS" --stream --json
expect_rc 0 "stream, tools ignored"
pycheck "'tool_calls' not in L[-1]['chat_output'] and L[-1]['chat_output']['content'].startswith('Echo: ')" "stream without tool calls"
run chat --model "$MODEL" --messages "$WMSG" --tools "$TOOLS" --stream --json --stream-tools-fallback
expect_rc 0 "fallback"; stats 0
pycheck "len(L) == 1 and L[0]['is_final'] is True and L[0]['verified'] is True" "fallback: one final chunk"
pycheck "$(calls_of 'L[0]') == [('get_weather', '$ARGS0')] and L[0]['choices'][0]['delta']['tool_calls'][0]['function']['name'] == 'get_weather'" "fallback: the tool call"
pycheck "'stream' not in json.loads(S['last_body']) and L[0]['request'] == json.loads(S['last_body']) and S['last_headers'].get('accept') != 'text/event-stream'" "fallback request is not streamed"
run chat --model "$MODEL" --messages "$WMSG" --tools "$TOOLS" --stream --stream-tools-fallback
expect_rc 0 "fallback human"; expect_out "^  Function: get_weather$" "fallback human tool call"
run chat --model "$MODEL" --messages "$HI" --stream --json --stream-tools-fallback
expect_rc 0 "fallback without tools streams"
pycheck "len(L) > 1 and L[-1]['request']['stream'] is True" "no tools: a real stream"
ctl_reset 0
ok "--stream-tools-fallback"

# --- parameters reach the request ---
run chat --model "$MODEL" --messages "$HI" --stop-sequence END --stop-sequence '##' --temperature 0.7 --max-tokens 33 --json
expect_rc 0 "params"; stats 0
pycheck "json.loads(S['last_body']) == d['request'] and d['request']['stop'] == ['END', '##'] and d['request']['temperature'] == 0.7 and d['request']['max_tokens'] == 33 and d['verified'] is True" "chat params sent"
run completion --model "$MODEL" --prompt p --stop-sequence STOP --temperature 1.5 --max-tokens 7 --json
expect_rc 0 "completion params"; stats 0
pycheck "json.loads(S['last_body']) == d['request'] == {'model': 'gpt-5', 'prompt': 'p', 'max_tokens': 7, 'temperature': 1.5, 'stop': ['STOP']} and d['verified'] is True" "completion params sent"
run chat --model "$MODEL" --messages "$HI" --stop-sequence END --stream --json
expect_rc 0 "stream params"; stats 0
pycheck "json.loads(S['last_body'])['stop'] == ['END'] and L[-1]['verified'] is True" "stream params sent"
ok "--stop-sequence, --temperature, --max-tokens are sent (and verify)"

# --- settlement modes ---
for pair in private:private batch-hashed:batch individual-full:individual; do
  mode=${pair%%:*} wire=${pair#*:}
  run chat --model "$MODEL" --messages "$HI" --x402-settlement-mode "$mode" --json
  expect_rc 0 "settlement $mode"; stats 0
  pycheck "S['last_headers']['x-settlement-type'] == '$wire' and d['verified'] is True" "$mode sent as $wire"
  if [ "$wire" = individual ]; then
    pycheck "d['settlement']['X-Settlement-Type'] == 'individual' and d['settlement']['X-TEE-ID'] == '$TEE_0_ID' and d['settlement']['X-TEE-Output-Hash'] == '0x' + d['tee_output_hash'] and re.fullmatch('0x[0-9a-f]{64}', d['settlement']['X-Settlement-Tx-Hash']) and all(k.startswith(('X-TEE-', 'X-Settlement-')) for k in d['settlement'])" "individual: X-TEE-*/X-Settlement-* headers in settlement"
  else
    pycheck "'settlement' not in d" "$mode: no settlement object"
  fi
done
run completion --model "$MODEL" --prompt p --x402-settlement-mode private --json
stats 0; pycheck "S['last_headers']['x-settlement-type'] == 'private'" "completion settlement"
run chat --model "$MODEL" --messages "$HI" --x402-settlement-mode individual-full --stream --json
expect_rc 0 "individual stream"; stats 0
pycheck "S['last_headers']['x-settlement-type'] == 'individual' and L[-1]['verified'] is True and L[-1]['settlement']['X-Settlement-Type'] == 'individual'" "individual stream"
run chat --model "$MODEL" --messages "$HI" --x402-settlement-mode batch --rpc-url $DEAD_RPC
expect_rc 1 "unknown settlement mode"; expect_err "x402-settlement-mode" "names the option"
ok "--x402-settlement-mode maps to X-SETTLEMENT-TYPE; individual surfaces its headers"

# --- --tee-id picks that TEE (any case, with or without 0x; beats the env) ---
stats 1; before=$("$PYTHON" -c "import json,sys; print(json.loads(sys.argv[1])['requests'].get('POST /v1/chat/completions', 0))" "$STATS")
UP1=$(tr a-f A-F <<<"${TEE_1_ID#0x}")
run chat --model "$MODEL" --messages "$HI" --tee-id "$UP1" --json
expect_rc 0 "--tee-id TEE 1"
pycheck "d['tee'] == {'id': '$TEE_1_ID', 'endpoint': '$TEE_1_ENDPOINT', 'payment_address': '$TEE_1_PAYMENT_ADDRESS'} and d['verified'] is True" "result names TEE 1"
stats 1; pycheck "S['requests']['POST /v1/chat/completions'] == $before + 1" "TEE 1's stand-in served it"
run chat --model "$MODEL" --messages "$HI" --tee-id "$TEE_1_ID"
expect_out "^  TEE ID:          $TEE_1_ID$" "human names TEE 1"; expect_out "^  Endpoint:        $TEE_1_ENDPOINT$" "human endpoint 1"
run chat --model "$MODEL" --messages "$HI" --tee-id 0x$(printf '%064d' 7)
expect_rc 3 "unknown --tee-id"; expect_one_err_line "unknown --tee-id"
run chat --model "$MODEL" --messages "$HI" --tee-id 0x1234 --rpc-url $DEAD_RPC
expect_rc 1 "malformed --tee-id"
ids=""
for _ in 1 2 3 4 5 6; do
  OG_TEE_ID= run chat --model "$MODEL" --messages "$HI" --json
  expect_rc 0 "no --tee-id"
  ids="$ids $("$PYTHON" -c "import json,sys; print(json.loads(sys.argv[1])['tee']['id'])" "$OUT")"
done
for i in $ids; do [ "$i" = "$TEE_0_ID" ] || [ "$i" = "$TEE_1_ID" ] || fail "unexpected TEE $i"; done
ok "--tee-id chooses the TEE; without it a registered one answers"

# --- bad usage is exit 1 before any network (the RPC is dead) ---
bad() { # desc args...
  local desc=$1; shift
  JSON_RUN=0 run "$@" --rpc-url $DEAD_RPC
  expect_failure 1 "$desc"
}
echo '[{"role":"user","content":"from a file"}]' >"$W/msgs.json"
echo 'not json' >"$W/bad.json"
bad "model without provider" chat --model gpt-5 --messages "$HI"
expect_err "provider" "names the provider prefix"
bad "completion model without provider" completion --model gpt-5 --prompt x
bad "model with an empty name" chat --model openai/ --messages "$HI"
bad "no --model" chat --messages "$HI"
bad "an integer beyond 64 bits" chat --model "$MODEL" --messages '[{"role":"user","content":"x","n":123456789012345678901234567890}]'
bad "--tool-choice without tools" chat --model "$MODEL" --messages "$HI" --tool-choice required
bad "--stream on completion" completion --model "$MODEL" --prompt x --stream
bad "bad --messages JSON" chat --model "$MODEL" --messages '[{"role":'
expect_err "messages" "names --messages"
bad "--messages not an array" chat --model "$MODEL" --messages '{"role":"user"}'
bad "--messages empty" chat --model "$MODEL" --messages '[]'
bad "both --messages and --messages-file" chat --model "$MODEL" --messages "$HI" --messages-file "$W/msgs.json"
bad "neither --messages nor --messages-file" chat --model "$MODEL"
bad "bad --messages-file JSON" chat --model "$MODEL" --messages-file "$W/bad.json"
bad "missing --messages-file" chat --model "$MODEL" --messages-file "$W/nope.json"
bad "bad --tools JSON" chat --model "$MODEL" --messages "$HI" --tools '[{'
expect_err "tools" "names --tools"
bad "--tools not an array" chat --model "$MODEL" --messages "$HI" --tools '{}'
bad "both --tools and --tools-file" chat --model "$MODEL" --messages "$HI" --tools '[]' --tools-file "$W/msgs.json"
bad "no --prompt" completion --model "$MODEL"
bad "bad --temperature" chat --model "$MODEL" --messages "$HI" --temperature warm
bad "bad --max-tokens" chat --model "$MODEL" --messages "$HI" --max-tokens -3
bad "--tls-cert without --llm-server-url" chat --model "$MODEL" --messages "$HI" --tls-cert "$TEE_0_CERT"
JSON_RUN=1 run chat --model gpt-5 --messages "$HI" --json --rpc-url $DEAD_RPC
JSON_RUN=1 expect_failure 1 "json usage error"
run chat --model "$MODEL" --messages-file "$W/msgs.json" --json
expect_rc 0 "--messages-file"; pycheck "d['chat_output']['content'] == 'Echo: from a file' and d['verified'] is True" "messages from a file"
ok "bad input exits 1 before any network"

# --- direct mode: --llm-server-url, pinned with --tls-cert ---
D=(--llm-server-url "$TEE_0_ENDPOINT" --rpc-url $DEAD_RPC)
OG_TEE_ID= run chat "${D[@]}" --tls-cert "$TEE_0_CERT" --model "$MODEL" --messages "$HI" --json
expect_rc 0 "direct, PEM pin"
pycheck "d['verified'] is None and d['chat_output']['content'] == 'Echo: Hi' and d['tee']['endpoint'] == '$TEE_0_ENDPOINT' and d['tee']['id'] == '$TEE_0_ID'" "direct result (unverified, TEE named by the answer)"
OG_TEE_ID= run chat "${D[@]}" --tls-cert "$TEE_0_CERT_DER" --model "$MODEL" --messages "$HI"
expect_rc 0 "direct, DER pin"; expect_out "^Verified: no" "direct human unverified"
OG_TEE_ID= run completion "${D[@]}" --tls-cert "$TEE_0_CERT_DER" --model "$MODEL" --prompt x --json
expect_rc 0 "direct completion"; pycheck "d['verified'] is None" "direct completion unverified"
OG_TEE_ID= run chat "${D[@]}" --tls-cert "$TEE_1_CERT" --model "$MODEL" --messages "$HI" --json
JSON_RUN=1 expect_failure 4 "direct, wrong pin"
OG_TEE_ID= run chat "${D[@]}" --tls-cert "$TEE_1_CERT_DER" --model "$MODEL" --messages "$HI" --stream
expect_failure 4 "direct stream, wrong pin"
[ -z "$OUT" ] || fail "wrong pin: nothing on stdout, got $OUT"
OG_TEE_ID= run chat "${D[@]}" --model "$MODEL" --messages "$HI"
expect_failure 4 "direct without --tls-cert (system CAs)"
OG_TEE_ID= run chat "${D[@]}" --tls-cert "$W/bad.json" --model "$MODEL" --messages "$HI"
expect_failure 1 "--tls-cert not a certificate"
ok "--llm-server-url with --tls-cert (PEM, DER); wrong or no pin is exit 4"

openssl pkey -in "$TEE_0_SIGNING_KEY" -pubout -out "$W/sk0.pem" 2>/dev/null || fail "public key"
OG_TEE_ID= run chat "${D[@]}" --tls-cert "$TEE_0_CERT" --signing-key "$W/sk0.pem" --model "$MODEL" --messages "$HI" --json
expect_rc 0 "direct + PEM signing key"; pycheck "d['verified'] is True" "verified with --signing-key PEM"
OG_TEE_ID= run chat "${D[@]}" --tls-cert "$TEE_0_CERT" --signing-key "$W/sk0.pem" --model "$MODEL" --messages "$HI"
expect_out "^Verified: yes \\(enclave signature checked against --signing-key\\)$" "human names the key used"
OG_TEE_ID= run chat "${D[@]}" --tls-cert "$TEE_0_CERT" --signing-key "$TEE_0_SPKI_DER" --model "$MODEL" --messages "$HI" --stream --json
expect_rc 0 "direct stream + DER signing key"; pycheck "L[-1]['verified'] is True" "stream verified with --signing-key DER"
OG_TEE_ID= run completion "${D[@]}" --tls-cert "$TEE_0_CERT" --signing-key "$TEE_0_SPKI_DER" --model "$MODEL" --prompt x --json
expect_rc 0 "direct completion + key"; pycheck "d['verified'] is True" "completion verified"
OG_TEE_ID= run chat "${D[@]}" --tls-cert "$TEE_0_CERT" --signing-key "$TEE_1_SPKI_DER" --model "$MODEL" --messages "$HI" --json
JSON_RUN=1 expect_failure 6 "another TEE's key"; expect_err "tee_id" "names the tee_id check"
OG_TEE_ID= run chat "${D[@]}" --tls-cert "$TEE_0_CERT" --signing-key "$W/bad.json" --model "$MODEL" --messages "$HI"
expect_failure 1 "--signing-key not a key"
ok "--signing-key with --llm-server-url: verified true; a wrong key is exit 6"

# --- both canonical rule sets verify ---
DEV='[{"role":"system","content":"Be brief"},{"role":"developer","content":"Answer in English"},{"role":"user","content":"Hi"}]'
for rules in 2026-04 newer; do
  ctl 0 "{\"rules\": \"$rules\"}"
  run chat --model "$MODEL" --messages '[{"role":"system","content":"Be brief"},{"role":"user","content":"Hi"}]' --tools "$TOOLS" --json
  expect_rc 0 "rules $rules"; pycheck "d['verified'] is True" "$rules: verified"
  run chat --model "$MODEL" --messages "$HI" --stream --json
  expect_rc 0 "rules $rules stream"; pycheck "L[-1]['verified'] is True" "$rules: stream verified"
  run completion --model "$MODEL" --prompt p --json
  expect_rc 0 "rules $rules completion"; pycheck "d['verified'] is True" "$rules: completion verified"
done
run chat --model "$MODEL" --messages "$DEV" --json
expect_rc 0 "developer role under newer rules"; pycheck "d['verified'] is True" "developer role verified"
ctl 0 '{"rules": "2026-04"}'
run chat --model "$MODEL" --messages "$DEV" --json
JSON_RUN=1 expect_failure 6 "developer role under 2026-04 (HTTP 500)"
ok "answers signed under the 2026-04 and the newer rules verify"

# --- non-ASCII, emoji, escapes ---
U='Grüße, 日本語 🚀😀 — \"quoted\" \\\\ back </script> \u2028 tab\t nul\u0000 end'
UMSG="[{\"role\":\"user\",\"content\":\"$U\"}]"
WANT="'Echo: ' + json.loads(r'''$UMSG''')[0]['content']"
for ascii in true false; do
  ctl 0 "{\"ensure_ascii\": $ascii}"
  run chat --model "$MODEL" --messages "$UMSG" --json
  expect_rc 0 "unicode ensure_ascii=$ascii"
  pycheck "d['chat_output']['content'] == $WANT and d['verified'] is True" "unicode chat verified ($ascii)"
  run chat --model "$MODEL" --messages "$UMSG" --stream --json
  expect_rc 0 "unicode stream ensure_ascii=$ascii"
  pycheck "L[-1]['chat_output']['content'] == $WANT and ''.join(x['choices'][0]['delta'].get('content') or '' for x in L) == $WANT and L[-1]['verified'] is True" "unicode stream verified ($ascii)"
  run completion --model "$MODEL" --prompt "Grüße 🚀 日本" --json
  expect_rc 0 "unicode completion"; pycheck "d['completion_output'] == 'Echo: Grüße 🚀 日本' and d['verified'] is True" "unicode completion verified"
done
ctl 0 '{"chunk_chars": 1}'
run chat --model "$MODEL" --messages '[{"role":"user","content":"日本🚀ü"}]' --stream
expect_rc 0 "one character per chunk"
expect_out "^Echo: 日本🚀ü$" "human stream text intact"
expect_out "^Content length: 10 characters$" "characters counted, not bytes"
ctl_reset 0
ok "non-ASCII and emoji content verifies (escaped and raw UTF-8)"

echo "$TESTS_RUN checks passed"
