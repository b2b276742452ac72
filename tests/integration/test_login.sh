#!/usr/bin/env bash
# `login`: the loopback listener driven by a test that plays the browser
# (preflight, wrong POSTs, the right one); the config file afterwards; the
# timeout. The chat that then uses the stored relay is in
# test_confidential.sh.
. "$(dirname "$0")/lib.sh"
W=$(mktemp -d)
LPID=
cleanup() { [ -n "$LPID" ] && kill "$LPID" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
export HOME=$W
unset OG_RELAY_URL OG_RELAY_TOKEN
APP=https://chat.example.test
TOK=tok-$RANDOM$RANDOM$RANDOM
BUNDLE='{"type":"opengradient-cli-auth","access_token":"'$TOK'","refresh_token":"r","token_type":"bearer","expires_in":3600,"user":{"id":"u1","email":"alice@example.test"},"config":{"chat_api_base_url":"https://relay.example.test","tee_registry_rpc_url":"http://127.0.0.1:8545","tee_registry_address":"0x5FbDB2315678afecb367f032d93F642f64180aa3"}}'
printf '{"email": "keep@example.test"}\n' >"$W/.opengradient_config.json"
chmod 600 "$W/.opengradient_config.json"

"$OG_BIN" login --no-browser --chat-app-url "$APP/" --timeout 30 >"$W/out" 2>"$W/err" </dev/null &
LPID=$!
"$PYTHON" "$ROOT/tests/integration/login_browser.py" "$W/out" "$APP" "$BUNDLE" >"$W/steps" ||
  fail "browser steps: $(cat "$W/steps") / $(cat "$W/err")"
wait "$LPID"; RC=$?; LPID=
[ "$RC" -eq 0 ] || fail "login exit $RC: $(cat "$W/err")"
grep -q "Logged in as alice@example.test" "$W/out" || fail "who: $(cat "$W/out")"
grep -qF "$TOK" "$W/out" "$W/err" && fail "the token was printed"
ok "login: preflight 204, wrong type 400, not JSON 400, wrong origin 403, bundle 200, exit 0"

CFG=$W/.opengradient_config.json
[ "$(stat -c %a "$CFG")" = 600 ] || fail "config mode $(stat -c %a "$CFG")"
"$PYTHON" - "$CFG" "$TOK" <<'PY' || fail "config contents: $(cat "$CFG")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["relay_token"] == sys.argv[2]
assert d["relay_url"] == "https://relay.example.test"
assert d["rpc_url"] == "http://127.0.0.1:8545"
assert d["tee_registry"] == "0x5FbDB2315678afecb367f032d93F642f64180aa3"
assert d["email"] == "keep@example.test"
PY
ok "config: relay_token, relay_url, rpc_url, tee_registry stored 0600, other keys kept"

# a fixed --port, --json, and a timeout with no login
PORT=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
run_og login --no-browser --port "$PORT" --timeout 1
expect_rc 7 "login timeout"
expect_err "no login arrived" "timeout message"
grep -q "127.0.0.1:$PORT/" <<<"$OUT" || fail "--port not in the URL: $OUT"
ok "no login within --timeout: exit 7; --port used"

run_og login --no-browser --port 70000
expect_rc 1 "bad --port"
run_og login --no-browser --chat-app-url ftp://x
expect_rc 1 "bad --chat-app-url"
ok "bad --port / --chat-app-url: exit 1"

# the whole login under valgrind (not in the ASan build)
case "${OG_BUILD:-}" in *asan*) ;; *)
  if command -v valgrind >/dev/null; then
    rm -f "$CFG"
    valgrind -q --error-exitcode=99 --leak-check=full \
      --errors-for-leak-kinds=definite,indirect \
      "$OG_BIN" login --no-browser --chat-app-url "$APP" --timeout 60 >"$W/out" 2>"$W/err" </dev/null &
    LPID=$!
    "$PYTHON" "$ROOT/tests/integration/login_browser.py" "$W/out" "$APP" "$BUNDLE" >"$W/steps" ||
      fail "valgrind login steps: $(cat "$W/err")"
    wait "$LPID"; RC=$?; LPID=
    [ "$RC" -eq 0 ] || fail "login under valgrind: exit $RC: $(cat "$W/err")"
    ok "login clean under valgrind"
  fi ;;
esac
