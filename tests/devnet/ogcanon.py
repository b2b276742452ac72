"""Pure-Python pieces shared by the gateway stand-in and its tests.

- keccak256: Ethereum Keccak-256 (pad byte 0x01). hashlib.sha3_256 is the
  FIPS variant (pad 0x06) and gives different digests, so it cannot be used.
- canonical_chat / canonical_completion: the canonical request dicts the
  tee-gateway hashes (signatures.md section 3), under the gateway's 2026-04
  rules (commit cb95a5c) or the newer rules mirrored by SDK 1.1.3.
- request_hash / output_string / msg_hash: the signed quantities.

- pystr: Python 3.12's str() of a JSON value. The gateway runs Python 3.12
  (Unicode 15.0), whose repr() keeps characters new in Unicode 15.0 (e.g.
  U+1FA77) as they are, where 3.11 (Unicode 14) escapes them; the printable
  test is the generated Unicode 15.0.0 table (pyprintable.py), everything
  else is Python's own repr.

Python's own json module is the canonical-JSON oracle, exactly as in the
gateway, so json.dumps(obj, sort_keys=True) gives the hashed bytes.
"""

import bisect
import json

from pyprintable import NONPRINT, UNICODE_VERSION  # noqa: F401

_M64 = (1 << 64) - 1
_RC = [
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A,
    0x8000000080008000, 0x000000000000808B, 0x0000000080000001,
    0x8000000080008081, 0x8000000000008009, 0x000000000000008A,
    0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089,
    0x8000000000008003, 0x8000000000008002, 0x8000000000000080,
    0x000000000000800A, 0x800000008000000A, 0x8000000080008081,
    0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
]
# rotation offsets r[x][y]
_R = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61],
      [28, 55, 25, 21, 56], [27, 20, 39, 8, 14]]
# rho+pi as (source lane, destination lane, rotation) with lane = x + 5y
_PI = []
for _x in range(5):
    for _y in range(5):
        _PI.append((_x + 5 * _y, _y + 5 * ((2 * _x + 3 * _y) % 5), _R[_x][_y]))


def _keccak_f(a):
    pi = _PI
    m = _M64
    for rc in _RC:
        c = [a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20]
             for x in range(5)]
        d = [c[(x - 1) % 5] ^ (((c[(x + 1) % 5] << 1) |
                                 (c[(x + 1) % 5] >> 63)) & m)
             for x in range(5)]
        b = [0] * 25
        for src, dst, r in pi:
            v = a[src] ^ d[src % 5]
            b[dst] = ((v << r) | (v >> (64 - r))) & m if r else v
        for y in range(0, 25, 5):
            b0, b1, b2, b3, b4 = b[y], b[y + 1], b[y + 2], b[y + 3], b[y + 4]
            a[y] = b0 ^ (~b1 & b2)
            a[y + 1] = b1 ^ (~b2 & b3)
            a[y + 2] = b2 ^ (~b3 & b4)
            a[y + 3] = b3 ^ (~b4 & b0)
            a[y + 4] = b4 ^ (~b0 & b1)
        a[0] ^= rc


