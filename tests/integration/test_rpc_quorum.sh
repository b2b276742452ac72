#!/usr/bin/env bash
# Registry reads through several RPCs (--rpc-url repeated, OG_RPC_URL as a
# comma list) with --rpc-quorum: chain B is an anvil fork of the devnet
# chain A, so the registry sits at the same address with the same state.
# Both agree (exit 0, tee list / tee show, and a revert for an unknown id
# is agreed too: exit 3); once B registers one extra TEE and A's head has
# moved past it, the answers at the common block differ (exit 2 naming B
# as scheme://host:port); --rpc-quorum 1 with one RPC down still works;
# heads more than 64 blocks apart are exit 2; a quorum outside
# 1..(number of RPCs) is exit 1. The RPCs are asked at once (two slow
# forwarders see both requests before either answers).
. "$(dirname "$0")/lib.sh"
DEVNET="$PYTHON $ROOT/tests/devnet/devnet.py"
ANVIL=$ROOT/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil
W=$(mktemp -d)
BPID=
cleanup() {
  [ -n "$BPID" ] && kill "$BPID" 2>/dev/null
  $DEVNET stop --dir "$W/a" >/dev/null 2>&1
  rm -rf "$W"
}
trap cleanup EXIT
export HOME=$W
unset OG_TEE_ID OG_LLM_SERVER_URL OG_RPC_QUORUM

$DEVNET start --dir "$W/a" --tees 2 >/dev/null 2>&1 || fail "devnet start"
. "$W/a/env"
export OG_TEE_REGISTRY
A=$OG_RPC_URL
unset OG_RPC_URL
rpc() { # url method params-json
  curl -s -H 'Content-Type: application/json' \
    -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":$3}" "$1"
}
PB=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$ANVIL" --host 127.0.0.1 --port "$PB" --silent --fork-url "$A" >"$W/b.log" 2>&1 &
BPID=$!
B=http://127.0.0.1:$PB
for _ in $(seq 100); do rpc "$B" eth_blockNumber '[]' | grep -q result && break; sleep 0.1; done
rpc "$B" eth_blockNumber '[]' | grep -q result || fail "fork did not start"

run_og tee list --rpc-url "$A" --rpc-url "$B" --json
expect_rc 0 "two RPCs agree"
json_check "len(d) == 2" "both TEEs"
LIST_A=$OUT
run_og tee list --rpc-url "$A" --json
[ "$OUT" = "$LIST_A" ] || fail "the quorum read differs from a single read"
OG_RPC_URL="$A,$B" run_og tee list --json
expect_rc 0 "OG_RPC_URL comma list"
run_og tee show "$TEE_0_ID" --rpc-url "$A" --rpc-url "$B" --rpc-quorum 2
expect_rc 0 "tee show through the quorum"
run_og tee show 0x$(printf '%064d' 7) --rpc-url "$A" --rpc-url "$B"
expect_rc 3 "an unknown TEE: both revert alike"
ok "two RPCs with the same registry agree"

# the RPCs are asked at once, not one after another: two forwarders in
# front of A hold every request 0.4 s and log when each arrives and is
# answered; the second RPC's request must arrive before the first's answer
"$PYTHON" - "$A" "$W/slow.ports" "$W/slow.log" <<'PY' &
import json, sys, threading, time, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
up, ports_file, log_file = sys.argv[1:]
lock = threading.Lock()
def log(ev):
    with lock, open(log_file, "a") as f:
        f.write(json.dumps(ev) + "\n")
def make(name):
    class H(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            method = json.loads(body)["method"]
            log({"rpc": name, "method": method, "ev": "in"})
            time.sleep(0.4)
            req = urllib.request.Request(up, body, {"Content-Type": "application/json"})
            out = urllib.request.urlopen(req).read()
            log({"rpc": name, "method": method, "ev": "out"})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)
    return H
servers = [ThreadingHTTPServer(("127.0.0.1", 0), make(n)) for n in ("p", "q")]
for s in servers:
    threading.Thread(target=s.serve_forever, daemon=True).start()
