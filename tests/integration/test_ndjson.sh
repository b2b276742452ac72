#!/usr/bin/env bash
# chat --stream --json writes plain content chunks straight out (no
# per-chunk jansson object): each line must still be exactly what jansson's
# compact dump of the received chunk plus "is_final" gives. Oracle: Python's
# json with compact separators, raw UTF-8 and jansson's \u00XX spelling,
# over content with quotes, backslashes, control characters, DEL, U+2028,
# non-ASCII and astral characters, in both of the stand-in's escapings and
# several chunk sizes. The reassembled text equals the final chat_output.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/integration/llm_lib.sh"
MSG=$("$PYTHON" -c 'import json; print(json.dumps([{"role": "user", "content": "a\"b\\c/d\u0001\u001b[31m\u007f\u2028\u00e9\u6f22\U0001F600\t\n\r\b\f\u0000end"}]))')
for ea in true false; do
  for cc in 1 3 7; do
    ctl 0 "{\"ensure_ascii\": $ea, \"chunk_chars\": $cc, \"delay\": 0}"
    run chat --tee-id "$TEE_0_ID" --model openai/gpt-5 --messages "$MSG" --stream --json
    expect_rc 0 "stream ea=$ea cc=$cc"
    OUT="$OUT" "$PYTHON" - <<'PY' || fail "NDJSON lines (ensure_ascii=$ea, chunk_chars=$cc)"
import json, os, re, sys
lines = os.environ["OUT"].split("\n")
def jansson(o):
    s = json.dumps(o, separators=(",", ":"), ensure_ascii=False)
    return re.sub(r"\\u00([0-9a-f]{2})", lambda m: "\\u00" + m.group(1).upper(), s)
text, plain = "", 0
for ln in lines:
    o = json.loads(ln)
    if not o["is_final"]:
        assert ln == jansson(o), (ln, jansson(o))
        assert list(o) == ["choices", "model", "is_final"], ln
        plain += 1
        text += o["choices"][0]["delta"].get("content") or ""
final = json.loads(lines[-1])
assert final["is_final"] and plain == len(lines) - 1
assert final["chat_output"]["content"] == text, (final["chat_output"], text)
assert "\u2028" in text and "\U0001F600" in text and "\x1b" in text and "\x00" in text
PY
  done
done
ok "NDJSON content lines are jansson's, byte for byte (6 variants)"
echo "$TESTS_RUN checks passed"
