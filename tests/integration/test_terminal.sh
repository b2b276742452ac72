#!/usr/bin/env bash
# What a person at a terminal sees: colour only on a terminal (never with
# NO_COLOR, --no-color or --json), a spinner on stderr while waiting, and
# the optional freshness window --max-age on live answers; server text
# (answer, tool names, finish reason, errors, registry endpoints) made
# visible on a terminal (ESC, C1, bidi controls), raw with --raw, byte for
# byte into a file, and always safe on stderr.
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null || { echo "script(1) missing"; exit 1; }
DEVNET="$PYTHON $ROOT/tests/devnet/devnet.py"
W=$(mktemp -d)
cleanup() { $DEVNET stop --dir "$W/d" >/dev/null 2>&1; rm -rf "$W"; }
trap cleanup EXIT
export HOME=$W
unset OG_PRIVATE_KEY OG_TEE_ID OG_LLM_SERVER_URL NO_COLOR
$DEVNET start --dir "$W/d" --tees 1 --gateways >/dev/null || fail "devnet start"
. "$W/d/env"
export OG_RPC_URL OG_TEE_REGISTRY
control() { curl -skf -X POST "https://127.0.0.1:$TEE_0_PORT/_control" -d "$1" >/dev/null || fail "control $1"; }
M='[{"role":"user","content":"Hello terminal"}]'
ESC=$(printf '\033')
SGR="$ESC\[[0-9;]*m"   # a colour/attribute sequence (the spinner's line
                       # clearing, ESC[K, is not colour)

# run the command on a pseudo-terminal (stdout and stderr both on it)
on_tty() { # env-assignments... -- args...
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  local cmd
  cmd=$(printf '%q ' env "${envs[@]}" "$OG_BIN" "$@")
  script -qfec "$cmd" /dev/null > "$W/tty" 2>&1 </dev/null
  RC=$?
  OUT=$(tr -d '\0' <"$W/tty")
}

on_tty -- chat --model openai/gpt-5 --messages "$M"
expect_rc 0 "chat on a terminal"
grep -q "$SGR" <<<"$OUT" || fail "no colour on a terminal: $OUT"
grep -q "Echo: Hello terminal" <<<"$OUT" || fail "answer missing on the terminal"
ok "colour on a terminal"

on_tty NO_COLOR=1 -- chat --model openai/gpt-5 --messages "$M"
expect_rc 0 "NO_COLOR"; grep -q "$SGR" <<<"$OUT" && fail "colour despite NO_COLOR"
on_tty -- chat --model openai/gpt-5 --messages "$M" --no-color
expect_rc 0 "--no-color"; grep -q "$SGR" <<<"$OUT" && fail "colour despite --no-color"
ok "NO_COLOR and --no-color turn colour off"

on_tty -- chat --model openai/gpt-5 --messages "$M" --json
expect_rc 0 "--json on a terminal"
# the spinner (stderr) shares the terminal: the JSON starts at its "{"
line=$(grep -ao '{.*' <<<"$OUT" | head -1 | tr -d '\r')
grep -q "$ESC" <<<"$line" && fail "escape codes in --json output"
OUT=$line json_check 'd["verified"] is True' "json on a terminal"
ok "--json is plain JSON on a terminal"

run_og chat --model openai/gpt-5 --messages "$M"
expect_rc 0 "chat into a pipe"; grep -q "$ESC" <<<"$OUT$ERR" && fail "colour into a pipe"
ok "no colour into a pipe"

control '{"fault": "slow_first_byte", "delay": 1.5}'
on_tty -- chat --model openai/gpt-5 --messages "$M"
expect_rc 0 "slow answer on a terminal"
grep -q "waiting for the TEE" <<<"$OUT" || fail "no spinner while waiting: $OUT"
run_og chat --model openai/gpt-5 --messages "$M"
expect_rc 0 "slow answer into a pipe"
grep -q "waiting for the TEE" <<<"$ERR" && fail "spinner without a terminal"
control '{"fault": null}'
ok "spinner on stderr only on a terminal"

