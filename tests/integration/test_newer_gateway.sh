#!/usr/bin/env bash
# Against the stand-in's newer-gateway mode: --web-search on chat (streamed
# and not) and completion, its status frames kept out of the text and the
# signed output, citations, the request hash covering web_search; the
# opengradient cost block (Cost: line, exact 18-decimal OPG, --json
# verbatim); generated images saved byte-exact under the Python CLI's names;
# {"error","exception_type"} errors (HTTP and mid-stream, exit 6); the newer
# canonical rules (developer, list content) verifying; /health's version,
# uptime and providers in tee check.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/llm_lib.sh"
export OG_TEE_ID=$TEE_0_ID
ctl 0 '{"newer": true}'
Q='[{"role":"user","content":"What changed this week?"}]'

# rhash REQUEST-JSON ENDPOINT RULES: the stand-in's canonical request hash
rhash() {
  "$PYTHON" - "$1" "$2" "$3" <<'PY'
import json, os, sys
sys.path.insert(0, os.environ["ROOT"] + "/tests/devnet")
import ogcanon
req = json.loads(sys.argv[1])
print(ogcanon.request_hash(req, sys.argv[2], sys.argv[3]).hex())
PY
}
export ROOT

# --- chat --web-search --stream --json: status frames are NDJSON lines ---
run chat --model "$MODEL" --messages "$Q" --web-search --stream --json
expect_rc 0 "streamed web search --json"
pycheck "[x['web_search']['query'] for x in L if 'web_search' in x] == ['What changed this week?', 'What changed this week? (refined)']" "two status lines carry the queries"
pycheck "all(x['is_final'] is False and x['choices'][0]['delta'] == {} for x in L if 'web_search' in x)" "status lines are not final and carry no text"
pycheck "L[-1]['is_final'] and L[-1]['verified'] is True" "final line verified"
pycheck "L[-1]['chat_output']['content'] == 'Echo: What changed this week?'" "status frames are not in the text"
pycheck "[c['url'] for c in L[-1]['citations']] == ['https://docs.opengradient.ai/', 'https://example.org/search?q=23']" "citations on the final line"
pycheck "L[-1]['request']['web_search'] is True and L[-1]['request']['stream'] is True" "web_search sent"
pycheck "set(L[-1]['opengradient']) == {'cost_opg', 'cost_usd', 'opg_price_usd'}" "cost block on the final line"
REQ=$("$PYTHON" -c 'import json,sys; print(json.dumps(json.loads(sys.stdin.read().splitlines()[-1])["request"]))' <<<"$OUT")
H_WS=$(rhash "$REQ" /v1/chat/completions newer)
H_NOWS=$(rhash "$(sed 's/"web_search": *true, *//' <<<"$REQ")" /v1/chat/completions newer)
pycheck "L[-1]['tee_request_hash'] == '$H_WS' != '$H_NOWS'" "request hash covers web_search"
# the saved line verifies offline, status frames and all
printf '%s\n' "$OUT" | tail -1 >"$W/ws.json"
run verify "$W/ws.json"
expect_rc 0 "verify the saved web-search answer"
ok "streamed web search: status frames as NDJSON progress, citations, request hash includes web_search"

# --- the same, human: text unchanged, sources after the answer ---
run -v chat --model "$MODEL" --messages "$Q" --web-search --stream
expect_rc 0 "streamed web search, human"
grep -q '^Echo: What changed this week?$' <<<"$OUT" || fail "answer text alone on its line: $OUT"
grep -q 'searching' <<<"$OUT" && fail "status text leaked into stdout"
expect_out '^Sources:$' "Sources block"
expect_out '^  \[1\] OpenGradient documentation - https://docs.opengradient.ai/$' "first citation"
expect_out '^Verified: yes' "verified"
expect_err 'web search \[searching\] What changed this week\?' "status on stderr under -v"
pycheck "out.index('Echo: What') < out.index('Sources:') < out.index('Chunks received')" "sources after the answer, inside the trailer"
ok "streamed web search, human: progress on stderr, sources after the answer"

