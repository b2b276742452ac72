#!/usr/bin/env bash
# `opengradient serve` against the devnet's gateway stand-ins: the official
# openai npm client unchanged (chat, streamed chat, streamed tool calls
# assembled by the client, completion, models.list()); curl for the
# errors (400, 401, 404, 413, 429, 431, 502 / error event on a bad
# signature), payments through the stand-in's x402 mode (once per request,
# --budget refusing with nothing sent), SIGTERM draining, N concurrent
# streams (2,000; 200 under ASan) with the metrics counting them.
. "$(dirname "$0")/lib.sh"
ulimit -n "$(ulimit -Hn)" 2>/dev/null
. "$ROOT/tests/integration/llm_lib.sh"
BUILD=${OG_BUILD:-$ROOT/build}
N=2000
case "$BUILD" in *asan*) N=200 ;; esac
NOFILE=$(ulimit -n)
if [ "$NOFILE" != unlimited ] && [ "$NOFILE" -lt $((2 * N + 200)) ]; then
  N=$(( (NOFILE - 200) / 2 ))
  echo "note: RLIMIT_NOFILE hard limit is $NOFILE; scaled down to $N streams"
fi
export OG_TEE_ID=$TEE_0_ID
SPID=

start_serve() { # serve options...: sets SPID, URL, PORT
  ${SERVE_PREFIX:-} "$OG_BIN" serve --listen 127.0.0.1:0 --json "$@" >"$W/s.out" 2>"$W/s.err" &
  SPID=$!
  local i
  for i in $(seq 300); do
    grep -q listening "$W/s.out" 2>/dev/null && break
    kill -0 "$SPID" 2>/dev/null || fail "serve $*: exited: $(cat "$W/s.err")"
    sleep 0.1
  done
  URL=$("$PYTHON" -c 'import json,sys; print(json.loads(sys.stdin.readline())["listening"])' <"$W/s.out") \
    || fail "serve $*: no listening line: $(cat "$W/s.out")"
  PORT=${URL##*:}
}
stop_serve() { # sets SRC (exit code of serve)
  kill -TERM "$SPID" 2>/dev/null
  wait "$SPID"
  SRC=$?
  SPID=
  [ "$SRC" = 0 ] || fail "serve exited $SRC: $(grep -v '^127.0.0.1 ' "$W/s.err" | tail -5)"
  case "$(cat "$W/s.err")" in
    *"$KEYHEX"*|*"Hello from"*|*"Echo:"*|*"sekrit"*)
      fail "the access log holds a key, a prompt or an answer" ;;
  esac
}
serve_cleanup() {
  [ -n "${TEE_0_GATEWAY_PID:-}" ] && kill -CONT "$TEE_0_GATEWAY_PID" 2>/dev/null
  [ -n "$SPID" ] && kill -KILL "$SPID" 2>/dev/null
  llm_cleanup
}
trap serve_cleanup EXIT

# req METHOD PATH [curl args...]: sets CODE and OUT (the body)
req() {
  local m=$1 p=$2
  shift 2
  OUT=$(curl -s -o "$W/body" -w '%{http_code}' -X "$m" "$@" "$URL$p") || true
  CODE=$OUT
  OUT=$(cat "$W/body")
}
expect_error() { # status description
  [ "$CODE" = "$1" ] || fail "$2: HTTP $CODE, expected $1: $OUT"
  json_check "set(d) == {'error'} and set(d['error']) >= {'message', 'type', 'code'} and d['error']['message']" "$2: OpenAI error shape"
}
metric() { # NAME-with-labels: sets M
  M=$(curl -s "$URL/metrics" | awk -v k="$1" '$1 == k {print $2}')
}
CHAT='{"model":"gpt-5","messages":[{"role":"user","content":"Hello from curl"}]}'
SCHAT='{"model":"gpt-5","stream":true,"messages":[{"role":"user","content":"Hello from curl"}]}'