# --max-age: the stand-in signs with a timestamp 1000 s in the past
old=$(( $(date +%s) - 1000 ))
control "{\"fixed_timestamp\": $old}"
run_og chat --model openai/gpt-5 --messages "$M" --max-age 100
expect_rc 6 "answer older than --max-age"; expect_err "max-age" "names --max-age"
run_og chat --model openai/gpt-5 --messages "$M" --max-age 5000 --json
expect_rc 0 "answer within --max-age"
printf '%s\n' "$OUT" > "$W/old.json"
run_og verify "$W/old.json"
expect_rc 0 "verify has no freshness window"
run_og chat --model openai/gpt-5 --messages "$M" --max-age abc
expect_rc 1 "bad --max-age"
control '{"fixed_timestamp": null}'
ok "--max-age refuses old live answers; verify keeps them checkable"
# --- hostile server text: ESC/OSC, C1 CSI (U+009B), U+202E, NUL ---
# the stand-in echoes the user's text as the answer
HM='[{"role":"user","content":"A\u001b]0;pwned\u0007B\u001b[2JC\u009b31mD\u202eE\u0000F\u200fG"}]'
# no raw ESC, BEL, NUL, C1 (as UTF-8 or a raw byte) or bidi control in a file
no_raw() { # file what
  "$PYTHON" - "$1" "$2" <<'PY' || fail "$2: raw control bytes reached the terminal"
import sys
# the spinner's own line clearing (ESC[K) is ours, not the server's
b = open(sys.argv[1], 'rb').read().replace(b'\r\x1b[K', b'')
bad = [x for x in (b'\x1b', b'\x07', b'\x00', b'\xc2\x9b', b'\x9b',
                   b'\xe2\x80\xae', b'\xe2\x80\x8f') if x in b]
if bad:
    print(sys.argv[2], 'has', bad, b[:800], file=sys.stderr)
    sys.exit(1)
PY
}
on_tty -- chat --model openai/gpt-5 --messages "$HM" --no-color
expect_rc 0 "hostile answer on a terminal"
no_raw "$W/tty" "answer"
for v in 'A\\x1b]0;pwned\\x07B\\x1b\[2JC\\u009b31mD\\u202eE\\x00F\\u200fG'; do
  grep -q "$v" "$W/tty" || fail "answer not shown visibly: $(cat -v "$W/tty")"
done
on_tty -- chat --model openai/gpt-5 --messages "$HM" --no-color --stream
expect_rc 0 "hostile streamed answer on a terminal"
no_raw "$W/tty" "streamed answer"
grep -q 'D\\u202eE\\x00F' "$W/tty" || fail "stream not shown visibly: $(cat -v "$W/tty")"
on_tty -- chat --model openai/gpt-5 --messages "$HM" --no-color --raw
expect_rc 0 "--raw"
grep -aq "$(printf 'A\033]0;pwned\007B')" "$W/tty" || fail "--raw did not write the answer raw"
grep -aq "$(printf 'D\342\200\256E')" "$W/tty" || fail "--raw did not keep U+202E"
ok "answer text made visible on a terminal (stream too); --raw writes it raw"

# into a file: byte for byte, the NUL included, and the rest printed after it
"$OG_BIN" chat --model openai/gpt-5 --messages "$HM" >"$W/ans.out" 2>"$W/ans.err" </dev/null \
  || fail "hostile answer into a file"
"$PYTHON" - "$W/ans.out" <<'PY' || fail "answer not byte-exact in a file"
import sys
b = open(sys.argv[1], 'rb').read()
want = 'Echo: A\x1b]0;pwned\x07B\x1b[2JC\x9b31mD\u202eE\x00F\u200fG'.encode()
assert want + b'\n' in b, b
assert b'Finish Reason' in b and b.index(b'TEE Node') < b.index(want)
PY
"$OG_BIN" chat --model openai/gpt-5 --messages "$HM" --stream >"$W/ans.out" 2>/dev/null </dev/null \
  || fail "hostile stream into a file"
