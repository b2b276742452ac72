# Helpers for integration tests (sourced). Each test script exits non-zero
# on the first failed expectation and cleans up through its own trap.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OG_BIN=${OG_BIN:-$ROOT/build/bin/opengradient}
PYTHON=${PYTHON:-python3}
TESTS_RUN=0

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { TESTS_RUN=$((TESTS_RUN + 1)); echo "ok - $*"; }

# run_og: runs the CLI, capturing stdout/stderr/exit code in OUT ERR RC.
run_og() {
  local o e
  o=$(mktemp) e=$(mktemp)
  "$OG_BIN" "$@" >"$o" 2>"$e" </dev/null
  RC=$?
  OUT=$(cat "$o"); ERR=$(cat "$e")
  rm -f "$o" "$e"
}

expect_rc() { # code description
  [ "$RC" -eq "$1" ] || fail "$2: exit $RC, expected $1; stderr: $ERR; stdout: ${OUT:0:400}"
}
expect_out() { # grep-pattern description
  grep -qE -- "$1" <<<"$OUT" || fail "$2: stdout lacks /$1/: ${OUT:0:600}"
}
expect_err() {
  grep -qE -- "$1" <<<"$ERR" || fail "$2: stderr lacks /$1/: $ERR"
}
# one line on stderr for a failure
expect_one_err_line() {
  [ "$(grep -c . <<<"$ERR")" -eq 1 ] || fail "$1: expected one stderr line, got: $ERR"
}
# jq-style check with python: json_check 'expr' description (data from $OUT)
json_check() {
  OUT="$OUT" "$PYTHON" -c "
import json, os, sys
d = json.loads(os.environ['OUT'])
ok = eval(sys.argv[1])
sys.exit(0 if ok else 1)" "$1" || fail "$2: JSON check failed: $1 on ${OUT:0:600}"
}