# ---------------------------------------------------------------- usage
run serve --listen 0.0.0.0:0
expect_rc 1 "non-loopback listen without a key"
expect_err "api-key-file" "names --api-key-file"
run serve --listen nonsense
expect_rc 1 "bad --listen"
run serve --max-concurrent 0
expect_rc 1 "bad --max-concurrent"
ok "usage errors: non-loopback without a key, bad --listen, bad --max-concurrent"

# ------------------------------------------------- the openai npm client
start_serve
OUT=$(node "$ROOT/tests/integration/serve_openai.mjs" "$URL" unused 2>"$W/node.err") \
  || fail "openai client: $(cat "$W/node.err")"
json_check "'openai/gpt-5' in d['models']" "models.list()"
json_check "d['chat']['content'] == 'Echo: Hello from openai' and d['chat']['verified'] is True and d['chat']['tee']['id'] == '$TEE_0_ID' and d['chat']['object'] == 'chat.completion' and d['chat']['id']" "chat"
json_check "d['stream']['text'] == 'Echo: Hello from openai' and d['stream']['verified'] is True and d['stream']['tee_id'] == '$TEE_0_ID' and d['stream']['finish'] == 'stop' and d['stream']['chunks'] > 2" "streamed chat"
json_check "d['tools'] and d['tools'][0]['name'] == 'get_weather' and json.loads(d['tools'][0]['arguments'])" "streamed tool calls assembled by the client"
json_check "d['completion']['text'] == 'Echo: Say hi' and d['completion']['verified'] is True and d['completion']['object'] == 'text_completion'" "completion"
json_check "d['completion_stream']['text'] == 'Echo: Say hi' and d['completion_stream']['verified'] is True" "streamed completion"
ok "openai npm client: models.list, chat, stream, streamed tool calls, completion (also streamed)"

# --------------------------------------------------------- curl: errors
req POST /v1/chat/completions -i -d "$CHAT"
grep -qi '^X-OpenGradient-Verified: true' <<<"$OUT" || fail "verified header: $OUT"
grep -qi "^X-OpenGradient-TEE-Id: $TEE_0_ID" <<<"$OUT" || fail "TEE id header: $OUT"
req POST /v1/chat/completions -d '{"model": "gpt-5", "messages": [' 
expect_error 400 "bad JSON"
req POST /v1/chat/completions -d '{"messages":[{"role":"user","content":"x"}]}'
expect_error 400 "missing model"
req POST /v1/chat/completions -d '{"model":"no-such-model","messages":[{"role":"user","content":"x"}]}'
expect_error 400 "unknown bare model"
req GET /v1/nothing
expect_error 404 "unknown route"
req GET /v1/chat/completions
expect_error 404 "GET on a POST route"
"$PYTHON" -c 'import sys; sys.stdout.write("{\"model\":\"gpt-5\",\"prompt\":\"" + "a" * 4194304 + "\"}")' >"$W/big.json"
req POST /v1/completions --data-binary @"$W/big.json"
expect_error 413 "body over 4 MiB"
req POST /v1/completions -H 'Transfer-Encoding: chunked' --data-binary @"$W/big.json"
expect_error 413 "chunked body over 4 MiB"
req GET /v1/models -H "X-Big: $(head -c 17000 /dev/zero | tr '\0' a)"
expect_error 431 "headers over 16 KiB"
req GET /healthz
json_check "d == {'status': 'ok', 'tees': 1}" "healthz (one TEE: --tee-id)"
ok "curl: headers, 400 bad JSON / missing model, 404, 413 (length and chunked), 431, healthz"