"$PYTHON" -c "
import sys; b = open('$W/ans.out', 'rb').read()
sys.exit(0 if 'Echo: A\x1b]0;pwned\x07B\x1b[2JC\x9b31mD\u202eE\x00F\u200fG'.encode() in b else 1)" \
  || fail "streamed answer not byte-exact in a file"
ok "into a file the answer is byte-exact (NUL included, nothing cut after it)"

# tool names and the finish reason
HT='[{"type":"function","function":{"name":"get\u001b]8;;http://x\u0007\u009b\u202e","parameters":{"type":"object","properties":{"a":{"type":"string"}}}}}]'
control '{"finish_reason": "stop\u001b[31m\u009b\u202e"}'
on_tty -- chat --model openai/gpt-5 --messages "$M" --tools "$HT" --no-color
expect_rc 0 "hostile tool name"
no_raw "$W/tty" "tool name and finish reason"
grep -q 'Function: get\\x1b]8;;http://x\\x07\\u009b\\u202e' "$W/tty" || fail "tool name: $(cat -v "$W/tty")"
grep -q 'stop\\x1b\[31m\\u009b\\u202e' "$W/tty" || fail "finish reason: $(cat -v "$W/tty")"
on_tty -- chat --model openai/gpt-5 --messages "$HM" --no-color --stream
expect_rc 0 "hostile finish reason, streamed"
no_raw "$W/tty" "streamed finish reason"
grep -q 'Finish reason: stop\\x1b' "$W/tty" || fail "stream finish reason: $(cat -v "$W/tty")"
control '{"finish_reason": null}'
ok "tool names and finish reasons made visible on a terminal"

# error messages: on a terminal and into a pipe (stderr is always safe)
control '{"fault": "http500", "fault_times": 99, "error_text": "bad\u001b]0;x\u0007\u009b\u202e\u0000end"}'
on_tty -- chat --model openai/gpt-5 --messages "$M" --no-color
[ "$RC" -ne 0 ] || fail "http500 accepted"
no_raw "$W/tty" "error on a terminal"
grep -q 'bad' "$W/tty" || fail "error text missing: $(cat -v "$W/tty")"
"$OG_BIN" chat --model openai/gpt-5 --messages "$M" >/dev/null 2>"$W/err" </dev/null
[ $? -ne 0 ] || fail "http500 accepted (pipe)"
no_raw "$W/err" "error into a pipe"
grep -q 'server answered HTTP 500: bad.*end' "$W/err" || fail "error text missing: $(cat -v "$W/err")"
control '{"fault": null, "error_text": null}'
ok "server error messages made safe on stderr, terminal or not"

# a registry endpoint in `tee show`
HE=$(printf 'https://127.0.0.1:9/\033]0;pwn\007\302\233x\342\200\256y')
$DEVNET add-tee --dir "$W/d" --endpoint "$HE" >"$W/add.env" || fail "add-tee"
HID=$(grep "_ID=" "$W/add.env" | tail -1 | cut -d= -f2)
on_tty -- tee show "$HID" --no-color
expect_rc 0 "tee show hostile endpoint"
no_raw "$W/tty" "tee show endpoint"
grep -q 'Endpoint: *https://127.0.0.1:9/\\x1b]0;pwn\\x07\\u009bx\\u202ey' "$W/tty" || fail "endpoint: $(cat -v "$W/tty")"
run_og tee show "$HID" --no-color
grep -q "$HE" <<<"$OUT" || fail "endpoint not byte-exact into a pipe"
ok "registry endpoints made visible on a terminal, exact into a pipe"
echo "$TESTS_RUN checks passed"