def keccak256(data):
    """Ethereum Keccak-256 of bytes; returns 32 bytes."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    rate = 136
    padded = bytearray(data)
    padded.append(0x01)
    while len(padded) % rate:
        padded.append(0)
    padded[-1] |= 0x80
    a = [0] * 25
    frombytes = int.from_bytes
    for off in range(0, len(padded), rate):
        for i in range(17):
            a[i] ^= frombytes(padded[off + 8 * i:off + 8 * i + 8], "little")
        _keccak_f(a)
    return b"".join(a[i].to_bytes(8, "little") for i in range(4))


def checksum_address(addr):
    """EIP-55 checksummed form of a 20-byte hex address."""
    h = addr.lower()
    if h.startswith("0x"):
        h = h[2:]
    if len(h) != 40 or any(ch not in "0123456789abcdef" for ch in h):
        raise ValueError("not a 20-byte hex address: %r" % addr)
    digest = keccak256(h.encode("ascii")).hex()
    return "0x" + "".join(ch.upper() if int(digest[i], 16) >= 8 else ch
                          for i, ch in enumerate(h))


_NP_START = [a for a, _ in NONPRINT]


def isprintable(ch):
    """str.isprintable() of one character under Unicode 15.0 (Python 3.12)."""
    c = ord(ch)
    if c < 0x80:
        return 0x20 <= c < 0x7F
    i = bisect.bisect_right(_NP_START, c) - 1
    return not (i >= 0 and c <= NONPRINT[i][1])


def _repr_str(s):
    # CPython's unicode_repr, with the Unicode 15.0 printable test
    quote = '"' if ("'" in s and '"' not in s) else "'"
    out = [quote]
    for ch in s:
        c = ord(ch)
        if ch == quote or ch == "\\":
            out.append("\\" + ch)
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif c < 0x20 or c == 0x7F:
            out.append("\\x%02x" % c)
        elif c < 0x7F or isprintable(ch):
            out.append(ch)
        elif c <= 0xFF:
            out.append("\\x%02x" % c)
        elif c <= 0xFFFF:
            out.append("\\u%04x" % c)
        else:
            out.append("\\U%08x" % c)
    out.append(quote)
    return "".join(out)


def pyrepr(v):
    """repr() of a JSON value (dict, list, str, int, float, bool, None)."""
    if isinstance(v, str):
        return _repr_str(v)
    if isinstance(v, list):
        return "[" + ", ".join(pyrepr(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(pyrepr(k) + ": " + pyrepr(x)
                               for k, x in v.items()) + "}"
    return repr(v)


def pystr(v):
    """str() of a JSON value as Python 3.12 writes it."""
    return v if isinstance(v, str) else pyrepr(v)


def printability_differs(v):
    """True when v holds a character whose printability under this
    Python's own Unicode version differs from Unicode 15.0 (so str(v) here
    and pystr(v) may differ)."""
    if isinstance(v, str):
        return any(ord(ch) >= 0x80 and ch.isprintable() != isprintable(ch)
                   for ch in v)
    if isinstance(v, list):
        return any(printability_differs(x) for x in v)
    if isinstance(v, dict):
        return any(printability_differs(k) or printability_differs(x)
                   for k, x in v.items())
    return False


class CanonError(Exception):
    """The gateway would fail on this request (HTTP 500 at cb95a5c)."""


RULES = ("2026-04", "newer")


def _truthy(v):
    # Python truthiness, as the gateway applies it
    return bool(v)


def _norm_message_2026_04(m):
    role = m.get("role")
    content = m.get("content")
    if role == "system":
        return {"role": "system", "content": content}
    if role == "user":
        if not isinstance(content, str):
            # Python str(): for a list a repr, insertion order, raw
            # non-ASCII; str(None) for null
            return {"role": "user", "content": pystr(content)}
        return {"role": "user", "content": content}
    if role == "assistant":
        out = {"role": "assistant", "content": content or ""}
        tcs = m.get("tool_calls")
        if tcs:
            norm = []
            for tc in tcs:
                tc = tc if isinstance(tc, dict) else {}
                fn = tc.get("function")
                fn = fn if isinstance(fn, dict) else {}
                norm.append({"id": tc.get("id"), "type": tc.get("type"),
                             "function": {"name": fn.get("name"),
                                          "arguments": fn.get("arguments")}})
            out["tool_calls"] = norm
        return out
    if role == "tool":
        return {"role": "tool", "content": content,
                "tool_call_id": m.get("tool_call_id")}
    if role == "function":
        return {"role": "function", "content": content, "name": m.get("name")}
    raise CanonError("unsupported message role %r" % (role,))


def _norm_user_list_newer(parts):
    out = []
    for p in parts:
        if not isinstance(p, dict):
            out.append({"type": "text", "text": pystr(p)})
            continue
        if p.get("type") == "text":
            out.append({"type": "text", "text": p.get("text", "") or ""})
            continue
        item = {"type": p.get("type")}
        f = p.get("file")
        fname = None
        if isinstance(f, dict):
            fname = f.get("filename")
        if not fname:
            fname = p.get("filename")
        if fname:
            item["filename"] = fname
        out.append(item)
    return out


def _norm_message_newer(m):
    role = m.get("role")
    content = m.get("content")
    if role in ("system", "developer"):
        return {"role": "system", "content": content}
    if role == "user":
        # the SDK's and the gateway's canonical_user_content
        if isinstance(content, str):
            return {"role": "user", "content": content}
        if isinstance(content, list):
            return {"role": "user", "content": _norm_user_list_newer(content)}
        return {"role": "user", "content": pystr(content)}
    if role == "assistant":
        out = {"role": "assistant", "content": content or ""}
        tcs = m.get("tool_calls")
        if tcs:
            norm = []
            for tc in tcs:
                if not isinstance(tc, dict):
                    raise CanonError("tool call is not an object")
                fn = tc.get("function", {})
                if not isinstance(fn, dict):
                    raise CanonError("tool call function is not an object")
                # dict.get defaults: only a missing key takes the default
                norm.append({"id": tc.get("id", ""),
                             "type": tc.get("type", "function"),
                             "function": {"name": fn.get("name", ""),
                                          "arguments":
                                              fn.get("arguments", "")}})
            out["tool_calls"] = norm
        return out
    if role == "tool":
        return {"role": "tool", "content": content,
                "tool_call_id": m.get("tool_call_id")}
    if role == "function":
        return {"role": "function", "content": content, "name": m.get("name")}
    raise CanonError("unsupported message role %r" % (role,))


def canonical_chat(req, rules="2026-04"):
    """Canonical dict of a parsed chat request (signatures.md 3.3)."""
    norm = _norm_message_2026_04 if rules == "2026-04" else _norm_message_newer
    msgs = []
    for m in req.get("messages") or []:
        if not isinstance(m, dict):
            raise CanonError("message is not an object")
        msgs.append(norm(m))
    t = req.get("temperature")
    c = {"model": req.get("model"), "messages": msgs,
         "temperature": 0.0 if t is None else float(t)}
    if req.get("max_tokens") is not None:
        c["max_tokens"] = req["max_tokens"]
    if _truthy(req.get("stop")):
        c["stop"] = req["stop"]
    if _truthy(req.get("tools")):
        c["tools"] = req["tools"]
    if _truthy(req.get("response_format")):
        c["response_format"] = req["response_format"]
    if rules != "2026-04" and _truthy(req.get("web_search")):
        c["web_search"] = True
    return c


def canonical_completion(req, rules="2026-04"):
    """Canonical dict of a parsed completion request (signatures.md 3.4)."""
    c = {"model": req.get("model"), "prompt": req.get("prompt")}
    if "temperature" not in req:
        c["temperature"] = 1.0
    else:
        t = req["temperature"]
        c["temperature"] = 0.0 if t is None else float(t)
    if "max_tokens" not in req:
        c["max_tokens"] = 16
    elif req["max_tokens"] is not None:
        c["max_tokens"] = req["max_tokens"]
    if _truthy(req.get("stop")):
        c["stop"] = req["stop"]
    if rules != "2026-04" and _truthy(req.get("web_search")):
        # the newer completions controller hashes it too
        c["web_search"] = True
    return c


def canonical_bytes(canon):
    return json.dumps(canon, sort_keys=True).encode("utf-8")


def request_hash(req, endpoint, rules="2026-04"):
    """32-byte request hash for a parsed request body."""
    if endpoint.endswith("/chat/completions"):
        canon = canonical_chat(req, rules)
    else:
        canon = canonical_completion(req, rules)
    return keccak256(canonical_bytes(canon))


def tool_calls_output(tool_calls):
    """Output string of a tool-call answer: json.dumps(list, sort_keys)."""
    return json.dumps([{"id": tc.get("id"), "type": tc.get("type", "function"),
                        "function": {"name": tc["function"].get("name"),
                                     "arguments":
                                         tc["function"].get("arguments")}}
                       for tc in tool_calls], sort_keys=True)


def msg_hash(req_hash, out_hash, ts):
    return keccak256(req_hash + out_hash + int(ts).to_bytes(32, "big"))