# --- on a terminal: progress on stderr (made safe), never on stdout ---
if command -v script >/dev/null; then
  EQ='[{"role":"user","content":"news \u001b[31mred"}]'
  cmd=$(printf '%q ' "$OG_BIN" chat --model "$MODEL" --messages "$EQ" --web-search --stream)
  script -qfec "$cmd >$W/tty.out" /dev/null >"$W/tty" 2>&1 </dev/null || fail "chat on a terminal"
  grep -q 'web search \[searching\] news \\x1b\[31mred' "$W/tty" || fail "status on the terminal, ESC shown: $(cat -v "$W/tty")"
  grep -q 'searching' "$W/tty.out" && fail "status leaked into stdout"
  grep -q "^Echo: news" "$W/tty.out" || fail "answer on stdout: $(cat -v "$W/tty.out")"
  ok "on a terminal: web-search progress on stderr with control characters made visible"
fi

# --- chat --web-search, not streamed ---
run chat --model "$MODEL" --messages "$Q" --web-search --json
expect_rc 0 "web search --json"
pycheck "d['verified'] is True and d['chat_output']['content'] == 'Echo: What changed this week?'" "verified answer"
pycheck "len(d['citations']) == 2 and d['request']['web_search'] is True" "citations, web_search"
H_WS=$(rhash "$("$PYTHON" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["request"]))' <<<"$OUT")" /v1/chat/completions newer)
pycheck "d['tee_request_hash'] == '$H_WS'" "request hash of the newer canonical request"
run chat --model "$MODEL" --messages "$Q" --web-search
expect_rc 0 "web search human"
expect_out '^  \[2\] Results for What changed this week\? - https://example.org/search\?q=23$' "second citation"
ok "web search, not streamed: citations carried and shown, hash verified"

# --- completion --web-search ---
run completion --model "$MODEL" --prompt "news today" --web-search --json
expect_rc 0 "completion web search"
pycheck "d['verified'] is True and d['completion_output'] == 'Echo: news today'" "completion verified"
pycheck "d['request']['web_search'] is True and len(d['citations']) == 2" "completion citations"
H_WS=$(rhash '{"model":"gpt-5","prompt":"news today","max_tokens":100,"temperature":0.0,"web_search":true}' /v1/completions newer)
H_OLD=$(rhash '{"model":"gpt-5","prompt":"news today","max_tokens":100,"temperature":0.0,"web_search":true}' /v1/completions 2026-04)
pycheck "d['tee_request_hash'] == '$H_WS' != '$H_OLD'" "completion hash includes web_search"
run completion --model "$MODEL" --prompt "news today" --web-search
expect_rc 0 "completion web search human"
expect_out '^Sources:$' "completion sources"
expect_out '^Cost: [0-9]+\.[0-9]{18} OPG \(\$[0-9.]+\)$' "completion cost line"
ok "completion with web search: hashed as the completions controller does, citations shown"

# --- the cost block: exact OPG text, verbatim --json ---
ctl 0 '{"cost_opg": "1234567890123456789012"}'
run chat --model "$MODEL" --messages "$HI" --json
expect_rc 0 "cost chat --json"
pycheck "d['opengradient'] == {'cost_opg': '1234567890123456789012', 'cost_usd': '61.72839450617283945060', 'opg_price_usd': '0.05'}" "--json carries the block verbatim"
run chat --model "$MODEL" --messages "$HI"
expect_rc 0 "cost chat"
expect_out '^Cost: 1234\.567890123456789012 OPG \(\$61\.72839450617283945060\)$' "cost line with 18 decimals"
ctl 0 '{"cost_opg": "7"}'
run chat --model "$MODEL" --messages "$HI" --stream
expect_out '^Cost: 0\.000000000000000007 OPG \(\$' "one base unit"
pycheck "out.index('Verified:') < out.index('Cost:') < out.index('Chunks received')" "cost in the stream trailer"
ctl 0 '{"cost_opg": "0"}'
run completion --model "$MODEL" --prompt x --json
pycheck "d['opengradient']['cost_opg'] == '0'" "zero cost carried"
run completion --model "$MODEL" --prompt x
expect_out '^Cost: 0\.000000000000000000 OPG' "zero cost shown"
ctl 0 '{"cost_opg": null, "usage": false}'
run chat --model "$MODEL" --messages "$HI" --json
pycheck "'opengradient' not in d" "no block without usage"
run chat --model "$MODEL" --messages "$HI"
grep -q '^Cost:' <<<"$OUT" && fail "no cost line without the block"
ctl 0 '{"usage": true}'
ok "cost: Cost: line in exact 18-decimal OPG, block verbatim in --json"

