#!/usr/bin/env bash
# Hostile text at a terminal (issue 9, items 11 and 12). A hostile gateway
# (tests/devnet/hostile.py, real TLS pinned with --tls-cert) sends ESC/OSC/
# CSI sequences, C1 CSI (U+009B), bidi overrides (U+202E, U+2066), DEL and
# NUL in the answer text, the tool call, the finish reason and its error
# messages; a TEE registered on the devnet has such an endpoint. On a
# pseudo-terminal none of those bytes may arrive raw (they are made
# visible); --raw shows the answer text as sent; written to a file the
# answer is byte-exact (NUL included); stderr is always made safe. Secret
# files open to group or others are refused with the chmod 600 fix.
. "$(dirname "$0")/lib.sh"
W=$(mktemp -d)
PIDS=()
DEVNET="$PYTHON $ROOT/tests/devnet/devnet.py"
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  $DEVNET stop --dir "$W/d" >/dev/null 2>&1
  rm -rf "$W"
}
trap cleanup EXIT
export HOME=$W
unset OG_PRIVATE_KEY OG_TEE_ID OG_LLM_SERVER_URL OG_RPC_URL OG_TEE_REGISTRY \
  NO_COLOR OG_PAYMENT_ASSETS
# anvil's public dev key 0 (well known, test only)
KEY=ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
PTY="$PYTHON $ROOT/tests/integration/pty_run.py"

$DEVNET gen-cert --out "$W/gw" >/dev/null || fail "gen-cert"
$PYTHON "$ROOT/tests/devnet/hostile.py" --port 0 --ready-file "$W/gw.ready" \
  --cert "$W/gw.pem" --key "$W/gw.key" &
PIDS+=($!)
for i in $(seq 100); do [ -s "$W/gw.ready" ] && break; sleep 0.1; done
[ -s "$W/gw.ready" ] || fail "hostile gateway did not start"
GW=https://127.0.0.1:$($PYTHON -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$W/gw.ready")
gctl() { curl -sk -XPOST "$GW/_control" -d "$1" | grep -q '"ok"' || fail "control $1"; }
D=(--llm-server-url "$GW" --tls-cert "$W/gw.pem" --no-verify --no-color)
HI='[{"role":"user","content":"hi"}]'

# on_tty [--stdout-file F] -- args...: the CLI with stderr (and stdout) on a
# pseudo-terminal; the terminal's bytes are in $W/tty, the exit code in RC
on_tty() {
  local pre=()
  while [ "$1" != "--" ]; do pre+=("$1"); shift; done
  shift
  $PTY "$W/tty" "${pre[@]}" -- "$OG_BIN" "$@"
  RC=$?
  OUT=$(tr -d '\0' <"$W/tty")
  ERR=$OUT
}
# no_raw FILE what: no byte that drives a terminal (other than the
# spinner's own line clearing, CR ESC [ K) reached FILE. With a third
# argument "json", DEL is allowed (JSON writes it as it is; a terminal
# shows nothing for it)
no_raw() {
  "$PYTHON" - "$1" "$2" "${3:-}" <<'PY' || fail "$2: raw control bytes reached the terminal"
import re, sys
d = open(sys.argv[1], "rb").read().replace(b"\r\x1b[K", b"")
if sys.argv[3] == "json":
    d = d.replace(b"\x7f", b"")
bad = {"ESC": b"\x1b", "BEL": b"\x07", "NUL": b"\x00", "DEL": b"\x7f",
       "C1 (UTF-8)": re.compile(rb"\xc2[\x80-\x9f]"),
       "raw C1 byte 0x9b": re.compile(rb"(?<![\xc2-\xf4\x80-\xbf])\x9b"),
       "bidi": re.compile(rb"\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")}
for name, pat in bad.items():
    hit = pat.search(d) if hasattr(pat, "search") else (pat in d)
    if hit:
        print("%s: %s in %r" % (sys.argv[2], name, d[:600]), file=sys.stderr)
        sys.exit(1)
PY
}
# has FILE fixed-string what
has() { grep -qaF -- "$2" "$1" || fail "$3: lacks '$2' in: $(tr -d '\0' <"$1" | head -c 900)"; }
# the visible form of hostile.py's EVIL (one-line fields escape \n and \t)
VIS='A\x1b]0;pwned\x07B\x1b[2JC\u009b31mD\u202eE\u2066F\x00G\x7fH'
# names and the finish reason are C strings in the library: cut at the NUL
VIS0='A\x1b]0;pwned\x07B\x1b[2JC\u009b31mD\u202eE\u2066F'
# the raw bytes of EVIL
printf 'A\033]0;pwned\007B\033[2JC\302\23331mD\342\200\256E\342\201\246F\000G\177H\nline2\ttab' > "$W/evil.bin"
contains_bytes() { # file needle-file what
  "$PYTHON" -c 'import sys; sys.exit(0 if open(sys.argv[2],"rb").read() in open(sys.argv[1],"rb").read() else 1)' "$1" "$2" ||
    fail "$3: the bytes are not there byte for byte"
}

