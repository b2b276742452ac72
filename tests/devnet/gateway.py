#!/usr/bin/env python3
"""Stand-in for the OpenGradient TEE gateway (tee-gateway commit cb95a5c).

With --newer (or the control key "newer") it plays a newer gateway instead:
requests hashed under the newer rules (developer mapped to system, list
content as {type,text} parts, web_search hashed, also on completions), an
"opengradient" cost block on every answer with usage, web-search status
frames and citations when "web_search" is set, generated images (control
"images", or any model whose name has "image" in it), error bodies
{"error", "exception_type"} (also as a mid-stream frame), and /health with
the package version, uptime_seconds, providers and facilitator_url.

Used by the integration tests, the demo and the benches.  It serves the
gateway's routes over HTTPS with exactly the given certificate, answers
deterministically ("Echo: <last user content>", or a tool call to the first
offered tool), signs every answer the way the enclave does (RSA-PSS over
keccak256(request_hash || output_hash || uint256 ts)), can demand x402 "upto"
payments and run sessions, and has switchable faults for client tests.

Test-only extras (unauthenticated): POST/GET /_control, GET /_stats.
See tests/devnet/README.md for the flags, the control and stats JSON.
Python 3 stdlib + `cryptography` only; x402 verification uses the Node
helper x402_verify.mjs (started once, on demand).
"""

import argparse
import base64
import copy
import datetime
import decimal
import difflib
import functools
import hashlib
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ogcanon  # noqa: E402
import nitro  # noqa: E402
from ogcanon import keccak256, checksum_address  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

MODELS = {
    "gpt-4.1", "gpt-4.1-2025-04-14", "o4-mini", "gpt-5", "gpt-5-mini",
    "gpt-5.2",
    "claude-sonnet-4-5", "claude-sonnet-4-6", "claude-haiku-4-5",
    "claude-opus-4-5", "claude-opus-4-6", "claude-sonnet-4-0",
    "claude-4.0-sonnet",
    "gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.5-flash-lite",
    "gemini-3-flash-preview",
    "grok-4", "grok-4-fast", "grok-4-1-fast", "grok-4.1-fast",
    "grok-4-1-fast-non-reasoning", "grok-3", "grok-3-beta", "grok-3-mini",
    "grok-3-mini-beta",
}
# models of the Python SDK 1.1.3's TEE_LLM that a newer gateway also serves
NEWER_MODELS = {
    "gpt-4.1-mini", "gpt-4.1-nano", "o3", "gpt-5.4", "gpt-5.4-mini",
    "gpt-5.4-nano", "gpt-5.5", "gpt-image-2", "claude-opus-4-7",
    "claude-opus-4-8", "gemini-3.1-pro-preview",
    "gemini-3.1-flash-lite-preview", "gemini-3.5-flash",
    "gemini-2.5-flash-image", "gemini-3.1-flash-image", "grok-4.20-reasoning",
    "grok-4.20-non-reasoning", "grok-code-fast-1", "grok-2-image",
    "seed-1.6", "seed-1.8", "seed-2.0-lite", "deepseek-v4-flash",
    "deepseek-v4-pro", "seedream-4.0", "seedance-4.5", "hermes-4-405b",
    "hermes-4-70b", "glm-5.2", "glm-image",
}
NEWER_VERSION = "0.6.2"
NEWER_PROVIDERS = ["openai", "anthropic", "google", "x-ai", "bytedance",
                   "nous", "zai"]
OPG_PRICE_USD = "0.05"
# two tiny deterministic "generated images" (a PNG and a JPEG header each)
DEFAULT_IMAGES = [
    "data:image/png;base64," + base64.b64encode(
        b"\x89PNG\r\n\x1a\n" + hashlib.sha256(b"og-image-1").digest()
    ).decode(),
    "data:image/jpeg;base64," + base64.b64encode(
        b"\xff\xd8\xff\xe0" + hashlib.sha256(b"og-image-2").digest()
    ).decode(),
]
OPG_BASE = "0xFbC2051AE2265686a469421b2C5A2D5462FbF5eB"
DEFAULT_FACILITATOR = "0x000000000000000000000000000000000000FAC1"
FAULTS = ("error_frame", "truncate", "no_done", "http500", "slow_first_byte",
          "dribble", "bad_sig", "wrong_output_hash", "no_sig", "bad_json",
          "close")
ROLES = ("system", "user", "assistant", "tool", "function", "developer")
DRIBBLE_SUFFIX = " \u2014 gr\u00fc\u00dfe \u65e5\u672c \U0001F680"
BENCH_PIECE = "w "
MAX_BODY = 16 << 20
GENERIC_500 = {
    "detail": "The server encountered an internal error and was unable to "
              "complete your request. Either the server is overloaded or "
              "there is an error in the application.",
    "status": 500, "title": "Internal Server Error", "type": "about:blank"}


def compact(obj):
    return json.dumps(obj, separators=(",", ":")).encode("utf-8")


def sse_event(obj, ensure_ascii=True):
    # the gateway's exact framing: Python json.dumps defaults, one data line
    return b"data: " + json.dumps(obj, ensure_ascii=ensure_ascii).encode(
        "utf-8") + b"\n\n"


def settlement_type(value):
    """X-SETTLEMENT-TYPE: case-insensitive, typo tolerant, default batch."""
    if not value:
        return "batch"
    v = value.strip().lower()
    m = difflib.get_close_matches(v, ["private", "batch", "individual"], n=1,
                                  cutoff=0.75)
    return m[0] if m else "batch"


@functools.lru_cache(maxsize=8)
def output_hash(output):
    """keccak256 of the answer text. Pure-Python Keccak over a bench answer
    (hundreds of KiB) takes ~0.4 s; the same answer is hashed once, so the
    benches time the clients, not this."""
    return keccak256(output.encode("utf-8"))


class ControlError(Exception):
    pass


