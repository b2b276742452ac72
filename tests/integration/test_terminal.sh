#!/usr/bin/env bash
# What a person at a terminal sees: colour only on a terminal (never with
# NO_COLOR, --no-color or --json), a spinner on stderr while waiting, and
# the optional freshness window --max-age on live answers.
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
control() { curl -sk -X POST "https://127.0.0.1:$TEE_0_PORT/_control" -d "$1" >/dev/null; }
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
  OUT=$(cat "$W/tty")
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
echo "$TESTS_RUN checks passed"