# --- 11. answer text, tool call, finish reason on a terminal ---
gctl '{"reset": true, "mode": "evil"}'
on_tty -- chat "${D[@]}" --model openai/gpt-5 --messages "$HI"
expect_rc 0 "hostile chat on a terminal"
no_raw "$W/tty" "chat on a terminal"
has "$W/tty" "$VIS" "the answer made visible"
has "$W/tty" "line2	tab" "newline and tab kept in the answer"
has "$W/tty" "Function: fn$VIS0" "the tool name made visible"
has "$W/tty" "Arguments: {\"q\":\"$VIS" "the tool arguments made visible"
has "$W/tty" "tool_calls$VIS0" "the finish reason made visible"
ok "chat: answer, tool call and finish reason made visible on a terminal"

on_tty -- completion "${D[@]}" --model openai/gpt-5 --prompt hi
expect_rc 0 "hostile completion on a terminal"
no_raw "$W/tty" "completion on a terminal"
has "$W/tty" "$VIS" "the completion made visible"
ok "completion made visible on a terminal"

# --raw: the answer text as sent; the rest stays visible
on_tty -- chat "${D[@]}" --model openai/gpt-5 --messages "$HI" --raw
expect_rc 0 "--raw on a terminal"
contains_bytes "$W/tty" "$W/evil.bin" "--raw writes the answer raw"
has "$W/tty" "Function: fn$VIS0" "--raw leaves the tool name visible"
has "$W/tty" "tool_calls$VIS0" "--raw leaves the finish reason visible"
ok "--raw shows the answer text raw (only the answer)"

# stdout to a file, stderr on the terminal: the answer is byte-exact
on_tty --stdout-file "$W/out.txt" -- chat "${D[@]}" --model openai/gpt-5 --messages "$HI"
expect_rc 0 "chat into a file"
contains_bytes "$W/out.txt" "$W/evil.bin" "chat into a file"
no_raw "$W/tty" "stderr next to a file"
on_tty --stdout-file "$W/out.txt" -- completion "${D[@]}" --model openai/gpt-5 --prompt hi
expect_rc 0 "completion into a file"
contains_bytes "$W/out.txt" "$W/evil.bin" "completion into a file"
ok "into a file the answer is byte-exact (ESC, C1, bidi, NUL kept)"

# streaming: the text arrives in pieces that split the sequences
gctl '{"mode": "evil_stream"}'
on_tty -- chat "${D[@]}" --model openai/gpt-5 --messages "$HI" --stream
expect_rc 0 "hostile stream on a terminal"
no_raw "$W/tty" "stream on a terminal"
has "$W/tty" "Finish reason: stop$VIS0" "the streamed finish reason made visible"
has "$W/tty" '\u202eE' "streamed bidi override made visible"
on_tty --stdout-file "$W/out.txt" -- chat "${D[@]}" --model openai/gpt-5 --messages "$HI" --stream
expect_rc 0 "stream into a file"
contains_bytes "$W/out.txt" "$W/evil.bin" "stream into a file"
on_tty -- chat "${D[@]}" --model openai/gpt-5 --messages "$HI" --stream --raw
expect_rc 0 "stream --raw"
contains_bytes "$W/tty" "$W/evil.bin" "stream --raw"
ok "streamed answer: visible on a terminal, raw with --raw, byte-exact into a file"

