# Shared setup for the LLM integration tests (sourced after lib.sh): a
# devnet with two TEEs and their gateway stand-ins (payments off), the
# stand-ins' /_control and /_stats, and JSON/layout checks in Python.
DEVNET="$PYTHON $ROOT/tests/devnet/devnet.py"
W=$(mktemp -d)
llm_cleanup() {
  $DEVNET stop --dir "$W/d" >/dev/null 2>&1
  rm -rf "$W"
}
trap llm_cleanup EXIT
export HOME=$W
unset OG_PRIVATE_KEY OG_TEE_ID OG_LLM_SERVER_URL OG_MAX_PAYMENT OG_NETWORKS \
  OG_PAYMENT_RPC_URL NO_COLOR

$DEVNET start --dir "$W/d" --tees 2 --gateways >/dev/null || fail "devnet start"
. "$W/d/env"
export OG_RPC_URL OG_TEE_REGISTRY
# A wallet key is configured but never asked for (payments are off); no
# output may ever contain it.
export OG_PRIVATE_KEY=$OG_DEVNET_PRIVATE_KEY
KEYHEX=${OG_DEVNET_PRIVATE_KEY#0x}
DEAD_RPC=http://127.0.0.1:1

# run: run_og, plus: a private key never appears in any output
run() {
  run_og "$@"
  case "$OUT$ERR" in
    *"$KEYHEX"*) fail "the private key was printed by: $*" ;;
  esac
}

# expect_failure CODE DESC: a failed run (never exit 0), one stderr line,
# and with --json the last stdout line is the error object with that code
expect_failure() {
  expect_rc "$1" "$2"
  grep -q "^opengradient: error: " <<<"$ERR" || fail "$2: no error line: $ERR"
  expect_one_err_line "$2"
  if [ "${JSON_RUN:-0}" = 1 ]; then
    pycheck "L and L[-1] == {'error': {'exit_code': $1, 'message': L[-1]['error']['message']}} and L[-1]['error']['message']" "$2: JSON error object last"
  fi
}

ctl() { # TEE-index JSON: change the stand-in's switches
  local ep=TEE_${1}_ENDPOINT r
  r=$(curl -sk -X POST -H 'Content-Type: application/json' -d "$2" \
      "${!ep}/_control") || fail "control $2: curl failed"
  grep -q '"ok": *true' <<<"$r" || fail "control $2 refused: $r"
}
ctl_reset() { # TEE-index
  ctl "$1" '{"fault": null, "fault_times": null, "delay": 2, "stream_tools": "buffered", "tool_calls": 1, "usage": true, "sign": true, "rules": "2026-04", "chunk_chars": 4, "event_delay": 0, "ensure_ascii": true}'
}
stats() { # TEE-index: the stand-in's counters into STATS
  local ep=TEE_${1}_ENDPOINT
  STATS=$(curl -sk "${!ep}/_stats") || fail "stats: curl failed"
}

# pycheck EXPR DESC: EXPR (Python) over d (stdout as one JSON value), L (each
# stdout line as JSON), out (stdout text), S (the last STATS) must be true.
pycheck() {
  OUT="$OUT" STATS="${STATS:-null}" "$PYTHON" - "$1" <<'PY' || fail "$2: check failed: $1 on ${OUT:0:900}"
import base64, json, os, re, sys
out = os.environ['OUT']
def tryj(s):
    try:
        return json.loads(s)
    except ValueError:
        return None
d = tryj(out)
L = [tryj(x) for x in out.split('\n') if x.strip()]  # not splitlines: U+2028 is text
S = tryj(os.environ['STATS'])
HEX64 = re.compile(r'[0-9a-f]{64}')
def b64len(s):
    return len(base64.b64decode(s, validate=True))
sys.exit(0 if eval(sys.argv[1]) else 1)
PY
}

# expect_layout TEXT DESC: stdout is exactly TEXT, where <N> stands for a
# whole number (token counts the stand-in computes)
expect_layout() {
  OUT="$OUT" EXP="$1" "$PYTHON" -c '
import os, re, sys
pat = re.escape(os.environ["EXP"]).replace(re.escape("<N>"), r"\d+")
sys.exit(0 if re.fullmatch(pat, os.environ["OUT"]) else 1)' ||
    fail "$2: layout differs.
--- expected
$1
--- got
$OUT"
}

RULE=$(printf '\xe2\x94\x80%.0s' $(seq 38))
MODEL=openai/gpt-5
HI='[{"role":"user","content":"Hi"}]'