class Verifier:
    """Persistent Node helper that plays the facilitator's /verify."""

    def __init__(self, node="node"):
        self.node = node
        self.proc = None
        self.lock = threading.Lock()
        self.seq = 0

    def start(self):
        with self.lock:
            self._start_locked()

    def _start_locked(self):
        if self.proc is not None and self.proc.poll() is None:
            return
        self.proc = subprocess.Popen(
            [self.node, os.path.join(HERE, "x402_verify.mjs")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=HERE,
            text=True, bufsize=1)

    def verify(self, payload, requirements, facilitators):
        with self.lock:
            for attempt in (0, 1):
                try:
                    self._start_locked()
                    self.seq += 1
                    line = json.dumps({"id": self.seq,
                                       "paymentPayload": payload,
                                       "paymentRequirements": requirements,
                                       "facilitators": facilitators})
                    self.proc.stdin.write(line + "\n")
                    self.proc.stdin.flush()
                    reply = self.proc.stdout.readline()
                    if not reply:
                        raise OSError("verifier helper exited")
                    return json.loads(reply)
                except (OSError, ValueError):
                    if self.proc is not None:
                        self.proc.kill()
                        self.proc.wait()
                    self.proc = None
                    if attempt:
                        raise

    def stop(self):
        with self.lock:
            if self.proc is not None:
                try:
                    self.proc.stdin.close()
                    self.proc.wait(timeout=3)
                except (OSError, subprocess.TimeoutExpired):
                    self.proc.kill()
                    self.proc.wait()
                self.proc = None


class Gateway:
    """Keys, switches, sessions and counters shared by all connections."""

    CONTROL_KEYS = {
        "fault", "fault_times", "delay", "x402", "stream_tools",
        "tool_calls", "session_requests", "bench_chunks", "bench_delay",
        "usage", "sign", "rules", "fixed_timestamp", "chunk_chars",
        "event_delay", "dribble_bytes", "dribble_delay", "ensure_ascii",
        "facilitator", "payment_address", "amount", "max_timeout_seconds",
        "dup_content_type", "verify_reason", "reset_stats",
        "reset_sessions", "newer", "images", "citations", "cost_opg",
        "attest_fault"}

    def __init__(self, args):
        with open(args.signing_key, "rb") as f:
            self.key = serialization.load_pem_private_key(f.read(), None)
        if not isinstance(self.key, rsa.RSAPrivateKey):
            raise SystemExit("--signing-key must be an RSA private key")
        self.spki_der = self.key.public_key().public_bytes(
            serialization.Encoding.DER,
            serialization.PublicFormat.SubjectPublicKeyInfo)
        self.spki_pem = self.key.public_key().public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        self.tee_id = "0x" + keccak256(self.spki_der).hex()
        with open(args.cert, "rb") as f:
            from cryptography import x509 as _x509
            tls_der = _x509.load_pem_x509_certificate(f.read()).public_bytes(
                serialization.Encoding.DER)
        # /enclave/attestation: a test Nitro chain binding this stand-in's
        # certificate and signing key (tests/devnet/nitro.py)
        self.attestor = nitro.Attestor(tls_der, self.spki_der)
        self.wallet = checksum_address(keccak256(b"wallet" + self.spki_der)
                                       [12:].hex())
        self.lock = threading.Lock()
        self.cfg = {
            "fault": None, "fault_times": None, "delay": 2.0,
            "x402": bool(args.x402), "stream_tools": "buffered",
            "tool_calls": 1, "session_requests": 100, "bench_chunks": 0,
            "bench_delay": 0.0, "usage": True, "sign": not args.no_sign,
            "rules": args.rules, "fixed_timestamp": None, "chunk_chars": 4,
            "event_delay": 0.0, "dribble_bytes": 3, "dribble_delay": 0.002,
            "ensure_ascii": True,
            "facilitator": checksum_address(args.facilitator),
            "payment_address": checksum_address(args.payment_address),
            "amount": "100000000000000000", "max_timeout_seconds": 300,
            "dup_content_type": True, "verify_reason": None,
            "newer": bool(args.newer), "images": None, "citations": None,
            "cost_opg": None, "attest_fault": None,
        }
        self.started = time.time()
        if args.fault:
            self.cfg["fault"] = args.fault
        self.verifier = Verifier(args.node)
        self.sessions = {}
        self.session_by_key = {}
        self.bench_cache = {}
        self.reset_stats()

    # -- state ------------------------------------------------------------
    def reset_stats(self):
        with self.lock:
            self.stats = {
                "requests": {}, "requests_total": 0, "status": {},
                "tls_handshakes": 0, "tls_resumed": 0,
                "payments_received": 0, "payers": [], "payments": [],
                "payment_rejections": [], "payment_required_sent": 0,
                "session_uses": 0, "faults_applied": {},
                "settlement_types": {}, "last_headers": None,
                "last_headers_by_route": {}, "last_body": None,
            }

    def snapshot(self):
        with self.lock:
            return dict(self.cfg)

    def stats_json(self):
        with self.lock:
            st = copy.deepcopy(self.stats)
            st["sessions"] = {sid: dict(s) for sid, s in self.sessions.items()}
            st["config"] = dict(self.cfg)
            st["tee_id"] = self.tee_id
        return st

    def count(self, key, sub, n=1):
        with self.lock:
            d = self.stats[key]
            d[sub] = d.get(sub, 0) + n

    def take_fault(self):
        with self.lock:
            f = self.cfg["fault"]
            if f is None:
                return None
            t = self.cfg["fault_times"]
            if t is not None:
                t -= 1
                self.cfg["fault_times"] = t
                if t <= 0:
                    self.cfg["fault"] = None
                    self.cfg["fault_times"] = None
            d = self.stats["faults_applied"]
            d[f] = d.get(f, 0) + 1
            return f

    def control(self, upd):
        if not isinstance(upd, dict):
            raise ControlError("control body must be a JSON object")
        bad = sorted(set(upd) - self.CONTROL_KEYS)
        if bad:
            raise ControlError("unknown control key(s): " + ", ".join(bad))
        new = self.snapshot()
        for k, v in upd.items():
            if k in ("reset_stats", "reset_sessions"):
                continue
            if k == "fault":
                if v is not None and v not in FAULTS:
                    raise ControlError("unknown fault %r (one of %s)" %
                                       (v, ", ".join(FAULTS)))
            elif k == "stream_tools":
                if v not in ("buffered", "fragmented", "none"):
                    raise ControlError("stream_tools: buffered|fragmented|"
                                       "none")
            elif k == "rules":
                if v not in ogcanon.RULES:
                    raise ControlError("rules: 2026-04|newer")
            elif k in ("facilitator", "payment_address"):
                try:
                    v = checksum_address(v)
                except (ValueError, AttributeError):
                    raise ControlError("%s: not an address" % k)
            elif k in ("images", "citations"):
                if v is not None and not isinstance(v, list):
                    raise ControlError("%s must be a list or null" % k)
            elif k == "attest_fault":
                if v is not None and v not in nitro.FAULTS:
                    raise ControlError("attest_fault: one of %s or null" %
                                       ", ".join(nitro.FAULTS))
            elif k == "cost_opg":
                if v is not None and (not isinstance(v, str) or
                                      not v.isdigit()):
                    raise ControlError("cost_opg must be a decimal string "
                                       "or null")
            elif k in ("x402", "usage", "sign", "ensure_ascii",
                       "dup_content_type", "newer"):
                if not isinstance(v, bool):
                    raise ControlError("%s must be a boolean" % k)
            elif k in ("fault_times", "fixed_timestamp"):
                if v is not None and (not isinstance(v, int) or v < 0):
                    raise ControlError("%s must be a non-negative int or "
                                       "null" % k)
            elif k in ("tool_calls", "session_requests", "bench_chunks",
                       "chunk_chars", "dribble_bytes", "max_timeout_seconds"):
                if (not isinstance(v, int) or isinstance(v, bool) or v < 0
                        or (k in ("chunk_chars", "dribble_bytes", "tool_calls")
                            and v < 1)):
                    raise ControlError("%s must be a positive integer" % k)
            elif k in ("delay", "bench_delay", "event_delay",
                       "dribble_delay"):
                if (not isinstance(v, (int, float)) or isinstance(v, bool)
                        or v < 0):
                    raise ControlError("%s must be a number >= 0" % k)
            elif k == "amount":
                if not isinstance(v, str) or not v.isdigit():
                    raise ControlError("amount must be a decimal string")
            elif k == "verify_reason":
                if v is not None and not isinstance(v, str):
                    raise ControlError("verify_reason must be a string or "
                                       "null")
            new[k] = v
        if "fault" in upd and "fault_times" not in upd:
            new["fault_times"] = None
        if new["x402"]:
            self.verifier.start()
        with self.lock:
            self.cfg = new
            if upd.get("reset_sessions"):
                self.sessions.clear()
                self.session_by_key.clear()
        if upd.get("reset_stats"):
            self.reset_stats()
        return self.snapshot()

    # -- signing ------------------------------------------------------------
    def sign(self, req_hash, out_hash, ts):
        m = ogcanon.msg_hash(req_hash, out_hash, ts)
        sig = self.key.sign(m, padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                                           salt_length=32), hashes.SHA256())
        return base64.b64encode(sig).decode("ascii")

    def tee_fields(self, cfg, fault, req_hash, output, ts):
        """The five tee_* values, with signature faults applied."""
        if not cfg["sign"] or fault == "no_sig":
            return None
        out_hash = output_hash(output)
        if fault == "wrong_output_hash":
            # a consistent signature over a hash of some other output
            out_hash = keccak256((output + "\x00tampered").encode("utf-8"))
        sig = self.sign(req_hash, out_hash, ts)
        if fault == "bad_sig":
            raw = bytearray(base64.b64decode(sig))
            raw[len(raw) // 2] ^= 0x01
            sig = base64.b64encode(bytes(raw)).decode("ascii")
        return {"tee_signature": sig, "tee_request_hash": req_hash.hex(),
                "tee_output_hash": out_hash.hex(), "tee_timestamp": ts,
                "tee_id": self.tee_id}

    # -- x402 -------------------------------------------------------------
    def requirement(self, cfg):
        return {"scheme": "upto", "network": "eip155:8453",
                "asset": OPG_BASE, "amount": cfg["amount"],
                "payTo": cfg["payment_address"],
                "maxTimeoutSeconds": cfg["max_timeout_seconds"],
                "extra": {"name": "OpenGradient", "version": "1",
                          "assetTransferMethod": "permit2",
                          "facilitatorAddress": cfg["facilitator"]}}

    def payment_required(self, cfg, url, path, error):
        desc = ("Chat completion" if path.endswith("/chat/completions")
                else "Text completion")
        return {"x402Version": 2, "error": error,
                "resource": {"url": url, "description": desc,
                             "mimeType": "application/json"},
                "accepts": [self.requirement(cfg)],
                "extensions": {"erc20ApprovalGasSponsoring": {
                    "info": {"description": "Gas-sponsored ERC-20 approval "
                                            "of Permit2", "version": "1"},
                    "schema": {"type": "object"}}}}

    def bench_body(self, n, model, ensure_ascii):
        """Pre-built chunked-encoded SSE content events and their hash."""
        key = (n, model, ensure_ascii)
        with self.lock:
            hit = self.bench_cache.get(key)
        if hit:
            return hit
        ev = sse_event({"choices": [{"delta": {"content": BENCH_PIECE,
                                               "role": "assistant"},
                                     "index": 0, "finish_reason": None}],
                        "model": model}, ensure_ascii)
        raw = ev * n
        step = 256 * 1024
        frames = []
        for off in range(0, len(raw), step):
            piece = raw[off:off + step]
            frames.append(b"%x\r\n" % len(piece) + piece + b"\r\n")
        out_hash_src = BENCH_PIECE * n
        hit = (frames, out_hash_src)
        with self.lock:
            if len(self.bench_cache) > 8:
                self.bench_cache.clear()
            self.bench_cache[key] = hit
        return hit


class Abort(Exception):
    """Stop handling this request and close the connection."""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "tee-gateway-standin/1.0"
    sys_version = ""
    timeout = 120

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("gateway: %s - %s\n" % (self.address_string(),
                                                      fmt % args))

    # -- plumbing -----------------------------------------------------------
    def _read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            parts = []
            total = 0
            while True:
                line = self.rfile.readline(1024)
                if not line:
                    raise Abort()
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n",
                                                            b""):
                        pass
                    break
                total += size
                if total > MAX_BODY:
                    raise Abort()
                parts.append(self.rfile.read(size))
                self.rfile.readline(16)
            return b"".join(parts)
        n = self.headers.get("Content-Length")
        if not n:
            return b""
        n = int(n)
        if n < 0 or n > MAX_BODY:
            raise Abort()
        return self.rfile.read(n)

    def _status(self, code):
        self.server.gw.count("status", str(code))

    def _send(self, code, body, ctype="application/json", headers=(),
              fault=None):
        """A complete response with Content-Length."""
        self._status(code)
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        if fault == "truncate":
            self.send_header("Connection", "close")
        self.end_headers()
        if fault == "truncate":
            self.wfile.write(body[:max(1, len(body) // 2)])
            self.wfile.flush()
            raise Abort()
        if fault == "dribble":
            self._dribble(body, chunked=False)
        else:
            self.wfile.write(body)

    def _json(self, code, obj, headers=(), fault=None):
        self._send(code, compact(obj), headers=headers, fault=fault)

    def _problem(self, code, title, detail):
        self._send(code, compact({"detail": detail, "status": code,
                                  "title": title, "type": "about:blank"}),
                   ctype="application/problem+json")

    def _chunk(self, data):
        if data:
            self.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n")

    def _dribble(self, data, chunked):
        cfg = self.cfg
        n = cfg["dribble_bytes"]
        for off in range(0, len(data), n):
            piece = data[off:off + n]
            if chunked:
                self._chunk(piece)
            else:
                self.wfile.write(piece)
            if cfg["dribble_delay"]:
                time.sleep(cfg["dribble_delay"])

    # -- dispatch ---------------------------------------------------------
    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method):
        gw = self.server.gw
        path = urlsplit(self.path).path
        try:
            body = self._read_body()
            if path not in ("/_stats", "/_control"):
                hdrs = {k.lower(): v for k, v in self.headers.items()}
                with gw.lock:
                    st = gw.stats
                    route = "%s %s" % (method, path)
                    st["requests"][route] = st["requests"].get(route, 0) + 1
                    st["requests_total"] += 1
                    st["last_headers"] = hdrs
                    st["last_headers_by_route"][route] = hdrs
                    if method == "POST":
                        st["last_body"] = body[:65536].decode("utf-8",
                                                              "replace")
            self.cfg = gw.snapshot()
            if path in ("/v1/chat/completions", "/v1/completions"):
                if method != "POST":
                    return self._problem(405, "Method Not Allowed",
                                         "The method is not allowed for the "
                                         "requested URL.")
                return self._inference(path, body)
            if path == "/health" and method == "GET":
                return self._json(200, self._health())
            if path == "/signing-key" and method == "GET":
                return self._json(200, self._signing_key())
            if path == "/enclave/attestation" and method == "GET":
                return self._attestation()
            if path == "/_nitro_root" and method == "GET":
                return self._send(200, gw.attestor.root_pem(),
                                  ctype="application/x-pem-file")
            if path == "/heartbeat/status" and method == "GET":
                return self._json(200, {"enabled": False})
            if path == "/_stats" and method == "GET":
                return self._json(200, gw.stats_json())
            if path == "/_control":
                if method == "GET":
                    return self._json(200, {"config": gw.snapshot()})
                if method == "POST":
                    try:
                        upd = json.loads(body or b"{}")
                        cfg = gw.control(upd)
                    except (ValueError, ControlError) as e:
                        return self._json(400, {"error": str(e)})
                    except OSError as e:
                        return self._json(500, {"error": "cannot start the "
                                                "x402 verifier: %s" % e})
                    return self._json(200, {"ok": True, "config": cfg})
            return self._problem(404, "Not Found",
                                 "The requested URL was not found on the "
                                 "server. If you entered the URL manually "
                                 "please check your spelling and try again.")
        except Abort:
            self.close_connection = True
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError,
                socket.timeout, TimeoutError):
            self.close_connection = True
        except (ValueError, OSError):
            self.close_connection = True
        except Exception:  # noqa: BLE001 - a stand-in bug: say so, close
            import traceback
            sys.stderr.write("gateway: internal error on %s %s\n%s" % (
                method, path, traceback.format_exc()))
            self.close_connection = True

    def _health(self):
        now = datetime.datetime.now(datetime.timezone.utc).isoformat()
        if self.cfg["newer"]:
            gw = self.server.gw
            return {"status": "OK", "version": NEWER_VERSION,
                    "tee_enabled": True,
                    "uptime_seconds": int(time.time() - gw.started),
                    "providers": NEWER_PROVIDERS,
                    "facilitator_url": "https://facilitator.invalid",
                    "price_feed": {"price_usd": float(OPG_PRICE_USD),
                                   "last_success": now, "last_error": None,
                                   "consecutive_failures": 0,
                                   "total_fetches": 1, "total_errors": 0,
                                   "refresh_interval": 300}}
        return {"status": "OK", "version": "1.0.0", "tee_enabled": True,
                "price_feed": {"price_usd": 0.1, "last_success": now,
                               "last_error": None, "consecutive_failures": 0,
                               "total_fetches": 1, "total_errors": 0,
                               "refresh_interval": 300}}

    def _attestation(self):
        """nitriding's route: ?nonce=<40 lowercase hex>, base64 + newline."""
        from urllib.parse import parse_qs
        q = parse_qs(urlsplit(self.path).query)
        nonce = q.get("nonce", [""])
        if len(nonce) != 1 or not re.fullmatch(r"[0-9a-f]{40}", nonce[0]):
            return self._send(400, b"bad nonce\n", ctype="text/plain")
        doc = self.server.gw.attestor.document(bytes.fromhex(nonce[0]),
                                               self.cfg["attest_fault"])
        return self._send(200, base64.b64encode(doc) + b"\n",
                          ctype="text/plain; charset=utf-8")

    def _signing_key(self):
        gw = self.server.gw
        return {"public_key": gw.spki_pem, "tee_id": gw.tee_id,
                "wallet_address": gw.wallet,
                "timestamp": datetime.datetime.now(
                    datetime.timezone.utc).isoformat(),
                "enclave_info": {"platform": "aws-nitro",
                                 "instance_type": "tee-enabled",
                                 "version": "1.0.0"},
                "measurements": None}

    # -- x402 ---------------------------------------------------------------
    def _send_402(self, error):
        gw = self.server.gw
        host = self.headers.get("Host") or "127.0.0.1:%d" % \
            self.server.server_address[1]
        url = "https://%s%s" % (host, urlsplit(self.path).path)
        pr = gw.payment_required(self.cfg, url, urlsplit(self.path).path,
                                 error)
        hdr = base64.b64encode(compact(pr)).decode("ascii")
        with gw.lock:
            gw.stats["payment_required_sent"] += 1
        extra = [("PAYMENT-REQUIRED", hdr)]
        if self.cfg["dup_content_type"]:
            # the middleware appends a second Content-Type
            extra.insert(0, ("Content-Type", "application/json"))
        self._send(402, b"{}", headers=extra)

    def _x402_gate(self, path):
        """Returns (handled, session_id)."""
        gw = self.server.gw
        method = self.command
        sid = (self.headers.get("X-Upto-Session") or "").strip()
        if sid:
            with gw.lock:
                s = gw.sessions.get(sid)
                ok = (s is not None and s["method"] == method and
                      s["path"] == path and s["used"] < s["budget"])
            if not ok:
                self._json(402, {"error": "Session expired or exhausted"})
                return True, None
            return False, sid
        raw = self.headers.get("PAYMENT-SIGNATURE")
        if not raw:
            self._send_402("Payment required")
            return True, None
        try:
            payload = json.loads(base64.b64decode(raw.strip(), validate=True))
            if not isinstance(payload, dict):
                raise ValueError("not an object")
        except (ValueError, TypeError):
            self._reject(None, "Invalid payment header")
            return True, None
        if payload.get("x402Version") != 2:
            self._reject(None, "Unsupported x402 version")
            return True, None
        req = gw.requirement(self.cfg)
        acc = payload.get("accepted")
        if not isinstance(acc, dict) or any(
                acc.get(k) != req[k] for k in ("scheme", "network", "amount",
                                               "asset", "payTo")):
            self._reject(payload, "No matching payment requirements")
            return True, None
        key = hashlib.sha256(raw.encode("utf-8")).hexdigest()
        with gw.lock:
            sid = gw.session_by_key.get(key)
            if sid is not None:
                s = gw.sessions[sid]
                if s["used"] >= s["budget"]:
                    sid = False
        if sid is False:
            self._json(402, {"error": "Session expired or exhausted"})
            return True, None
        if sid is not None:
            return False, sid
        forced = self.cfg["verify_reason"]
        if forced:
            res = {"isValid": False, "invalidReason": forced}
        else:
            try:
                res = gw.verifier.verify(payload, req,
                                         [self.cfg["facilitator"]])
            except (OSError, ValueError) as e:
                self._json(502, {"error": "facilitator error: %s" % e})
                return True, None
        if not res.get("isValid"):
            self._reject(payload, res.get("invalidReason") or
                         "invalid_payment")
            return True, None
        auth = payload["payload"]["permit2Authorization"]
        sid = str(uuid.uuid4())
        with gw.lock:
            gw.sessions[sid] = {"method": method, "path": path, "used": 0,
                                "budget": self.cfg["session_requests"],
                                "payer": res.get("payer"),
                                "cap": auth["permitted"]["amount"],
                                "nonce": auth["nonce"],
                                "opened": int(time.time())}
            gw.session_by_key[key] = sid
            gw.stats["payments_received"] += 1
            gw.stats["payers"].append(res.get("payer"))
            gw.stats["payments"].append({
                "payer": res.get("payer"), "session": sid, "path": path,
                "nonce": auth["nonce"], "amount": auth["permitted"]["amount"],
                "header_sha256": key})
        return False, sid

    def _reject(self, payload, reason):
        gw = self.server.gw
        with gw.lock:
            gw.stats["payment_rejections"].append(reason)
        self._send_402(reason)

    # -- inference ----------------------------------------------------------
    def _inference(self, path, body):
        gw = self.server.gw
        cfg = self.cfg
        chat = path == "/v1/chat/completions"
        ctype = (self.headers.get("Content-Type") or "").split(";")[0]
        is_json = ctype.strip().lower() == "application/json"
        req = None
        if is_json:
            try:
                req = json.loads(body)
            except ValueError:
                req = None
        model = req.get("model") if isinstance(req, dict) else None
        bench_n = None
        if chat and isinstance(model, str) and \
                model.strip().lower().startswith("bench"):
            m = re.search(r"(\d+)", model)
            bench_n = int(m.group(1)) if m else (cfg["bench_chunks"] or 1000)
        elif chat and cfg["bench_chunks"]:
            bench_n = cfg["bench_chunks"]
        # 1. x402 middleware (never in bench mode)
        session = None
        if cfg["x402"] and bench_n is None:
            handled, session = self._x402_gate(path)
            if handled:
                return
        # 2. pricing gate: known model
        known = MODELS | NEWER_MODELS if cfg["newer"] else MODELS
        if isinstance(model, str) and bench_n is None and \
                model.strip().lower() not in known:
            return self._json(400, {"error": "Model '%s' is not supported" %
                                    model})
        # 3. bearer security
        auth = self.headers.get("Authorization") or ""
        if not (auth.startswith("Bearer ") and auth[7:].strip()):
            return self._problem(401, "Unauthorized",
                                 "No authorization token provided")
        # 4./5. media type and body validation
        if not is_json:
            if chat:
                return self._json(415, {"error": "Unsupported Media Type",
                                        "message":
                                            "Request must be application/json"})
            return self._json(415, {"error":
                                    "Request must be application/json"})
        err = self._validate(req, chat)
        if err:
            return self._problem(400, "Bad Request", err)
        settle = settlement_type(self.headers.get("X-SETTLEMENT-TYPE"))
        gw.count("settlement_types", settle)
        status = self._answer(req, path, chat, bench_n, settle, session)
        if session and status is not None and 200 <= status < 300:
            with gw.lock:
                s = gw.sessions.get(session)
                if s is not None:
                    s["used"] += 1
                gw.stats["session_uses"] += 1

    def _validate(self, req, chat):
        if not isinstance(req, dict):
            return "%s is not of type 'object'" % json.dumps(req)
        need = ("model", "messages") if chat else ("model", "prompt")
        for k in need:
            if k not in req:
                return "'%s' is a required property" % k
        if not isinstance(req["model"], str):
            return "%s is not of type 'string' - 'model'" % \
                json.dumps(req["model"])
        if chat:
            msgs = req["messages"]
            if not isinstance(msgs, list):
                return "%s is not of type 'array' - 'messages'" % \
                    json.dumps(msgs)
            if not msgs:
                return "[] is too short - 'messages'"
            for i, m in enumerate(msgs):
                if not isinstance(m, dict) or m.get("role") not in ROLES:
                    return "%s is not valid under any of the given schemas " \
                        "- 'messages.%d'" % (json.dumps(m), i)
            if "tools" in req and req["tools"] is not None and \
                    not isinstance(req["tools"], list):
                return "'tools' is not of type 'array'"
            if "stream" in req and req["stream"] is not None and \
                    not isinstance(req["stream"], bool):
                return "%s is not of type 'boolean' - 'stream'" % \
                    json.dumps(req["stream"])
        for k, lo, hi in (("temperature", 0, 2), ("top_p", 0, 1)):
            v = req.get(k)
            if v is None:
                continue
            if not isinstance(v, (int, float)) or isinstance(v, bool):
                return "%s is not of type 'number' - '%s'" % (json.dumps(v), k)
            if v < lo:
                return "%s is less than the minimum of %s - '%s'" % (v, lo, k)
            if v > hi:
                return "%s is greater than the maximum of %s - '%s'" % (v, hi,
                                                                         k)
        mt = req.get("max_tokens")
        if mt is not None and (not isinstance(mt, int) or
                               isinstance(mt, bool)):
            return "%s is not of type 'integer' - 'max_tokens'" % \
                json.dumps(mt)
        stop = req.get("stop")
        if isinstance(stop, list) and len(stop) > 4:
            return "%s is too long - 'stop'" % json.dumps(stop)
        return None

    # deterministic "model" ---------------------------------------------------
    @staticmethod
    def _last_user_text(msgs):
        for m in reversed(msgs):
            if m.get("role") == "user":
                c = m.get("content")
                if isinstance(c, list):
                    return " ".join(p.get("text", "") for p in c
                                    if isinstance(p, dict) and
                                    p.get("type") == "text")
                return c if isinstance(c, str) else ""
        return ""

    @staticmethod
    def _example_value(schema, name):
        if not isinstance(schema, dict):
            return "test"
        if schema.get("enum"):
            return schema["enum"][0]
        t = schema.get("type")
        if isinstance(t, list):
            t = t[0] if t else "string"
        return {"string": "test-" + name, "integer": 1, "number": 1.5,
                "boolean": True, "array": [], "object": {},
                "null": None}.get(t, "test-" + name)

    def _tool_calls(self, tools, req_hash, count):
        calls = []
        fns = [t.get("function") for t in tools
               if isinstance(t, dict) and isinstance(t.get("function"), dict)]
        for i in range(min(count, len(fns))):
            fn = fns[i]
            params = fn.get("parameters") or {}
            props = params.get("properties") if isinstance(params, dict) \
                else None
            args = {}
            if isinstance(props, dict):
                for k, sch in props.items():
                    args[k] = self._example_value(sch, k)
            calls.append({"id": "call_%s%d" % (req_hash.hex()[:20], i),
                          "type": "function",
                          "function": {"name": fn.get("name"),
                                       "arguments": json.dumps(args)}})
        return calls

    @staticmethod
    def _usage(req, output, chat):
        src = req.get("messages") if chat else req.get("prompt")
        ptoks = max(1, len(json.dumps(src)) // 4)
        ctoks = max(1, len(output) // 4)
        return {"prompt_tokens": ptoks, "completion_tokens": ctoks,
                "total_tokens": ptoks + ctoks}

    # newer gateways -----------------------------------------------------------
    def _cost(self, usage):
        """The "opengradient" block, as tee_gateway.pricing serialises it."""
        opg = int(self.cfg["cost_opg"]) if self.cfg["cost_opg"] is not None \
            else (usage["prompt_tokens"] * 2000 +
                  usage["completion_tokens"] * 8000) * 10 ** 9 + 7
        price = decimal.Decimal(OPG_PRICE_USD)
        usd = (decimal.Decimal(opg) / decimal.Decimal(10) ** 18) * price
        return {"cost_opg": str(opg), "cost_usd": format(usd, "f"),
                "opg_price_usd": OPG_PRICE_USD}

    def _citations(self, query):
        if self.cfg["citations"] is not None:
            return self.cfg["citations"]
        return [{"title": "OpenGradient documentation",
                 "url": "https://docs.opengradient.ai/",
                 "published_date": "2026-07-01"},
                {"title": "Results for %s" % query[:40],
                 "url": "https://example.org/search?q=%d" % len(query)}]

    def _images(self, model):
        if self.cfg["images"] is not None:
            return self.cfg["images"] or None
        return DEFAULT_IMAGES if "image" in model.lower() else None

    def _newer_extras(self, obj, req, usage, query):
        """Cost block and citations on an answer or final frame."""
        if not self.cfg["newer"]:
            return
        if usage is not None:
            obj["opengradient"] = self._cost(usage)
        if req.get("web_search"):
            obj["citations"] = self._citations(query)

    def _error_obj(self, msg, exc):
        if self.cfg["newer"]:
            return {"error": msg, "exception_type": exc}
        return {"error": msg}

    def _answer(self, req, path, chat, bench_n, settle, session):
        gw = self.server.gw
        cfg = self.cfg
        stream = chat and req.get("stream") is True
        rules = "newer" if cfg["newer"] else cfg["rules"]
        try:
            if chat:
                ogcanon.canonical_chat(req, rules)
            req_hash = ogcanon.request_hash(req, path, rules)
        except (ogcanon.CanonError, TypeError, ValueError):
            # e.g. role "developer" at cb95a5c: connexion's generic 500
            self._send(500, compact(GENERIC_500),
                       ctype="application/problem+json")
            return 500
        if bench_n is not None:
            return self._bench(req, req_hash, bench_n, stream, settle,
                               session)
        fault = gw.take_fault()
        if fault == "close":
            raise Abort()
        if fault == "slow_first_byte":
            time.sleep(cfg["delay"])
        if fault == "http500" or (fault == "error_frame" and not stream):
            msg = "Stream setup failed" if stream else \
                "Request processing failed"
            if cfg["newer"]:
                msg = "provider returned an error: upstream overloaded"
            self._json(500, self._error_obj(msg, "RateLimitError"))
            return 500
        ts = cfg["fixed_timestamp"] if cfg["fixed_timestamp"] is not None \
            else int(time.time())
        model = req["model"]
        ea = cfg["ensure_ascii"] and fault != "dribble"
        session_hdr = [("X-Upto-Session", session)] if session else []
        if not chat:
            prompt = req.get("prompt")
            if isinstance(prompt, list):
                prompt = " ".join(str(p) for p in prompt)
            text = "Echo: %s" % (prompt if isinstance(prompt, str) else "")
            if fault == "dribble":
                text += DRIBBLE_SUFFIX
            usage = self._usage(req, text, chat) if cfg["usage"] else None
            tee = gw.tee_fields(cfg, fault, req_hash, text, ts)
            obj = {"id": "cmpl-%s" % uuid.uuid4(), "object": "text_completion",
                   "created": ts, "model": model,
                   "choices": [{"text": text, "index": 0,
                                "finish_reason": "stop"}],
                   "usage": usage}
            if tee:
                obj.update(tee)
            self._newer_extras(obj, req, usage,
                               prompt if isinstance(prompt, str) else "")
            return self._send_json_answer(obj, tee, settle, session_hdr,
                                          fault, ea)
        # chat
        tools = req.get("tools") or []
        want_tools = bool(tools) and not (stream and
                                          cfg["stream_tools"] == "none")
        calls = self._tool_calls(tools, req_hash, cfg["tool_calls"]) \
            if want_tools else []
        if calls:
            text = ""
            output = ogcanon.tool_calls_output(calls)
            finish = "tool_calls"
        else:
            text = "Echo: " + self._last_user_text(req["messages"])
            if fault == "dribble":
                text += DRIBBLE_SUFFIX
            output = text
            finish = "stop"
        usage = self._usage(req, output, chat) if cfg["usage"] else None
        tee = gw.tee_fields(cfg, fault, req_hash, output, ts)
        query = self._last_user_text(req["messages"])
        images = self._images(model) if cfg["newer"] else None
        if not stream:
            msg = {"role": "assistant", "content": text}
            if calls:
                msg["tool_calls"] = calls
            if images:
                msg["images"] = images
            obj = {"id": "chatcmpl-%s" % uuid.uuid4(),
                   "object": "chat.completion", "created": ts, "model": model,
                   "choices": [{"index": 0, "message": msg,
                                "finish_reason": finish}]}
            if tee:
                obj.update(tee)
            if usage is not None:
                obj["usage"] = usage
            self._newer_extras(obj, req, usage, query)
            return self._send_json_answer(obj, tee, settle, session_hdr,
                                          fault, ea)
        # streamed chat: build the events, then write them
        events = []
        if cfg["newer"] and req.get("web_search"):
            # progress frames: no content, not part of the signed output
            for q in (query, query + " (refined)"):
                events.append(sse_event({
                    "choices": [{"delta": {}, "index": 0,
                                 "finish_reason": None}],
                    "model": model,
                    "web_search": {"status": "searching", "query": q}}, ea))
        n = cfg["chunk_chars"]
        for off in range(0, len(text), n):
            events.append(sse_event({
                "choices": [{"delta": {"content": text[off:off + n],
                                       "role": "assistant"},
                             "index": 0, "finish_reason": None}],
                "model": model}, ea))
        if calls:
            events.extend(self._tool_call_events(calls, model, ea,
                                                 cfg["stream_tools"]))
        final = {"choices": [{"delta": {}, "index": 0,
                              "finish_reason": finish}], "model": model}
        if tee:
            for k in ("tee_signature", "tee_timestamp", "tee_request_hash",
                      "tee_output_hash", "tee_id"):
                final[k] = tee[k]
        if usage is not None:
            final["usage"] = usage
        self._newer_extras(final, req, usage, query)
        if images:
            final["images"] = images
        if fault == "bad_json":
            events.insert(0, b'data: {"choices": [{"delta": {"content": '
                             b'"Ech\n\n')
        if fault == "error_frame":
            events = events[:1] + [sse_event(self._error_obj(
                "Stream processing failed", "APIConnectionError"))]
            tail = []
        elif fault == "truncate":
            events = events[:max(1, len(events) // 2)]
            tail = []
        elif fault == "no_done":
            tail = [sse_event(final, ea)]
        else:
            tail = [sse_event(final, ea), b"data: [DONE]\n\n"]
        events += tail
        hdrs = [("Cache-Control", "no-cache"), ("Connection", "keep-alive")]
        hdrs += session_hdr
        if settle == "individual" and fault != "truncate":
            body = b"".join(events)
            hdrs += self._individual_headers(tee)
            self._send(200, body, ctype="text/event-stream; charset=utf-8",
                       headers=hdrs,
                       fault=fault if fault == "dribble" else None)
            if fault == "error_frame":
                raise Abort()
            return 200
        self._status(200)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        for k, v in hdrs:
            self.send_header(k, v)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        if fault == "dribble":
            self._dribble(b"".join(events), chunked=True)
        else:
            for ev in events:
                self._chunk(ev)
                if cfg["event_delay"]:
                    time.sleep(cfg["event_delay"])
        if fault == "truncate":
            raise Abort()
        self.wfile.write(b"0\r\n\r\n")
        if fault == "error_frame":
            raise Abort()
        return 200

    @staticmethod
    def _tool_call_events(calls, model, ea, style):
        def ev(tc):
            return sse_event({"choices": [{"delta": {"role": "assistant",
                                                     "tool_calls": [tc]},
                                           "index": 0,
                                           "finish_reason": None}],
                              "model": model}, ea)
        out = []
        if style != "fragmented":
            for i, c in enumerate(calls):
                out.append(ev({"index": i, "id": c["id"], "type": "function",
                               "function": {"name": c["function"]["name"],
                                            "arguments":
                                                c["function"]["arguments"]}}))
            return out
        # unbuffered (Gemini/xAI style): fragments interleaved across calls
        frags = []
        for i, c in enumerate(calls):
            a = c["function"]["arguments"]
            k = max(1, (len(a) + 2) // 3)
            pieces = [a[j:j + k] for j in range(0, len(a), k)] or [""]
            seq = [{"index": i, "type": "function",
                    "function": {"name": c["function"]["name"]},
                    "id": c["id"]}]
            for p in pieces:
                if p:
                    seq.append({"index": i, "type": "function",
                                "function": {"arguments": p}})
            frags.append(seq)
        for step in range(max(len(s) for s in frags)):
            for seq in frags:
                if step < len(seq):
                    out.append(ev(seq[step]))
        return out

    @staticmethod
    def _individual_headers(tee):
        if not tee:
            return [("X-Settlement-Type", "individual")]
        tx = "0x" + keccak256(bytes.fromhex(tee["tee_request_hash"]) +
                              bytes.fromhex(tee["tee_output_hash"])).hex()
        return [("X-TEE-Signature", tee["tee_signature"]),
                ("X-TEE-ID", tee["tee_id"]),
                ("X-TEE-Timestamp", str(tee["tee_timestamp"])),
                ("X-TEE-Request-Hash", "0x" + tee["tee_request_hash"]),
                ("X-TEE-Output-Hash", "0x" + tee["tee_output_hash"]),
                ("X-Settlement-Type", "individual"),
                ("X-Settlement-Status", "submitted"),
                ("X-Settlement-Tx-Hash", tx)]

    def _send_json_answer(self, obj, tee, settle, session_hdr, fault, ea):
        hdrs = list(session_hdr)
        if settle == "individual":
            hdrs += self._individual_headers(tee)
        body = json.dumps(obj, separators=(",", ":"),
                          ensure_ascii=ea).encode("utf-8")
        if fault == "bad_json":
            body = body[:len(body) // 2]
        if fault == "no_done" or fault == "error_frame":
            fault = None
        self._send(200, body, headers=hdrs, fault=fault)
        return 200

    def _bench(self, req, req_hash, n, stream, settle, session):
        gw = self.server.gw
        cfg = self.cfg
        model = req["model"]
        ts = cfg["fixed_timestamp"] if cfg["fixed_timestamp"] is not None \
            else int(time.time())
        frames, output = gw.bench_body(n, model, cfg["ensure_ascii"])
        usage = self._usage(req, output, True) if cfg["usage"] else None
        tee = gw.tee_fields(cfg, None, req_hash, output, ts)
        if not stream:
            msg = {"role": "assistant", "content": output}
            obj = {"id": "chatcmpl-%s" % uuid.uuid4(),
                   "object": "chat.completion", "created": ts, "model": model,
                   "choices": [{"index": 0, "message": msg,
                                "finish_reason": "stop"}]}
            if tee:
                obj.update(tee)
            if usage is not None:
                obj["usage"] = usage
            return self._send_json_answer(obj, tee, settle, [], None, True)
        final = {"choices": [{"delta": {}, "index": 0,
                              "finish_reason": "stop"}], "model": model}
        if tee:
            for k in ("tee_signature", "tee_timestamp", "tee_request_hash",
                      "tee_output_hash", "tee_id"):
                final[k] = tee[k]
        if usage is not None:
            final["usage"] = usage
        tail = sse_event(final, cfg["ensure_ascii"]) + b"data: [DONE]\n\n"
        self._status(200)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "keep-alive")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        delay = cfg["bench_delay"]
        if delay:
            for fr in frames:
                self.wfile.write(fr)
                time.sleep(delay)
        else:
            self.wfile.write(b"".join(frames))
        self.wfile.write(b"%x\r\n" % len(tail) + tail + b"\r\n0\r\n\r\n")
        return 200


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 4096  # thousands of concurrent streams (bench, examples)

    def __init__(self, addr, gw, ctx, verbose):
        if ":" in addr[0]:
            self.address_family = socket.AF_INET6
        self.gw = gw
        self.ctx = ctx
        self.verbose = verbose
        super().__init__(addr, Handler)

    def finish_request(self, request, client_address):
        # TLS handshake in the connection's own thread, not in accept()
        try:
            request.settimeout(Handler.timeout)
            # answers are small writes after the headers: without NODELAY
            # each waits ~40 ms on Nagle + the client's delayed ACK
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            tls = self.ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            if self.verbose:
                sys.stderr.write("gateway: TLS handshake failed: %s\n" % e)
            return
        with self.gw.lock:
            self.gw.stats["tls_handshakes"] += 1
            if tls.session_reused:
                self.gw.stats["tls_resumed"] += 1
        try:
            Handler(tls, client_address, self)
        except (OSError, ssl.SSLError):
            pass
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        if self.verbose:
            super().handle_error(request, client_address)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, required=True,
                   help="TCP port (0 = any free port, see --ready-file)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--cert", required=True, help="TLS certificate (PEM)")
    p.add_argument("--key", required=True, help="TLS private key (PEM)")
    p.add_argument("--signing-key", required=True,
                   help="RSA private key (PEM) that signs answers")
    p.add_argument("--payment-address", required=True,
                   help="x402 payTo address")
    p.add_argument("--ready-file", help="written (JSON) once listening")
    p.add_argument("--pidfile")
    p.add_argument("--rules", choices=ogcanon.RULES, default="2026-04",
                   help="canonical request rules used for tee_request_hash")
    p.add_argument("--newer", action="store_true",
                   help="play a newer gateway (see the module doc)")
    p.add_argument("--fault", choices=FAULTS)
    p.add_argument("--x402", action="store_true", help="demand payment")
    p.add_argument("--facilitator", default=DEFAULT_FACILITATOR,
                   help="facilitator signer address advertised in 402s")
    p.add_argument("--no-sign", action="store_true",
                   help="answer without tee_* signature fields")
    p.add_argument("--node", default=os.environ.get("NODE", "node"),
                   help="node binary for the x402 verifier helper")
    p.add_argument("-v", "--verbose", action="store_true")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    for a in ("payment_address", "facilitator"):
        try:
            checksum_address(getattr(args, a))
        except ValueError as e:
            raise SystemExit("gateway: --%s: %s" % (a.replace("_", "-"), e))
    gw = Gateway(args)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    ctx.set_alpn_protocols(["http/1.1"])
    if gw.cfg["x402"]:
        gw.verifier.start()
    server = Server((args.host, args.port), gw, ctx, args.verbose)
    port = server.server_address[1]

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    if args.ready_file:
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"port": port, "host": args.host, "pid": os.getpid(),
                       "tee_id": gw.tee_id,
                       "url": "https://%s:%d" % (
                           "[%s]" % args.host if ":" in args.host
                           else args.host, port)}, f)
            f.write("\n")
        os.replace(tmp, args.ready_file)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        gw.verifier.stop()
        if args.pidfile:
            try:
                os.unlink(args.pidfile)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