# --json on a terminal: non-ASCII as \uXXXX escapes, the same JSON
# json_tty what: every JSON line on the terminal parses, and the final one's
# chat_output content is hostile.py's EVIL exactly
json_tty() {
  "$PYTHON" - "$W/tty" "$W/evil.bin" <<'PY' || fail "$1: JSON on the terminal"
import json, sys
d = open(sys.argv[1], "rb").read()
evil = open(sys.argv[2], "rb").read().decode()
lines = [l for l in d[d.index(b"{"):].split(b"\n") if l.strip()]
objs = [json.loads(l) for l in lines]
assert objs[-1]["chat_output"]["content"] == evil, objs[-1]["chat_output"]
PY
}
gctl '{"mode": "evil"}'
on_tty -- chat "${D[@]}" --model openai/gpt-5 --messages "$HI" --json
expect_rc 0 "--json on a terminal"
no_raw "$W/tty" "--json on a terminal" json
json_tty "--json"
gctl '{"mode": "evil_stream"}'
on_tty -- chat "${D[@]}" --model openai/gpt-5 --messages "$HI" --json --stream
expect_rc 0 "--stream --json on a terminal"
no_raw "$W/tty" "--stream --json on a terminal" json
json_tty "--stream --json"
ok "--json on a terminal: escapes only, the same JSON"

# error messages: stderr is always made safe (terminal or file)
gctl '{"mode": "evil_error"}'
on_tty -- chat "${D[@]}" --model openai/gpt-5 --messages "$HI"
expect_rc 6 "hostile error message"
no_raw "$W/tty" "error message on a terminal"
has "$W/tty" 'pwned\x07B' "the error message made visible"
run_og chat "${D[@]}" --model openai/gpt-5 --messages "$HI"
expect_rc 6 "hostile error message into a pipe"
printf '%s' "$ERR" > "$W/err.txt"
no_raw "$W/err.txt" "stderr into a pipe"
expect_one_err_line "hostile error message"
gctl '{"mode": "evil_text"}'
on_tty -- chat "${D[@]}" --model openai/gpt-5 --messages "$HI"
expect_rc 6 "hostile text error"
no_raw "$W/tty" "text error on a terminal"
has "$W/tty" 'bad \x1b[31mgateway\x9b2J \u202e reversed' "raw C1 byte and U+202E made visible"
ok "error messages: ESC, C1 CSI and U+202E made visible on stderr"

# --- 11. the registry endpoint in tee show ---
$DEVNET start --dir "$W/d" --tees 1 >/dev/null || fail "devnet start"
. "$W/d/env"
export OG_RPC_URL OG_TEE_REGISTRY
EP=$(printf 'https://127.0.0.1:1/\033]0;pwned\007\302\2332J\342\200\256x')
$DEVNET add-tee --dir "$W/d" --endpoint "$EP" > "$W/add.env" || fail "add-tee"
EVIL_ID=$(grep -o 'TEE_1_ID=[^ ]*' "$W/add.env" | cut -d= -f2 | tr -d "'\"")
[ -n "$EVIL_ID" ] || fail "no id from add-tee: $(cat "$W/add.env")"
on_tty -- tee show "$EVIL_ID" --no-color
expect_rc 0 "tee show of a hostile endpoint"
no_raw "$W/tty" "tee show on a terminal"
has "$W/tty" 'Endpoint:          https://127.0.0.1:1/\x1b]0;pwned\x07\u009b2J\u202ex' "the endpoint made visible"
run_og tee show "$EVIL_ID" --json
expect_rc 0 "tee show --json"
json_check "d['endpoint'] == 'https://127.0.0.1:1/\\x1b]0;pwned\\x07\\x9b2J\\u202ex'" "the endpoint exact in JSON"
on_tty -- tee list --no-color
expect_rc 0 "tee list"
no_raw "$W/tty" "tee list on a terminal"
ok "tee show: a hostile registry endpoint made visible"

# --- 12. secret files ---
gctl '{"mode": "ok"}'
printf '{"private_key": "%s"}\n' "$KEY" > "$W/.opengradient_config.json"
chmod 644 "$W/.opengradient_config.json"
run_og chat "${D[@]}" --model openai/gpt-5 --messages "$HI"
expect_rc 1 "0644 config holding a key"
expect_err "chmod 600 $W/.opengradient_config.json" "the fix in the message"
expect_one_err_line "0644 config"
chmod 660 "$W/.opengradient_config.json"
run_og chat "${D[@]}" --model openai/gpt-5 --messages "$HI"
expect_rc 1 "0660 config holding a key"
chmod 600 "$W/.opengradient_config.json"
run_og chat "${D[@]}" --model openai/gpt-5 --messages "$HI"
expect_rc 0 "0600 config"
# every secret counts: a password alone is enough to refuse the file
printf '{"email": "a@b.c", "password": "hunter2"}\n' > "$W/.opengradient_config.json"
chmod 640 "$W/.opengradient_config.json"
run_og chat "${D[@]}" --model openai/gpt-5 --messages "$HI"
expect_rc 1 "0640 config holding a password"
expect_err "chmod 600" "the fix in the message"
# a config without a secret is not refused
printf '{"email": "a@b.c"}\n' > "$W/.opengradient_config.json"
chmod 644 "$W/.opengradient_config.json"
run_og chat "${D[@]}" --model openai/gpt-5 --messages "$HI"
expect_rc 0 "0644 config without a secret"
rm -f "$W/.opengradient_config.json"
ok "a config holding a key open to group or others is refused (chmod 600 fix)"

