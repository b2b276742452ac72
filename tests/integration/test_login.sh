#!/usr/bin/env bash
# login: a test plays the browser page (CORS preflight, a POST that is not
# a bundle, the bundle from a wrong Origin, then the right one); the token
# and settings land in the config file (0600, other keys kept). No network
# beyond loopback.
. "$(dirname "$0")/lib.sh"
export HOME=$(mktemp -d)
LOGIN_PID=
cleanup() { [ -n "$LOGIN_PID" ] && kill "$LOGIN_PID" 2>/dev/null; rm -rf "$HOME"; }
trap cleanup EXIT
unset OG_RELAY_URL OG_RELAY_TOKEN
CFG=$HOME/.opengradient_config.json
printf '{"email": "keep@example.org"}\n' >"$CFG"
chmod 600 "$CFG"
APP=http://127.0.0.1:9

"$OG_BIN" login --no-browser --chat-app-url "$APP/" --timeout 30 \
  >"$HOME/out" 2>"$HOME/err" </dev/null &
LOGIN_PID=$!
for _ in $(seq 1 100); do
  grep -q redirect_uri "$HOME/out" 2>/dev/null && break
  sleep 0.1
done
LINE=$(grep redirect_uri "$HOME/out") || fail "login printed no URL: $(cat "$HOME/err")"
[[ "$LINE" =~ ^$APP/cli-auth\?redirect_uri=http://127\.0\.0\.1:([0-9]+)/\&app_name=opengradient-c$ ]] ||
  fail "login URL shape: $LINE"
PORT=${BASH_REMATCH[1]}
ok "login prints the sign-in URL with its loopback port ($PORT)"

"$PYTHON" - "$PORT" "$APP" <<'PY' || fail "the browser side"
import http.client, json, sys
port, app = int(sys.argv[1]), sys.argv[2]
def req(method, body=None, origin=app, ctype="application/json"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    h = {"Origin": origin}
    if body is not None:
        h["Content-Type"] = ctype
    c.request(method, "/", body=body, headers=h)
    r = c.getresponse(); data = r.read(); c.close()
    return r.status, dict(r.getheaders()), data
s, h, _ = req("OPTIONS")
assert s == 204, s
assert h.get("Access-Control-Allow-Origin") == app, h
assert "POST" in h.get("Access-Control-Allow-Methods", ""), h
assert "Content-Type" in h.get("Access-Control-Allow-Headers", ""), h
print("ok - preflight 204 with the CORS headers")
s, _, _ = req("POST", json.dumps({"type": "something-else", "access_token": "t"}))
assert s == 400, s
s, _, _ = req("POST", "not json")
assert s == 400, s
print("ok - a POST that is not a bundle: 400, still waiting")
bundle = {"type": "opengradient-cli-auth", "access_token": "tok-123.secret",
          "refresh_token": "r", "token_type": "bearer", "expires_in": 3600,
          "user": {"id": "u1", "email": "alice@example.org"},
          "config": {"chat_api_base_url": "https://relay.example.org",
                     "tee_registry_rpc_url": "https://rpc.example.org",
                     "tee_registry_address": "0x1111111111111111111111111111111111111111"}}
s, _, _ = req("POST", json.dumps(bundle), origin="http://evil.example")
assert s == 403, s
print("ok - the bundle from a wrong Origin: 403, still waiting")
s, h, data = req("POST", json.dumps(bundle))
assert s == 200, (s, data)
assert h.get("Access-Control-Allow-Origin") == app, h
print("ok - the bundle from the chat app: 200")
PY
wait "$LOGIN_PID"; RC=$?; LOGIN_PID=
OUT=$(cat "$HOME/out"); ERR=$(cat "$HOME/err")
expect_rc 0 "login exit code"
expect_out "Logged in as alice@example.org" "login says who"
[ "$(stat -c %a "$CFG")" = 600 ] || fail "config mode $(stat -c %a "$CFG")"
OUT=$(cat "$CFG")
json_check 'd["relay_token"] == "tok-123.secret" and d["relay_url"] == "https://relay.example.org" and d["rpc_url"] == "https://rpc.example.org" and d["tee_registry"] == "0x1111111111111111111111111111111111111111" and d["email"] == "keep@example.org"' "config holds the token and settings, other keys kept"
ok "login stores relay_token, relay_url, rpc_url, tee_registry (0600, other keys kept)"
grep -q "tok-123" "$HOME/out" "$HOME/err" && fail "the token was printed"
ok "the token is not printed"

run_og login --no-browser --chat-app-url "$APP" --timeout 1
expect_rc 7 "no sign-in within the timeout"
expect_err "no sign-in within 1 s" "timeout message"
ok "no sign-in: exit 7 after --timeout"

run_og login --no-browser --chat-app-url "ftp:/x"
expect_rc 1 "bad --chat-app-url"
expect_err "--chat-app-url" "names the option"
run_og login --no-browser --port 70000
expect_rc 1 "bad --port"
ok "bad --chat-app-url / --port: exit 1"
echo "# $TESTS_RUN tests"