open(ports_file, "w").write(" ".join(str(s.server_address[1]) for s in servers) + "\n")
time.sleep(120)
PY
SLOWPID=$!
for _ in $(seq 100); do [ -s "$W/slow.ports" ] && break; sleep 0.1; done
read -r SP SQ < "$W/slow.ports" || fail "forwarders did not start"
run_og tee list --rpc-url "http://127.0.0.1:$SP" --rpc-url "http://127.0.0.1:$SQ" --json
kill "$SLOWPID" 2>/dev/null
expect_rc 0 "through the two forwarders"
[ "$OUT" = "$LIST_A" ] || fail "the forwarded quorum read differs"
"$PYTHON" - "$W/slow.log" <<'PY' || fail "the RPCs were asked one after another: $(cat "$W/slow.log")"
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
for m in ("eth_blockNumber", "eth_call"):
    seq = [(e["rpc"], e["ev"]) for e in evs if e["method"] == m]
    assert sorted(seq) == [("p", "in"), ("p", "out"), ("q", "in"), ("q", "out")], (m, seq)
    assert [ev for _, ev in seq[:2]] == ["in", "in"], (m, seq)
PY
ok "the quorum asks its RPCs at once (both requests in before either answers)"

run_og tee list --rpc-url "$A" --rpc-url http://127.0.0.1:1 --rpc-quorum 1 --json
expect_rc 0 "quorum 1, one RPC down"
json_check "len(d) == 2" "quorum 1 list"
run_og tee list --rpc-url "$A" --rpc-url http://127.0.0.1:1
expect_rc 2 "quorum 2, one RPC down"
expect_err "http://127.0.0.1:1" "names the failed RPC"
expect_one_err_line "one down"
ok "--rpc-quorum 1 with one RPC down works; 2 of 2 does not (exit 2)"

# B registers one more TEE; A mines past B's head
cp -r "$W/a" "$W/b"
"$PYTHON" - "$W/b/state.json" "$B" "$BPID" <<'PY'
import json, sys
p, url, pid = sys.argv[1:]
st = json.load(open(p))
st["rpc_url"] = url
st["anvil_pid"] = int(pid)
st["dir"] = p.rsplit("/", 1)[0]
json.dump(st, open(p, "w"))
PY
$DEVNET add-tee --dir "$W/b" >/dev/null 2>&1 || fail "add-tee on B"
rpc "$A" anvil_mine '["0x8"]' >/dev/null
run_og tee list --rpc-url "$B" --json
json_check "len(d) == 3" "B alone sees three"
run_og tee list --rpc-url "$A" --rpc-url "$B" --json
expect_rc 2 "one extra TEE: disagreement"
expect_err "$B" "names B"
expect_one_err_line "disagreement"
case "$ERR" in *"$B/"*|*"$B?"*) fail "an RPC named beyond scheme://host:port: $ERR" ;; esac
run_og tee list --rpc-url "$A" --rpc-url "$B" --rpc-quorum 1 --json
expect_rc 0 "quorum 1 takes an answer"
# chat's registry read goes through the same quorum: nothing is sent
OG_PRIVATE_KEY=$OG_DEVNET_PRIVATE_KEY run_og chat --rpc-url "$A" \
  --rpc-url "$B" --model openai/gpt-5 \
  --messages '[{"role":"user","content":"Hi"}]'
expect_rc 2 "chat through a disagreeing quorum"
expect_err "$B" "chat names B"
expect_one_err_line "chat disagreement"
ok "B with one extra TEE: exit 2 naming B"

rpc "$A" anvil_mine '["0x50"]' >/dev/null
run_og tee list --rpc-url "$A" --rpc-url "$B" --rpc-quorum 1
expect_rc 2 "heads far apart"
expect_err "64" "says how far"
ok "heads more than 64 blocks apart: exit 2"

run_og tee list --rpc-url "$A" --rpc-url "$B" --rpc-quorum 3
expect_rc 1 "quorum above the count"
run_og tee list --rpc-url "$A" --rpc-quorum 0
expect_rc 1 "quorum 0"
run_og tee list --rpc-url "$A" --rpc-quorum x
expect_rc 1 "quorum not a number"
ok "a quorum outside 1..count: exit 1"
echo "# $TESTS_RUN tests"