printf '%s\n' "$KEY" > "$W/key"
chmod 644 "$W/key"
run_og chat "${D[@]}" --model openai/gpt-5 --messages "$HI" --private-key-file "$W/key"
expect_rc 1 "0644 --private-key-file"
expect_err "chmod 600 $W/key" "the fix in the message"
expect_err "--private-key-file" "names the option"
chmod 604 "$W/key"
run_og chat "${D[@]}" --model openai/gpt-5 --messages "$HI" --private-key-file "$W/key"
expect_rc 1 "0604 --private-key-file"
chmod 600 "$W/key"
run_og chat "${D[@]}" --model openai/gpt-5 --messages "$HI" --private-key-file "$W/key"
expect_rc 0 "0600 --private-key-file"
ok "a --private-key-file open to group or others is refused; 0600 accepted"

# the relay token counts too (refused before any network access)
printf 'tok123\n' > "$W/tok"
chmod 644 "$W/tok"
run_og chat --model openai/gpt-5 --messages "$HI" --relay-url https://127.0.0.1:1 \
  --relay-token-file "$W/tok" --rpc-url http://127.0.0.1:1
expect_rc 1 "0644 --relay-token-file"
expect_err "chmod 600 $W/tok" "the fix in the message"
printf '{"relay_url": "https://127.0.0.1:1", "relay_token": "tok123"}\n' > "$W/.opengradient_config.json"
chmod 644 "$W/.opengradient_config.json"
run_og chat --model openai/gpt-5 --messages "$HI" --rpc-url http://127.0.0.1:1
expect_rc 1 "0644 config holding a relay token"
expect_err "chmod 600" "the fix in the message"
rm -f "$W/.opengradient_config.json"
ok "a relay token file or config open to group or others is refused"
# not dumpable while a key is loaded: the kernel then gives /proc/PID/* to
# root instead of the process's user (needs root to run it as nobody).
# nobody runs a copy of the command: the build folder may sit in a private
# (0700) temporary folder, as a fresh clone from mktemp -d does.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  mkdir "$W/nb" && cp "$W/key" "$W/gw.pem" "$W/nb/" &&
    cp "$OG_BIN" "$W/nb/opengradient" && chmod 711 "$W" &&
    chown -R 65534:65534 "$W/nb" || fail "nobody's files"
  gctl '{"mode": "trickle", "trickle_s": 0.5}'
  # proc_owner [key-args...]: owner of /proc/PID once the command is waiting
  proc_owner() {
    local pid owner="" i
    setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$W/nb" \
      "$W/nb/opengradient" chat --llm-server-url "$GW" \
      --tls-cert "$W/nb/gw.pem" \
      --no-verify --model openai/gpt-5 --messages "$HI" --max-time 20 "$@" \
      >/dev/null 2>&1 </dev/null &
    pid=$!
    for i in $(seq 50); do # the request is sent after any key was loaded
      curl -sk "$GW/_stats" | grep -q '"path"' && break
      sleep 0.1
    done
    owner=$(stat -c %u "/proc/$pid/status" 2>/dev/null)
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    echo "$owner"
  }
  gctl '{"reset": true, "mode": "trickle", "trickle_s": 0.5}'
  [ "$(proc_owner)" = 65534 ] || fail "without a key the process should stay dumpable (control)"
  gctl '{"reset": true, "mode": "trickle", "trickle_s": 0.5}'
  [ "$(proc_owner --private-key-file "$W/nb/key")" = 0 ] ||
    fail "the process is dumpable while it holds a key"
  gctl '{"reset": true}'
  ok "the process is not dumpable while a key is loaded"
else
  echo "# not root: the dumpable check is skipped"
fi
echo "$TESTS_RUN checks passed"
