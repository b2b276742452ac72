#!/usr/bin/env bash
# The command's contract without network: version, help, usage errors,
# exit codes, --json error objects, config init/show/clear.
. "$(dirname "$0")/lib.sh"
export HOME=$(mktemp -d)
trap 'rm -rf "$HOME"' EXIT
unset OG_PRIVATE_KEY OG_RPC_URL OG_TEE_REGISTRY OG_TEE_ID OG_LLM_SERVER_URL

run_og --version
expect_rc 0 "--version"; [ "$OUT" = "opengradient 1.0.0" ] || fail "version text: $OUT"; ok version

for cmd in "" "chat" "completion" "tee list" "tee show" "tee check" "config init" "verify" "approve"; do
  run_og $cmd --help
  expect_rc 0 "$cmd --help"; expect_out "Usage: opengradient" "$cmd --help on stdout"
done
ok "help on every command"

run_og
expect_rc 1 "no command"; expect_one_err_line "no command"
run_og frobnicate
expect_rc 1 "unknown command"; expect_err "unknown command 'frobnicate'" "names the command"
run_og tee
expect_rc 1 "tee without sub-command"
run_og tee list --bogus
expect_rc 1 "unknown option"; expect_err "--bogus" "names the option"
run_og tee list --rpc-url
expect_rc 1 "missing value"; expect_err "needs a value" "missing value message"
run_og tee list --model openai/gpt-5
expect_rc 1 "option of another command"; expect_err "does not apply" "scope message"
run_og --json frobnicate
expect_rc 1 "json error"
json_check 'd["error"]["exit_code"] == 1 and "frobnicate" in d["error"]["message"]' "json error object"
run_og tee list --timeout abc
expect_rc 1 "bad timeout"; expect_err "--timeout" "names --timeout"
ok "usage errors exit 1 with one clear line"

# config
KEY=ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
printf '%s\n\nme@example.org\nhunter2\n' "0x$KEY" | "$OG_BIN" config init >/dev/null 2>&1 || fail "config init"
F=$HOME/.opengradient_config.json
[ "$(stat -c %a "$F")" = "600" ] || fail "config mode $(stat -c %a "$F")"
"$PYTHON" -c "
import json,sys; d=json.load(open('$F'))
assert d['private_key']=='0x$KEY', d
assert d['alpha_private_key'] is None and d['email']=='me@example.org' and d['password']=='hunter2'
" || fail "config content"
ok "config init writes 0600 with the Python CLI's keys"

run_og config show
expect_rc 0 "config show"
expect_out "^private_key: \*{66}$" "masked key"
expect_out "^alpha_private_key: Not set$" "unset shown as Not set"
expect_out "^email: me@example.org$" "email shown"
expect_out "^password: \*{7}$" "masked password"
grep -q "$KEY" <<<"$OUT$ERR" && fail "config show printed the key"
ok "config show masks secrets"

printf 'nothex\n' | "$OG_BIN" config init >/dev/null 2>&1; [ $? -eq 1 ] || fail "bad key accepted by config init"
[ -f "$F" ] || fail "failed init removed the old config"
ok "config init refuses a malformed key"

run_og config clear
expect_rc 1 "clear without --yes and no terminal"; [ -f "$F" ] || fail "cleared without confirmation"
run_og config clear --yes
expect_rc 0 "clear --yes"; [ ! -f "$F" ] || fail "config still there"
run_og config show
expect_rc 0 "show empty"; expect_out "Config is empty" "empty config message"
ok "config clear"

# --json on init and clear: one object on stdout, nothing else there
OUT=$(printf '%s\n\n\n\n' "0x$KEY" | "$OG_BIN" config init --json 2>/dev/null); RC=$?
expect_rc 0 "config init --json"
json_check "d == {'path': '$F', 'saved': True}" "config init --json object"
run_og config clear --yes --json
expect_rc 0 "config clear --json"
json_check "d == {'path': '$F', 'cleared': True}" "config clear --json object"
run_og config clear --yes --json
json_check "d['cleared'] is False" "config clear --json with nothing to clear"
ok "config init and clear speak JSON with --json"

# make demo shows each command quoted so that it pastes back into a shell
eval "$(sed -n '/^shq()/,/^}/p' "$ROOT/scripts/demo.sh")"
ARGS=(chat --messages '[{"role":"user","content":"it'"'"'s $HOME `x` \\n"}]' --max-tokens 5)
eval "set -- $(shq "${ARGS[@]}")"
[ "$#" -eq "${#ARGS[@]}" ] || fail "demo quoting: $# words for ${#ARGS[@]}"
for i in "${!ARGS[@]}"; do
  j=$((i + 1))
  [ "${!j}" = "${ARGS[$i]}" ] || fail "demo quoting changed word $i: ${!j}"
done
ok "make demo prints commands that paste back exactly"
echo "$TESTS_RUN checks passed"