# --- images: byte-exact, the Python CLI's names and report lines ---
IMG_PY='
import base64, hashlib, json
a = b"RIFF\x00\x00\x00\x00WEBP" + hashlib.sha256(b"one").digest()
b = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
open("'$W'/a.bin", "wb").write(a); open("'$W'/b.bin", "wb").write(b)
print(json.dumps({"images": ["data:image/webp;base64," + base64.b64encode(a).decode(),
                             base64.b64encode(b).decode()]}))'
ctl 0 "$("$PYTHON" -c "$IMG_PY")"
T0=$(date +%s)
run chat --model "$MODEL" --messages "$HI" --image-output-dir "$W/imgs/sub"
T1=$(date +%s)
expect_rc 0 "chat with two images"
N1=$(ls "$W/imgs/sub" | grep -c . ); [ "$N1" = 2 ] || fail "two files expected: $(ls "$W/imgs/sub")"
F1=$(ls "$W/imgs/sub" | grep '_1\.webp$'); F2=$(ls "$W/imgs/sub" | grep '_2\.png$')
[[ "$F1" =~ ^og_image_([0-9]+)_1\.webp$ ]] || fail "first name: $F1"
TS=${BASH_REMATCH[1]}
[ "$TS" -ge "$T0" ] && [ "$TS" -le "$T1" ] || fail "unix time in the name: $TS"
[ "$F2" = "og_image_${TS}_2.png" ] || fail "second name: $F2"
cmp -s "$W/imgs/sub/$F1" "$W/a.bin" || fail "first image bytes"
cmp -s "$W/imgs/sub/$F2" "$W/b.bin" || fail "second image bytes"
expect_out "^Generated 2 image\(s\):$" "report line"
expect_out "^  Saved: $W/imgs/sub/$F1$" "saved line 1"
expect_out "^  Saved: $W/imgs/sub/$F2$" "saved line 2"
expect_out "not covered by the enclave's signature" "images are said to be unsigned"
expect_out '^Verified: yes' "text still verified"
ok "two images saved byte-exact as og_image_<unixtime>_<n>.<ext> with the report lines"

run chat --model "$MODEL" --messages "$HI" --image-output-dir "$W/imgs/j" --stream --json
expect_rc 0 "images, streamed --json"
pycheck "L[-1]['images_saved'] == sorted(L[-1]['images_saved']) and len(L[-1]['images_saved']) == 2 and all(p.startswith('$W/imgs/j/og_image_') for p in L[-1]['images_saved'])" "images_saved paths"
pycheck "'images' not in L[-1]" "no image data in --json"
for p in $("$PYTHON" -c 'import json,sys; print(" ".join(json.loads(sys.stdin.read().splitlines()[-1])["images_saved"]))' <<<"$OUT"); do
  [ -s "$p" ] || fail "saved file missing: $p"
done
ok "streamed --json: images_saved lists the files, no image data"

# one image: no _<n>; an undecodable one still counts
ctl 0 '{"images": ["data:image/gif;base64,R0lGODlh"]}'
(cd "$W" && mkdir -p one && cd one && "$OG_BIN" chat --model "$MODEL" --messages "$HI" >"$W/one.out" 2>"$W/one.err") || fail "one image"
ls "$W/one" | grep -qE '^og_image_[0-9]+\.gif$' || fail "single image name: $(ls "$W/one")"
grep -qE "^  Saved: $W/one/og_image_[0-9]+\.gif$" "$W/one.out" || fail "default folder is the current one (absolute path): $(cat "$W/one.out")"
ctl 0 '{"images": ["data:image/png;base64,iVBORw0KGgo=", "data:image/png;base64,A"]}'
run chat --model "$MODEL" --messages "$HI" --image-output-dir "$W/bad"
expect_rc 0 "one undecodable image"
expect_out '^Generated 2 image\(s\):$' "count covers every image"
expect_out '^  Could not decode generated image #2$' "undecodable reported"
[ "$(ls "$W/bad" | wc -l)" = 1 ] || fail "one file written: $(ls "$W/bad")"
ls "$W/bad" | grep -qE '^og_image_[0-9]+_1\.png$' || fail "suffix kept with two images"
: >"$W/notadir"
run chat --model "$MODEL" --messages "$HI" --image-output-dir "$W/notadir"
expect_failure 1 "--image-output-dir on a file"
expect_err "image-output-dir" "names the option"
ctl 0 '{"images": null}'
ok "images: one without suffix, default folder, undecodable counted, bad folder refused"