# --------------------------------------------- verification failures
ctl 0 '{"fault": "bad_sig"}'
req POST /v1/chat/completions -d "$CHAT"
expect_error 502 "bad signature, not streamed"
grep -q "Echo" <<<"$OUT" && fail "an unverified answer was released: $OUT"
req POST /v1/chat/completions -d "$SCHAT"
[ "$CODE" = 200 ] || fail "stream: HTTP $CODE"
grep -q '^data: {"error"' <<<"$OUT" || fail "no error event: $OUT"
grep -q '\[DONE\]' <<<"$OUT" && fail "[DONE] after a failed verification: $OUT"
grep -q '"verified"' <<<"$OUT" && fail "a final chunk went out: $OUT"
OUT=$(node -e '
import("openai").then(async ({default: OpenAI}) => {
  const c = new OpenAI({baseURL: process.argv[1] + "/v1", apiKey: "x", maxRetries: 0});
  let r = {};
  try { await c.chat.completions.create({model: "gpt-5", messages: [{role: "user", content: "x"}]}); r.ok = 1; }
  catch (e) { r.status = e.status; r.type = e.type; }
  console.log(JSON.stringify(r));
})' "$URL" 2>&1)
json_check "d == {'status': 502, 'type': 'upstream_error'}" "the openai client sees the 502"
ctl 0 '{"fault": null}'
metric opengradient_verification_failures_total
[ "$M" = 3 ] || fail "verification failures metric: $M"
ok "verification failure: 502 with the error shape (the openai client raises it); stream: error event, no [DONE]; metric counts 3"
stop_serve
[ "$SRC" = 0 ] || fail "serve exit $SRC"
grep -q '"POST /v1/chat/completions" 200' "$W/s.err" || fail "no access log line: $(head -3 "$W/s.err")"

# --------------------------------------------------------- the API key
umask 077
printf 'sekrit-key-123\n' >"$W/key"
start_serve --api-key-file "$W/key"
req GET /v1/models
expect_error 401 "no key"
req GET /v1/models -H 'Authorization: Bearer wrong-key-123'
expect_error 401 "wrong key"
req POST /v1/chat/completions -H 'Authorization: Bearer sekrit-key-12' -d "$CHAT"
expect_error 401 "a prefix of the key"
req GET /v1/models -H 'Authorization: Bearer sekrit-key-123'
[ "$CODE" = 200 ] || fail "right key: $CODE"
req GET /healthz
[ "$CODE" = 200 ] || fail "healthz needs no key: $CODE"
stop_serve
chmod 644 "$W/key"
run serve --api-key-file "$W/key"
expect_rc 1 "key file readable by others"
ok "--api-key-file: 401 without, with a wrong key and a prefix; 200 with it; healthz open; 0644 refused"

# ------------------------------------------------------ --max-concurrent
start_serve --max-concurrent 1
ctl 0 '{"bench_delay": 0.2}'
curl -sN "$URL/v1/chat/completions" -d '{"model":"bench/bench-8","stream":true,"messages":[{"role":"user","content":"x"}]}' >"$W/slow" &
CPID=$!
for i in $(seq 50); do metric opengradient_inflight_requests; [ "$M" = 1 ] && break; sleep 0.1; done
[ "$M" = 1 ] || fail "the slow stream is not in flight"
req POST /v1/chat/completions -d "$CHAT"
expect_error 429 "past --max-concurrent"
wait $CPID
tail -c 200 "$W/slow" | grep -q '\[DONE\]' || fail "the first stream did not finish"
ok "429 past --max-concurrent, the stream in flight unaffected"

# ------------------------------------------------------ SIGTERM drain
curl -sN "$URL/v1/chat/completions" -d '{"model":"bench/bench-10","stream":true,"messages":[{"role":"user","content":"x"}]}' >"$W/drain" &
CPID=$!
for i in $(seq 50); do metric opengradient_inflight_requests; [ "$M" = 1 ] && break; sleep 0.1; done
kill -TERM "$SPID"
sleep 0.3
curl -s -m 5 "$URL/healthz" >/dev/null
[ $? = 7 ] || fail "a new connection was accepted while draining"
wait $CPID
tail -c 200 "$W/drain" | grep -q '\[DONE\]' || fail "the in-flight stream was cut: $(tail -c 300 "$W/drain")"
grep -q '"verified":true' "$W/drain" || fail "drained stream not verified"
wait "$SPID"
SRC=$?
SPID=
[ "$SRC" = 0 ] || fail "serve after SIGTERM: exit $SRC"
ctl 0 '{"bench_delay": 0}'
ok "SIGTERM: new connections refused, the in-flight stream finished with [DONE], exit 0"

# ------------------------------------------------------------ payments
ctl 0 '{"x402": true, "reset_stats": true, "reset_sessions": true}'
start_serve
req POST /v1/chat/completions -d "$CHAT"
[ "$CODE" = 200 ] || fail "paid request: $CODE $OUT"
stats 0
pycheck "S['payments_received'] == 1 and S['payment_required_sent'] == 1" "one payment for one request"
req POST /v1/chat/completions -d "$SCHAT"
grep -q '\[DONE\]' <<<"$OUT" || fail "paid stream: $OUT"
stats 0
pycheck "S['payments_received'] == 1 and S['session_uses'] >= 1" "the X-Upto session pays the next request, no new signature"
metric opengradient_payments_total
[ "$M" = 1 ] || fail "payments metric $M"
metric opengradient_paid_base_units_total
[ "$M" = 100000000000000000 ] || fail "paid metric $M"
stop_serve
ctl 0 '{"reset_stats": true, "reset_sessions": true}'
start_serve --budget 99999999999999999
req POST /v1/chat/completions -d "$CHAT"
expect_error 402 "over --budget"
grep -q budget <<<"$OUT" || fail "402 does not say budget: $OUT"
req POST /v1/chat/completions -d "$SCHAT"
grep -q '^data: {"error"' <<<"$OUT" || fail "stream over budget: no error event: $OUT"
stats 0
pycheck "S['payments_received'] == 0 and S['payment_rejections'] == []" "nothing sent over the budget"
metric opengradient_payments_total
[ "$M" = 0 ] || fail "payments metric over budget: $M"
stop_serve

# after SIGTERM, a request that needs a new signature gets 503: it came
# in before, and its 402 arrives after (the stand-in is stopped meanwhile)
ctl 0 '{"reset_stats": true, "reset_sessions": true}'
start_serve
kill -STOP "$TEE_0_GATEWAY_PID"
curl -s -o "$W/late" -w '%{http_code}' "$URL/v1/chat/completions" -d "$CHAT" >"$W/late.code" &
CPID=$!
for i in $(seq 50); do metric opengradient_inflight_requests; [ "$M" = 1 ] && break; sleep 0.05; done
kill -TERM "$SPID"
sleep 0.3
kill -CONT "$TEE_0_GATEWAY_PID"
wait $CPID
wait "$SPID"
SRC=$?
SPID=
[ "$SRC" = 0 ] || fail "serve after SIGTERM: exit $SRC"
OUT=$(cat "$W/late"); CODE=$(cat "$W/late.code")
expect_error 503 "a new signature after SIGTERM"
json_check "d['error']['code'] == 'shutting_down'" "503 says shutting down"
stats 0
pycheck "S['payments_received'] == 0 and S['payment_required_sent'] == 1" "no payment sent after SIGTERM"
ctl 0 '{"x402": false, "reset_stats": true, "reset_sessions": true}'
ok "x402: one payment per request, the session reused across clients, metrics; --budget: 402 and nothing sent; after SIGTERM a new signature is refused (503)"

# ------------------------------------------------------ back-pressure
# a client that stops reading a long stream for a while: serve pauses the
# upstream instead of buffering it (or cutting it), then relays the rest
start_serve
OUT=$("$PYTHON" - "$PORT" <<'PY'
import json, socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
body = json.dumps({"model": "bench/bench-300000", "stream": True,
                   "messages": [{"role": "user", "content": "x"}]}).encode()
s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
          b"Content-Length: %d\r\n\r\n" % len(body) + body)
s.recv(4096)
time.sleep(3)  # not reading
n, tail = 0, b""
while True:
    b = s.recv(1 << 20)
    if not b:
        break
    n += len(b)
    tail = (tail + b)[-300:]
print(n, b"[DONE]" in tail, b'"verified":true' in tail)
PY
)
grep -q ' True True$' <<<"$OUT" || fail "slow reader: stream not complete: $OUT"
HWM=$(awk '/VmHWM/ {print $2}' /proc/"$SPID"/status)
stop_serve
case "$BUILD" in
  *asan*) ;;
  *) [ "$HWM" -lt 65536 ] || fail "serve's peak RSS $HWM KiB while a client did not read" ;;
