#!/usr/bin/env python3
"""Local servers for the transport and RPC unit tests.

Usage: og_test_server.py MODE [--cert PEM --key PEM] [--result-file F]
Binds 127.0.0.1 on a free port and prints "PORT <n>" on stdout.

Modes:
  www         HTTP/1.1 keep-alive server (TLS when --cert/--key):
              /health  200 "ok" with X-Test and a repeated X-Multi header
              /big     200 with a 200000-byte body
              /stream  200, 10 chunks of "data: n\\n\\n" 150 ms apart
              /stall   200 headers, then nothing
              /conns   200, body = number of connections accepted so far
  silent-tcp  accepts TCP connections and never reads or writes
  rpc         JSON-RPC over plain HTTP; behaviour chosen by the URL path:
              /        eth_chainId, eth_blockNumber, eth_call (registry
                       selectors, getActiveTEEs answers --result-file hex)
              /err     a JSON-RPC error object
              /revert  eth_call reverts with TEENotFound()
              /http500 HTTP 500
              /malformed  a body that is not JSON
              /wrongid a reply with another id
              /midprefix  eth_call answers 0x, 512 bytes, then "0x" again
              /huge    a 20 MB body
              /timeout never answers
"""
import json
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CONNS = 0
CONNS_LOCK = threading.Lock()
RESULT_HEX = "0x"
TEE_ID = None
TEE_HEX = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def setup(self):
        global CONNS
        with CONNS_LOCK:
            CONNS += 1
        super().setup()

    def send(self, code, body, ctype="text/plain", extra=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    # ---- www ----
    def do_GET(self):
        p = self.path
        if p == "/health":
            self.send(200, "ok", extra=[("X-Test", "yes"), ("X-Multi", "a"),
                                        ("X-Multi", "b")])
        elif p == "/big":
            self.send(200, b"x" * 200000)
        elif p == "/conns":
            self.send(200, str(CONNS))
        elif p == "/stream":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(10):
                d = ("data: %d\n\n" % i).encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(d), d))
                self.wfile.flush()
                time.sleep(0.15)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        elif p == "/stall":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.flush()
            time.sleep(3600)
        else:
            self.send(404, "not found")

    # ---- rpc ----
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        req = json.loads(self.rfile.read(n))
        rid = req.get("id")
        p = self.path
        if p == "/timeout":
            time.sleep(3600)
            return
        if p == "/http500":
            return self.send(500, "internal error")
        if p == "/malformed":
            return self.send(200, '{"jsonrpc":"2.0","id":%d,"result":' % rid,
                             "application/json")
        if p == "/huge":
            return self.send(200, b'{"jsonrpc":"2.0","id":1,"result":"' +
                             b"a" * (20 * 1024 * 1024) + b'"}',
                             "application/json")
        if p == "/wrongid":
            return self.reply({"jsonrpc": "2.0", "id": rid + 1,
                               "result": "0x1"})
        if p == "/midprefix":
            return self.result(rid, "0x" + "00" * 512 + "0x" + "11" * 4)
        if p == "/err":
            return self.reply({"jsonrpc": "2.0", "id": rid, "error": {
                "code": -32601, "message": "the method does not exist"}})
        m = req.get("method")
        if m == "eth_chainId":
            return self.result(rid, "0x7a69")
        if m == "eth_blockNumber":
            return self.result(rid, "0x2a")
        if m == "eth_call":
            data = req["params"][0]["data"].lower()
            if p == "/revert" or (data.startswith("0x418b207d") and
                                  data[10:] != TEE_ID):
                return self.reply({"jsonrpc": "2.0", "id": rid, "error": {
                    "code": 3, "message": "execution reverted",
                    "data": "0xf6523b65"}})
            if data.startswith("0x4b6014da"):
                return self.result(rid, RESULT_HEX)
            if data.startswith("0x418b207d"):
                return self.result(rid, TEE_HEX)
            if data.startswith("0xa3bf31f1"):
                return self.result(rid, "0x" + "00" * 31 + "01")
        return self.reply({"jsonrpc": "2.0", "id": rid, "error": {
            "code": -32601, "message": "unknown method"}})

    def result(self, rid, r):
        self.reply({"jsonrpc": "2.0", "id": rid, "result": r})

    def reply(self, obj):
        self.send(200, json.dumps(obj), "application/json")


class TLSServer(ThreadingHTTPServer):
    daemon_threads = True
    ctx = None

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.ctx:
            # Handshake in the handler thread: a stalled client must not
            # block the accept loop.
            sock = self.ctx.wrap_socket(sock, server_side=True,
                                        do_handshake_on_connect=False)
        return sock, addr


def main():
    global RESULT_HEX, TEE_ID, TEE_HEX
    args = sys.argv[1:]
    mode = args[0]
    opts = dict(zip(args[1::2], args[2::2]))
    if mode == "silent-tcp":
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        print("PORT %d" % s.getsockname()[1], flush=True)
        held = []
        while True:
            c, _ = s.accept()
            held.append(c)
    if "--result-file" in opts:
        v = json.load(open(opts["--result-file"]))
        RESULT_HEX = v["active"]
        TEE_ID = v.get("tee_id", "")
        TEE_HEX = v.get("tee", "0x")
    srv = TLSServer(("127.0.0.1", 0), Handler)
    if "--cert" in opts:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(opts["--cert"], opts["--key"])
        srv.ctx = ctx
    print("PORT %d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