# --- developer role and list content: the newer canonical rules verify ---
DEV='[{"role":"developer","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"Look"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]'
run chat --model "$MODEL" --messages "$DEV" --json
expect_rc 0 "developer + list content"
pycheck "d['verified'] is True" "verified under the newer rules"
REQ=$("$PYTHON" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["request"]))' <<<"$OUT")
pycheck "d['tee_request_hash'] == '$(rhash "$REQ" /v1/chat/completions newer)'" "hash of the newer canonical form"
ok "developer mapped to system and list content as parts verify"

# --- errors with exception_type (exit 6) ---
ctl 0 '{"fault": "http500"}'
run chat --model "$MODEL" --messages "$HI"
expect_failure 6 "HTTP 500 with exception_type"
expect_err 'upstream overloaded \(RateLimitError\)' "message and exception type"
ctl 0 '{"fault": "http500"}'
JSON_RUN=1 run completion --model "$MODEL" --prompt x --json
JSON_RUN=1 expect_failure 6 "HTTP 500 --json"
pycheck "'RateLimitError' in L[-1]['error']['message']" "--json error names the type"
ctl 0 '{"fault": "error_frame"}'
run chat --model "$MODEL" --messages "$HI" --stream
expect_failure 6 "mid-stream error frame"
expect_err 'Stream processing failed \(APIConnectionError\)' "frame message and type"
ctl 0 '{"fault": "error_frame"}'
JSON_RUN=1 run chat --model "$MODEL" --messages "$HI" --stream --json
JSON_RUN=1 expect_failure 6 "mid-stream error frame --json"
ctl 0 '{"fault": null}'
ok "exception_type errors: both shown, exit 6 (HTTP and mid-stream)"

# --- tee check: /health's version, uptime_seconds, providers ---
run tee check
expect_rc 0 "tee check"
grep -E "^$TEE_0_ID .* ok .*version 0\.6\.2, uptime [0-9]+ s, providers: openai, anthropic, google, x-ai, bytedance, nous, zai$" <<<"$OUT" >/dev/null || fail "newer /health fields: $OUT"
grep -E "^$TEE_1_ID .* ok .*version 1\.0\.0$" <<<"$OUT" >/dev/null || fail "older /health: version only: $OUT"
run tee check --json
expect_rc 0 "tee check --json"
pycheck "[x for x in d if x['id'] == '$TEE_0_ID'][0]['version'] == '0.6.2' and isinstance([x for x in d if x['id'] == '$TEE_0_ID'][0]['uptime_seconds'], int) and [x for x in d if x['id'] == '$TEE_0_ID'][0]['providers'][0] == 'openai'" "--json fields"
pycheck "'providers' not in [x for x in d if x['id'] == '$TEE_1_ID'][0]" "older gateway: no providers"
ok "tee check shows /health's version, uptime and providers"

# --- the new paths under valgrind (normal build only) ---
case "${OG_BUILD:-}" in
*asan*) ;;
*)
  if command -v valgrind >/dev/null; then
    VG=(valgrind -q --error-exitcode=99 --leak-check=full
        --errors-for-leak-kinds=definite,indirect)
    ctl 0 '{"images": null, "cost_opg": null, "fault": null}'
    vgrun() { # args...: exit 0, no errors, no leaks
      "${VG[@]}" "$OG_BIN" "$@" >"$W/vg.out" 2>"$W/vg.err" </dev/null
      local rc=$?
      [ $rc -eq 0 ] || { cat "$W/vg.err" >&2; fail "valgrind ($rc): $*"; }
    }
    IMGM=google/gemini-3.1-flash-image
    vgrun chat --model $IMGM --messages "$Q" --web-search --stream --image-output-dir "$W/vg"
    vgrun chat --model $IMGM --messages "$Q" --web-search --json --image-output-dir "$W/vg"
    vgrun completion --model "$MODEL" --prompt x --web-search
    vgrun tee check --json
    ctl 0 '{"fault": "error_frame"}'
    "${VG[@]}" "$OG_BIN" chat --model "$MODEL" --messages "$Q" --stream --json >"$W/vg.out" 2>"$W/vg.err" </dev/null
    rc=$?
    [ $rc -eq 6 ] || { cat "$W/vg.err" >&2; fail "valgrind error frame: exit $rc"; }
    ctl 0 '{"fault": null}'
    ok "web search, images, cost, /health and exception_type errors are valgrind clean"
  fi ;;
esac

echo "all newer-gateway tests passed ($TESTS_RUN)"
