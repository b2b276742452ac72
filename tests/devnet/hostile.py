#!/usr/bin/env python3
"""A hostile gateway and a hostile JSON-RPC node, for the client's tests.

One process serves both roles on one loopback port: POST /v1/... is the
gateway (an OpenAI-compatible answer, a 402, or an attack), any other POST
is a JSON-RPC node. With --cert/--key it speaks TLS with exactly that
certificate (the client pins it with --tls-cert); without, plain HTTP (an
RPC on loopback). What it does is switched at run time:

    POST /_control {"mode": ..., "rpc_mode": ..., ...}   (merged; 400 on an
                                                          unknown key)
    GET  /_stats   {"requests": [...], "payments": [...], "rpc": {...}}
    POST /_control {"reset": true}                       clears the stats

Gateway modes ("mode"):
  ok            a plain chat/completion answer (unsigned: use --no-verify)
  pay           402 with a PAYMENT-REQUIRED header built from scheme,
                transfer ("permit2" | "eip3009"), network, asset, amount;
                a request carrying PAYMENT-SIGNATURE is recorded (decoded)
                and answered like "ok"
  bad402        402 whose PAYMENT-REQUIRED header is not base64 JSON
  nest          200, a body of `size` bytes of "[" (nesting amplification)
  values        200, [{},{},...] of `size` bytes (value amplification)
  values_max    200, [{},...] with exactly 500,000 values (the scan's
                limit: parsed, then refused as an answer)
  tools_stream  SSE: tool calls of `tool_event_bytes` arguments per event,
                `tool_events` events over `tool_calls` indexes
  big_header    200 with one header line of `header_bytes` bytes
  many_headers  200 with `header_bytes` of 8 KiB header lines
  trickle       200 with a Content-Length, then one byte per `trickle_s`
  evil          an answer whose text, tool call (id, name, arguments) and
                finish reason carry EVIL: terminal escapes (ESC, OSC, CSI),
                C1 CSI (U+009B), bidi overrides (U+202E, U+2066), DEL, NUL
  evil_stream   the same text and finish reason streamed over SSE, split
                across events
  evil_error    HTTP 400 whose JSON error message is EVIL
  evil_text     HTTP 502 with a text/plain body carrying raw ESC, a raw C1
                byte (0x9b, not UTF-8) and U+202E

RPC modes ("rpc_mode"): normal (eth_chainId = chain_id, base fee, tip and
gas from the config, eth_call = call_result), nest, values, big_header,
many_headers, trickle (as above, for the RPC reply).

    hostile.py --port 0 --ready-file F [--cert C.pem --key C.key]

Loopback only. Python 3 standard library only.
"""

import argparse
import base64
import json
import os
import signal
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OPG_BASE = "0xFbC2051AE2265686a469421b2C5A2D5462FbF5eB"
PAY_TO = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
FACILITATOR = "0x000000000000000000000000000000000000FAC1"
MiB = 1 << 20

DEFAULTS = {
    "mode": "ok", "rpc_mode": "normal",
    "scheme": "upto", "transfer": "permit2", "network": "eip155:8453",
    "asset": OPG_BASE, "amount": "1000",
    "size": 16 * MiB - 4096, "header_bytes": 200 * 1024,
    "tool_event_bytes": 900 * 1024, "tool_events": 20, "tool_calls": 20,
    "trickle_s": 0.5,
    "chain_id": 8453, "base_fee": 1000000, "tip": 1000000, "gas": 46000,
    "call_result": "0x" + "00" * 32,
    # what eth_call answers once a transaction was sent (the allowance
    # approve reads again)
    "call_result_after_send": "0x" + "ff" * 32,
}

# Hostile text for the terminal tests (see tests/integration/
# test_terminal_hostile.sh): every part must be shown made visible.
EVIL = ("A\x1b]0;pwned\x07B\x1b[2JC\u009b31mD\u202eE\u2066F\x00G\x7fH"
        "\nline2\ttab")

LOCK = threading.Lock()
CONFIG = dict(DEFAULTS)
STATS = {"requests": [], "payments": [], "rpc": {}}


def compact(o):
    return json.dumps(o, separators=(",", ":")).encode()


def answer(path, model):
    if path.endswith("/completions") and "/chat/" not in path:
        return {"id": "cmpl-h", "object": "text_completion", "created": 1,
                "model": model, "choices": [{"text": "hostile ok",
                                             "index": 0,
                                             "finish_reason": "stop"}]}
    return {"id": "chatcmpl-h", "object": "chat.completion", "created": 1,
            "model": model,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant",
                                     "content": "hostile ok"}}]}


