#!/usr/bin/env bash
# `models`: the SDK's TEE_LLM table, human (one id per line) and --json;
# a --model outside the table is still sent, with a warning under -v.
. "$(dirname "$0")/lib.sh"
export HOME=$(mktemp -d)
trap 'rm -rf "$HOME"' EXIT

run_og models
expect_rc 0 "models"
[ "$(printf '%s\n' "$OUT" | wc -l)" = 48 ] || fail "models: 48 lines expected"
printf '%s\n' "$OUT" | grep -qx 'openai/gpt-5' || fail "models lists openai/gpt-5"
printf '%s\n' "$OUT" | grep -qx 'zai/glm-image' || fail "models lists zai/glm-image"
printf '%s\n' "$OUT" | grep -vqE '^[a-z0-9-]+/[a-z0-9.-]+$' && fail "every line is provider/model"
ok "models: one provider/model per line"

run_og models --json
expect_rc 0 "models --json"
json_check 'len(d) == 48 and all(sorted(x) == ["id", "kind", "provider"] for x in d)' "array of {id, provider, kind}"
json_check '{x["id"]: x["kind"] for x in d}["openai/gpt-image-2"] == "image" and {x["id"]: x["kind"] for x in d}["openai/gpt-5"] == "chat"' "kinds"
json_check 'all(x["id"].startswith(x["provider"] + "/") for x in d)' "provider prefix"
json_check 'sum(x["kind"] == "image" for x in d) == 7' "seven image models"
ok "models --json"

run_og models --help
expect_rc 0 "models --help"; expect_out "Usage: opengradient" "help on stdout"
run_og models extra
expect_rc 1 "models with an argument"
ok "models takes no arguments"

# an unknown model is not refused before the network; with -v it is named
run_og -v chat --model acme/unknown-1 --messages '[{"role":"user","content":"hi"}]' \
  --rpc-url http://127.0.0.1:1 --timeout 2
expect_err "acme/unknown-1" "warning names the unknown model"
expect_err "not in the known model table" "warning says why"
run_og chat --model acme/unknown-1 --messages '[{"role":"user","content":"hi"}]' \
  --rpc-url http://127.0.0.1:1 --timeout 2
echo "$ERR" | grep -q "known model table" && fail "no warning without -v"
run_og -v chat --model openai/gpt-5 --messages '[{"role":"user","content":"hi"}]' \
  --rpc-url http://127.0.0.1:1 --timeout 2
echo "$ERR" | grep -q "known model table" && fail "no warning for a known model"
ok "unknown --model: sent, warned under -v only"
echo "all models tests passed ($TESTS_RUN)"