esac
ok "back-pressure: a client that stops reading gets the whole stream later; serve peak RSS ${HWM} KiB"

# a client that never reads again is dropped after --timeout, and its
# upstream with it: it cannot pin a TEE connection forever
start_serve --timeout 2
"$PYTHON" - "$PORT" <<'PY' &
import json, socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
body = json.dumps({"model": "bench/bench-300000", "stream": True,
                   "messages": [{"role": "user", "content": "x"}]}).encode()
s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
          b"Content-Length: %d\r\n\r\n" % len(body) + body)
time.sleep(30)
PY
RPID=$!
for i in $(seq 50); do metric opengradient_inflight_requests; [ "$M" = 1 ] && break; sleep 0.1; done
[ "$M" = 1 ] || fail "the stalled stream never started"
for i in $(seq 100); do metric opengradient_inflight_requests; [ "$M" = 0 ] && break; sleep 0.1; done
[ "$M" = 0 ] || fail "a client that does not read still holds its upstream"
kill "$RPID" 2>/dev/null
wait "$RPID" 2>/dev/null
stop_serve
grep -q 'stream.* aborted' "$W/s.err" || fail "no aborted stream in the access log: $(tail -3 "$W/s.err")"
ok "a client that stops reading for --timeout is dropped with its upstream"