def evil_answer(path, model):
    if path.endswith("/completions") and "/chat/" not in path:
        return {"id": "cmpl-" + EVIL, "object": "text_completion",
                "created": 1, "model": model,
                "choices": [{"text": EVIL, "index": 0,
                             "finish_reason": "stop" + EVIL}]}
    return {"id": "chatcmpl-" + EVIL, "object": "chat.completion",
            "created": 1, "model": model,
            "choices": [{"index": 0, "finish_reason": "tool_calls" + EVIL,
                         "message": {
                             "role": "assistant", "content": EVIL,
                             "tool_calls": [{
                                 "id": "call_" + EVIL, "type": "function",
                                 "function": {"name": "fn" + EVIL,
                                              "arguments": '{"q":"%s"}'
                                              % EVIL}}]}}]}


def requirement(cfg):
    extra = {}
    if cfg["scheme"] == "upto":
        extra = {"facilitatorAddress": FACILITATOR,
                 "assetTransferMethod": "permit2"}
    elif cfg["transfer"] == "permit2":
        extra = {"assetTransferMethod": "permit2"}
    else:
        extra = {"name": "USD Coin", "version": "2"}
    return {"scheme": cfg["scheme"], "network": cfg["network"],
            "asset": cfg["asset"], "amount": cfg["amount"], "payTo": PAY_TO,
            "maxTimeoutSeconds": 300, "extra": extra}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send_body(self, status, body, ctype="application/json",
                  headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/_stats":
            with LOCK:
                body = compact(STATS)
            return self.send_body(200, body)
        if self.path == "/_control":
            with LOCK:
                return self.send_body(200, compact(CONFIG))
        self.send_body(404, b"{}")

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_POST(self):
        body = self.read_body()
        if self.path == "/_control":
            try:
                upd = json.loads(body)
                bad = [k for k in upd if k not in DEFAULTS and k != "reset"]
                if bad:
                    raise ValueError("unknown key %s" % bad)
            except ValueError as e:
                return self.send_body(400, compact({"error": str(e)}))
            with LOCK:
                if upd.pop("reset", False):
                    CONFIG.clear()
                    CONFIG.update(DEFAULTS)
                    STATS["requests"].clear()
                    STATS["payments"].clear()
                    STATS["rpc"].clear()
                CONFIG.update(upd)
                return self.send_body(200, compact({"ok": True,
                                                    "config": CONFIG}))
        with LOCK:
            cfg = dict(CONFIG)
        if self.path.startswith("/v1/"):
            return self.gateway(cfg, body)
        return self.rpc(cfg, body)

    # ---- attacks shared by both roles ----
    def attack(self, kind, cfg, prefix=b""):
        if kind == "nest":
            n = cfg["size"] - len(prefix)
            return self.send_body(200, prefix + b"[" * n)
        if kind == "values":
            n = (cfg["size"] - len(prefix) - 2) // 3
            return self.send_body(200, prefix + b"[" + b"{}," * n + b"{}]")
        if kind == "values_max":
            return self.send_body(200, b"[" + b"{}," * 499998 + b"{}]")
        if kind == "big_header":
            return self.send_body(200, b"{}", headers=[
                ("X-Big", "a" * cfg["header_bytes"])])
        if kind == "many_headers":
            line = "b" * 8192
            n = cfg["header_bytes"] // 8200 + 1
            return self.send_body(200, b"{}", headers=[
                ("X-Many-%d" % i, line) for i in range(n)])
        if kind == "trickle":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.flush()
            try:
                for _ in range(100000):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(cfg["trickle_s"])
            except OSError:
                pass
            self.close_connection = True
            return None
        raise ValueError(kind)

    # ---- the gateway ----
    def gateway(self, cfg, body):
        pay = (self.headers.get("PAYMENT-SIGNATURE")
               or self.headers.get("X-PAYMENT"))
        rec = {"path": self.path, "paid": bool(pay)}
        try:
            req = json.loads(body)
        except ValueError:
            req = {}
        model = req.get("model", "m") if isinstance(req, dict) else "m"
        with LOCK:
            STATS["requests"].append(rec)
        mode = cfg["mode"]
        if mode == "ok":
            return self.send_body(200, compact(answer(self.path, model)))
        if mode == "pay":
            if pay:
                try:
                    p = json.loads(base64.b64decode(pay))
                    acc = p.get("accepted", {})
                    got = {"asset": acc.get("asset"),
                           "network": acc.get("network"),
                           "scheme": acc.get("scheme"),
                           "payload_keys": sorted(p.get("payload", {}))}
                except (ValueError, AttributeError):
                    got = {"undecodable": True}
                with LOCK:
                    STATS["payments"].append(got)
                return self.send_body(200, compact(answer(self.path, model)))
            pr = {"x402Version": 2, "error": "Payment required",
                  "resource": {"url": "https://hostile" + self.path},
                  "accepts": [requirement(cfg)]}
            hdr = base64.b64encode(compact(pr)).decode()
            return self.send_body(402, b"{}",
                                  headers=[("PAYMENT-REQUIRED", hdr)])
        if mode == "bad402":
            return self.send_body(402, b"{}", headers=[
                ("PAYMENT-REQUIRED", base64.b64encode(b"{not json").decode())])
        if mode == "tools_stream":
            return self.tools_stream(cfg, model)
        if mode == "evil":
            return self.send_body(200, compact(evil_answer(self.path, model)))
        if mode == "evil_stream":
            return self.evil_stream(model)
        if mode == "evil_error":
            return self.send_body(400, compact({"error": {
                "message": EVIL, "type": "invalid_request\x1b[5m"}}))
        if mode == "evil_text":
            return self.send_body(
                502, b"bad \x1b[31mgateway\x9b2J \xe2\x80\xae reversed\n",
                ctype="text/plain")
        return self.attack(mode, cfg)

    def evil_stream(self, model):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        cut = [0, 3, 9, 17, 30, len(EVIL)]
        events = [{"choices": [{"index": 0, "delta": {
            "role": "assistant", "content": EVIL[a:b]},
            "finish_reason": None}], "model": model}
            for a, b in zip(cut, cut[1:])]
        events.append({"choices": [{"index": 0, "delta": {},
                                    "finish_reason": "stop" + EVIL}],
                       "model": model})
        try:
            for ev in events:
                data = b"data: " + compact(ev) + b"\n\n"
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            fin = b"data: [DONE]\n\n"
            self.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(fin), fin))
        except OSError:
            pass
        self.close_connection = True

    def tools_stream(self, cfg, model):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        arg = "x" * cfg["tool_event_bytes"]
        try:
            for i in range(cfg["tool_events"]):
                idx = i % cfg["tool_calls"]
                tc = {"index": idx, "function": {"arguments": arg}}
                if i < cfg["tool_calls"]:
                    tc.update({"id": "call_%d" % idx, "type": "function"})
                    tc["function"]["name"] = "f%d" % idx
                ev = b"data: " + compact({"choices": [{"index": 0, "delta": {
                    "role": "assistant", "tool_calls": [tc]},
                    "finish_reason": None}], "model": model}) + b"\n\n"
                self.wfile.write(b"%x\r\n%s\r\n" % (len(ev), ev))
            fin = b"data: " + compact({"choices": [{"index": 0, "delta": {},
                                       "finish_reason": "tool_calls"}],
                                       "model": model}) + b"\n\ndata: [DONE]\n\n"
            self.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(fin), fin))
        except OSError:
            pass
        self.close_connection = True

    # ---- the RPC ----
    def rpc(self, cfg, body):
        try:
            req = json.loads(body)
            method, rid = req["method"], req["id"]
        except (ValueError, KeyError, TypeError):
            return self.send_body(400, b"{}")
        with LOCK:
            STATS["rpc"][method] = STATS["rpc"].get(method, 0) + 1
        mode = cfg["rpc_mode"]
        if mode != "normal":
            prefix = b'{"jsonrpc":"2.0","id":%d,"result":' % rid
            return self.attack(mode, cfg, prefix)
        res = {
            "eth_chainId": hex(cfg["chain_id"]),
            "eth_blockNumber": "0x10",
            "eth_call": (cfg["call_result_after_send"]
                         if STATS["rpc"].get("eth_sendRawTransaction")
                         else cfg["call_result"]),
            "eth_getTransactionCount": "0x0",
            "eth_getBlockByNumber": {"number": "0x10",
                                     "baseFeePerGas": hex(cfg["base_fee"])},
            "eth_maxPriorityFeePerGas": hex(cfg["tip"]),
            "eth_gasPrice": hex(cfg["base_fee"] + cfg["tip"]),
            "eth_estimateGas": hex(cfg["gas"]),
            "eth_sendRawTransaction": "0x" + "ab" * 32,
            "eth_getTransactionReceipt": {"status": "0x1",
                                          "blockNumber": "0x11"},
        }
        if method not in res:
            out = {"jsonrpc": "2.0", "id": rid,
                   "error": {"code": -32601, "message": "method not found"}}
        else:
            out = {"jsonrpc": "2.0", "id": rid, "result": res[method]}
        return self.send_body(200, compact(out))


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # clients that hang up on an attack are expected


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--ready-file", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    a = ap.parse_args()
    srv = Server(("127.0.0.1", a.port), Handler)
    if a.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    port = srv.server_address[1]
    tmp = a.ready_file + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"port": port, "pid": os.getpid()}, f)
    os.rename(tmp, a.ready_file)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    srv.serve_forever()


if __name__ == "__main__":
    main()