# ------------------------------------------------------------ valgrind
# (normal build only: ASan already watches the ASan build)
case "$BUILD" in
  *asan*) ;;
  *)
    SERVE_PREFIX="valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect"
    start_serve --timeout 30
    req POST /v1/chat/completions -d "$CHAT"
    [ "$CODE" = 200 ] || fail "valgrind: chat $CODE"
    req POST /v1/chat/completions -d "$SCHAT"
    grep -q '\[DONE\]' <<<"$OUT" || fail "valgrind: stream"
    req POST /v1/completions -d '{"model":"gpt-5","prompt":"x","stream":true}'
    grep -q '\[DONE\]' <<<"$OUT" || fail "valgrind: completion stream"
    req POST /v1/chat/completions -d '{"model":'
    expect_error 400 "valgrind: bad JSON"
    stop_serve
    SERVE_PREFIX=
    ok "serve under valgrind: chat, streams, an error, drain: no leak, no error"
    ;;
esac

# -------------------------------------------------- concurrent streams
ctl 0 '{"bench_delay": 0.25}'
start_serve --max-concurrent $((N + 10))
( peak=0; while kill -0 "$SPID" 2>/dev/null; do
    n=$(ls /proc/"$SPID"/fd 2>/dev/null | wc -l)
    [ "$n" -gt "$peak" ] && { peak=$n; echo "$peak" >"$W/peakfd"; }
    sleep 0.2
  done ) &
MON=$!
OUT=$("$PYTHON" "$ROOT/tests/integration/serve_streams.py" 127.0.0.1 "$PORT" "$N" bench/bench-10 2>&1)
grep -q "^$N streams, $N ok, $((N * 11)) chunks$" <<<"$OUT" || fail "$N streams: $OUT"
metric 'opengradient_requests_total{route="/v1/chat/completions",status="200"}'
[ "$M" = "$N" ] || fail "requests metric $M, expected $N"
metric opengradient_inflight_requests
[ "$M" = 0 ] || fail "inflight after: $M"
PEAK=$(cat "$W/peakfd" 2>/dev/null || echo 0)
stop_serve
kill "$MON" 2>/dev/null
wait "$MON" 2>/dev/null
if [ "$N" -ge 2000 ]; then
  [ "$PEAK" -gt 1024 ] || fail "peak descriptors $PEAK: not beyond FD_SETSIZE"
fi
ctl 0 '{"bench_delay": 0}'
ok "$N concurrent verified streams through serve (peak $PEAK descriptors), counted by the metrics"
echo "$TESTS_RUN checks passed"
