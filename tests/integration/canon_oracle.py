#!/usr/bin/env python3
"""Differential test of the canonical JSON writer against CPython.

Generates a corpus with a fixed seed (unicode incl. astral characters,
surrogate-pair escapes, control characters, DEL, escaped slashes, floats
tiny/huge/negative zero/integral, int64 edges, deep nesting, tools-like
nesting, duplicate keys, random whitespace) and compares byte for byte:

  canon   json.dumps(json.loads(text), sort_keys=True)
  pystr   str(json.loads(text)) as Python 3.12 (Unicode 15.0) writes it:
          ogcanon.pystr, itself checked here against this Python's own
          str() on every case without a character whose printability
          changed between this Python's Unicode version and 15.0
  chat-2026-04, chat-newer, completion-2026-04, completion-newer
          the gateway's canonical request, from a Python mirror of the rules
          in the signatures reference §3.3-§3.4

Usage: canon_oracle.py PATH/TO/example_canon [N]
"""
import json
import math
import random
import struct
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "devnet"))
from ogcanon import pystr, printability_differs  # noqa: E402

SEED = 20260401
R = random.Random(SEED)

SPECIAL_CPS = [0x22, 0x5C, 0x2F, 0x7F, 0x85, 0xA0, 0xAD, 0x2028, 0x2029,
               0xFEFF, 0xFFFD, 0xFFFF, 0xE000, 0x1F600, 0x1F680, 0x10FFFF,
               0xE0001, 0x200D, 0x0378, 0x27, 0x00,
               # new in Unicode 15.0: printable under Python 3.12 (U+13439
               # is a format character, printable in neither)
               0x1FA77, 0x1F6DC, 0x0CF3, 0x11F00, 0x1E030, 0x31350, 0x323AF,
               0x13439]


def rand_cp(allow_nul=True):
    while True:
        k = R.random()
        if k < 0.35:
            c = R.randint(0x20, 0x7E)
        elif k < 0.43:
            c = R.randint(0, 0x1F)
        elif k < 0.46:
            c = 0x7F
        elif k < 0.58:
            c = R.randint(0x80, 0x7FF)
        elif k < 0.74:
            c = R.randint(0x800, 0xFFFF)
        elif k < 0.88:
            c = R.randint(0x10000, 0x10FFFF)
        else:
            c = R.choice(SPECIAL_CPS)
        if 0xD800 <= c <= 0xDFFF:
            continue  # lone surrogates: jansson refuses them
        if c == 0 and not allow_nul:
            continue
        return c


def rand_str(maxlen=10, allow_nul=True):
    return "".join(chr(rand_cp(allow_nul)) for _ in range(R.randint(0, maxlen)))


def hexcase(s):
    # upper-case hex digits only: "\\u00e9" -> "\\u00E9"
    return s.upper().replace("\\U", "\\u") if R.random() < 0.3 else s


def emit_str(s):
    """A JSON string literal for s, with randomly chosen escape styles."""
    out = ['"']
    short = {8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"}
    for ch in s:
        c = ord(ch)
        p = R.random()
        if ch == '"':
            out.append('\\"' if p < 0.7 else "\\u0022")
        elif ch == "\\":
            out.append("\\\\" if p < 0.7 else "\\u005c")
        elif c < 0x20:
            if c in short and p < 0.6:
                out.append(short[c])
            else:
                out.append(hexcase("\\u%04x" % c))
        elif ch == "/" and p < 0.5:
            out.append("\\/")
        elif c >= 0x10000 and p < 0.5:
            v = c - 0x10000
            out.append(hexcase("\\u%04x\\u%04x" % (0xD800 | (v >> 10),
                                                   0xDC00 | (v & 0x3FF))))
        elif c >= 0x7F and c < 0x10000 and p < 0.4:
            out.append(hexcase("\\u%04x" % c))
        elif c < 0x7F and p < 0.03:
            out.append(hexcase("\\u%04x" % c))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def ws():
    return R.choice(["", "", "", " ", "\t", "  ", "\r", " \t "])


def rand_float():
    k = R.random()
    if k < 0.25:
        while True:
            x = struct.unpack("<d", R.getrandbits(64).to_bytes(8, "little"))[0]
            if math.isfinite(x):
                return x
    if k < 0.40:
        return R.choice([0.0, -0.0, 1.0, -1.0, 0.1, 0.2, 0.7, 2.5, 1e16,
                         1e15, 9999999999999998.0, 1e-4, 1e-5, 0.0001,
                         0.00012345, 5e-324, 1.7976931348623157e308,
                         2.2250738585072014e-308, 123456789012345678.0, 1e22,
                         1e21, -1e-7, 0.30000000000000004, 1e100, 1.5e300,
                         4.35, 100.0, 1e-320])
    if k < 0.55:
        return float(R.randint(-10 ** 7, 10 ** 7))
    if k < 0.75:
        return R.uniform(-1000, 1000)
    return R.choice([1, -1]) * 10 ** R.uniform(-323, 308)


def emit_float(x):
    k = R.random()
    if k < 0.4:
        t = repr(x)
    elif k < 0.6:
        t = "%.17g" % x
    elif k < 0.75:
        t = "%.*e" % (R.randint(0, 20), x)
        t = t.replace("e", R.choice(["e", "E"]))
    elif k < 0.9:
        t = "%.25g" % x
    else:
        t = repr(x)
        if "e" not in t:
            t = t + "0" * R.randint(1, 5)  # trailing zeros: 1.10 -> 1.1
    if not any(c in t for c in ".eE"):
        t += R.choice([".0", "e0", "E+0", ".000"])
    return t


def rand_int():
    k = R.random()
    if k < 0.5:
        return R.randint(-1000, 1000)
    if k < 0.8:
        return R.randint(-2 ** 63, 2 ** 63 - 1)
    return R.choice([0, -1, 2 ** 63 - 1, -2 ** 63, 2 ** 53 + 1, 10 ** 18])


def emit_int(v):
    if v == 0 and R.random() < 0.3:
        return "-0"
    return str(v)


def emit_value(depth, maxdepth):
    k = R.random()
    if depth < maxdepth and k < 0.2:
        items = [emit_value(depth + 1, maxdepth)
                 for _ in range(R.randint(0, 5))]
        return "[" + ws() + ("," + ws()).join(items) + ws() + "]"
    if depth < maxdepth and k < 0.42:
        return emit_object(depth, maxdepth)
    if k < 0.62:
        return emit_str(rand_str())
    if k < 0.74:
        return emit_float(rand_float())
    if k < 0.86:
        return emit_int(rand_int())
    return R.choice(["true", "false", "null"])


def emit_object(depth, maxdepth):
    keys = []
    for _ in range(R.randint(0, 6)):
        if keys and R.random() < 0.15:
            keys.append(R.choice(keys))  # duplicate key: the last one wins
        elif R.random() < 0.3:
            keys.append(R.choice(["a", "b", "A", "_", "", "a1", "aa", "\u00e9",
                                  "\uff5a", "\U0001F600", "z", "1"]))
        else:
            keys.append(rand_str(6, allow_nul=False))
    parts = [emit_str(k) + ws() + ":" + ws() + emit_value(depth + 1, maxdepth)
             for k in keys]
    return "{" + ws() + ("," + ws()).join(parts) + ws() + "}"


def deep(n):
    s = "0"
    for i in range(n):
        if i % 2:
            s = "[" + s + "]"
        else:
            s = "{" + emit_str(rand_str(3, allow_nul=False)) + ":" + s + "}"
    return s


TOOL = ('{"type":"function","function":{"name":"get_current_weather",'
        '"description":"Get the current weather in a given location",'
        '"parameters":{"type":"object","properties":{"city":{"type":"string"},'
        '"state":{"type":"string"},"unit":{"type":"string","enum":'
        '["fahrenheit","celsius"]}},"required":["city","state","unit"]}}}')


def corpus_values(n):
    docs = []
    for _ in range(n):
        docs.append(ws() + emit_value(0, R.randint(0, 6)) + ws())
    for d in (50, 100, 128, 129, 200, 400):
        docs.append(deep(d))
    docs.append("[" + ",".join([TOOL] * 3) + "]")
    docs.append('{"tools":[' + TOOL + '],"tool_calls":[{"id":"c","type":'
                '"function","function":{"name":"f","arguments":'
                + emit_str(json.dumps({"city": "Dallas", "q": "\u00e9\"/"}))
                + '}}]}')
    docs.append('{"k":1,"k":2,"k":{"z":1,"z":[3]}}')
    return docs


# ---- a Python mirror of the canonical request rules ----

class Reject(Exception):
    pass


def pyfloat(v):
    if isinstance(v, (bool, int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            x = float(v)
        except ValueError:
            raise Reject()
        if not math.isfinite(x):
            raise Reject()
        return x
    raise Reject()


def pylist(v):
    if isinstance(v, list):
        return v
    if isinstance(v, (dict, str)):
        return list(v)
    raise Reject()


def user_content_newer(c):
    if isinstance(c, str):
        return c
    if not isinstance(c, list):
        return pystr(c)
    out = []
    for part in c:
        if not isinstance(part, dict):
            out.append({"type": "text", "text": pystr(part)})
            continue
        if part.get("type") == "text":
            out.append({"type": "text", "text": part.get("text", "") or ""})
            continue
        e = {"type": part.get("type")}
        f = part.get("file")
        fn = (f.get("filename") if isinstance(f, dict) else None) \
            or part.get("filename")
        if fn:
            e["filename"] = fn
        out.append(e)
    return out


def tool_calls(calls, rules):
    if not isinstance(calls, list):
        raise Reject()
    out = []
    for tc in calls:
        if not isinstance(tc, dict):
            raise Reject()
        f = tc.get("function")
        if "function" in tc and not isinstance(f, dict):
            raise Reject()
        if rules == "2026-04":
            if f is None:
                raise Reject()
            out.append({"id": tc.get("id"), "type": tc.get("type"),
                        "function": {"name": f.get("name"),
                                     "arguments": f.get("arguments")}})
        else:
            f = tc.get("function", {})
            out.append({"id": tc.get("id", ""),
                        "type": tc.get("type", "function"),
                        "function": {"name": f.get("name", ""),
                                     "arguments": f.get("arguments", "")}})
    return out


def message(m, rules):
    if not isinstance(m, dict):
        raise Reject()
    role = m.get("role")
    if not isinstance(role, str) or "\0" in role:
        raise Reject()
    c = m.get("content")
    if role == "system" or (role == "developer" and rules == "newer"):
        return {"role": "system", "content": c}
    if role == "user":
        if isinstance(c, str):
            return {"role": "user", "content": c}
        if rules == "2026-04":
            return {"role": "user", "content": pystr(c)}
        return {"role": "user", "content": user_content_newer(c)}
    if role == "assistant":
        out = {"role": "assistant", "content": c or ""}
        if m.get("tool_calls"):
            out["tool_calls"] = tool_calls(m["tool_calls"], rules)
        return out
    if role == "tool":
        return {"role": "tool", "content": c,
                "tool_call_id": m.get("tool_call_id")}
    if role == "function":
        return {"role": "function", "content": c, "name": m.get("name")}
    raise Reject()


def chat(req, rules):
    if not isinstance(req, dict):
        raise Reject()
    msgs = req.get("messages", [] if rules == "2026-04" else None)
    if rules == "newer":
        if not isinstance(req.get("model"), str) or not req.get("model"):
            raise Reject()
        if not isinstance(msgs, list) or not msgs:
            raise Reject()
    elif not isinstance(msgs, list):
        raise Reject()
    d = {"model": req.get("model"),
         "messages": [message(m, rules) for m in msgs]}
    t = req.get("temperature")
    d["temperature"] = pyfloat(t) if t is not None else 0.0
    if req.get("max_tokens") is not None:
        d["max_tokens"] = req["max_tokens"]
    if req.get("stop"):
        d["stop"] = req["stop"]
    if req.get("tools"):
        d["tools"] = pylist(req["tools"])
    if req.get("response_format"):
        d["response_format"] = req["response_format"]
    if rules == "newer" and req.get("web_search"):
        d["web_search"] = True
    return d


def completion(req, rules):
    if not isinstance(req, dict):
        raise Reject()
    d = {"model": req.get("model"), "prompt": req.get("prompt")}
    if "temperature" not in req:
        d["temperature"] = 1.0
    elif req["temperature"] is None:
        d["temperature"] = 0.0
    else:
        d["temperature"] = pyfloat(req["temperature"])
    if "max_tokens" not in req:
        d["max_tokens"] = 16
    elif req["max_tokens"] is not None:
        d["max_tokens"] = req["max_tokens"]
    if req.get("stop"):
        d["stop"] = req["stop"]
    if rules == "newer" and req.get("web_search"):
        # the newer completions controller hashes it too
        d["web_search"] = True
    return d


def rand_small():
    return json.loads(emit_value(0, 2))


def rand_content():
    k = R.random()
    if k < 0.45:
        return rand_str(20)
    if k < 0.5:
        return None
    if k < 0.8:
        parts = []
        for _ in range(R.randint(0, 4)):
            p = R.random()
            if p < 0.35:
                part = {"type": "text"}
                if R.random() < 0.8:
                    part["text"] = R.choice([rand_str(12), None, "", 3])
                parts.append(part)
            elif p < 0.55:
                parts.append({"type": "image_url",
                              "image_url": {"url": "data:image/png;base64,AA"}})
            elif p < 0.7:
                parts.append({"type": "file", "file": R.choice([
                    {"filename": rand_str(6), "file_data": "AAAA"},
                    {"file_data": "AAAA"}, None, "x"])})
            elif p < 0.8:
                parts.append({"type": "input_audio",
                              "filename": R.choice(["a.wav", "", None])})
            else:
                parts.append(rand_small())
        return parts
    return rand_small()


def rand_tool_call():
    tc = {}
    if R.random() < 0.8:
        tc["id"] = R.choice(["call_" + rand_str(4), None, ""])
    if R.random() < 0.8:
        tc["type"] = R.choice(["function", "custom"])
    k = R.random()
    if k < 0.93:
        f = {}
        if R.random() < 0.85:
            f["name"] = R.choice(["get_weather", rand_str(5)])
        if R.random() < 0.85:
            f["arguments"] = json.dumps({"city": rand_str(5), "n": 1})
        tc["function"] = f
    elif k < 0.96:
        tc["function"] = R.choice([None, [1], "f"])
    return tc


def rand_message():
    role = R.choice(["system", "user", "user", "user", "assistant",
                     "assistant", "tool", "function", "developer"])
    if R.random() < 0.03:
        role = R.choice(["bot", None, 3])
    m = {}
    if role is not None:
        m["role"] = role
    if R.random() < 0.9:
        m["content"] = rand_content() if role == "user" else R.choice(
            [rand_str(15), None, "", rand_small()])
    if role == "assistant" and R.random() < 0.6:
        m["tool_calls"] = [rand_tool_call() for _ in range(R.randint(0, 3))]
        if R.random() < 0.05:
            m["tool_calls"] = R.choice(["oops", {}, [1]])
    if R.random() < 0.3:
        m["name"] = rand_str(5)
    if role == "tool" and R.random() < 0.8:
        m["tool_call_id"] = "call_" + rand_str(3)
    if R.random() < 0.02:
        return R.choice(["str message", 5, None])
    return m


def rand_request(kind):
    req = {}
    if R.random() < 0.95:
        req["model"] = R.choice(["gpt-5", "claude-haiku-4-5", "", rand_str(8)])
    if kind == "chat":
        if R.random() < 0.97:
            req["messages"] = [rand_message() for _ in range(R.randint(0, 5))]
    else:
        if R.random() < 0.95:
            req["prompt"] = R.choice([rand_str(20), [rand_str(5)], None])
    for key, choices in (
            ("temperature", [0, 1, 0.0, 0.7, 1.5, True, False, None,
                             " 0.25 ", "1e-3", "warm", [1], rand_float()]),
            ("max_tokens", [0, 16, 100, None, 100.0, "50", -1]),
            ("stop", ["", "END", [], ["\n", "5"], None, 0]),
            ("tools", [[], [json.loads(TOOL)], {"b": 1, "a": 2}, "ab\u00e9",
                       None, 5]),
            ("response_format", [{}, {"type": "json_object"}, None, ""]),
            ("web_search", [True, False, 1, 0, None, "yes"]),
            ("stream", [True, False]),
            ("tool_choice", ["auto", "none"]),
            ("seed", [1, 2])):
        if R.random() < 0.5:
            req[key] = R.choice(choices)
    if R.random() < 0.01:
        return emit_json(R.choice([[1], "x", None]))
    # emit with random key order, whitespace and escapes
    return emit_json(req)


def emit_json(v):
    if isinstance(v, dict):
        items = list(v.items())
        R.shuffle(items)
        return "{" + ",".join(emit_str(k) + ws() + ":" + ws() + emit_json(x)
                              for k, x in items) + "}"
    if isinstance(v, list):
        return "[" + ("," + ws()).join(emit_json(x) for x in v) + "]"
    if isinstance(v, str):
        return emit_str(v)
    if isinstance(v, bool) or v is None:
        return json.dumps(v)
    if isinstance(v, float):
        return emit_float(v)
    return emit_int(v)


MAX_DEPTH = 128  # the pre-parse limit on nesting (decisions: depth 128)
sys.setrecursionlimit(20000)


def depth(v):
    if isinstance(v, dict):
        return 1 + max((depth(x) for x in v.values()), default=0)
    if isinstance(v, list):
        return 1 + max((depth(x) for x in v), default=0)
    return 0


def expect(d, fn):
    """fn(parsed) for documents within the nesting limit, else the refusal."""
    v = json.loads(d)
    if depth(v) > MAX_DEPTH:
        return "ERR too_large"
    return fn(v)


def run(binary, mode, docs):
    p = subprocess.run([binary, mode], input="\n".join(docs).encode() + b"\n",
                       stdout=subprocess.PIPE, check=True)
    lines = p.stdout.decode().split("\n")[:-1]
    if len(lines) != len(docs):
        raise SystemExit("%s: %d outputs for %d inputs" % (mode, len(lines),
                                                          len(docs)))
    return lines


def compare(mode, docs, expected, got):
    bad = 0
    for d, e, g in zip(docs, expected, got):
        if e != g:
            bad += 1
            if bad <= 5:
                def show(x):
                    if x.startswith("ERR"):
                        return x
                    return repr(bytes.fromhex(x).decode("utf-8"))
                print("MISMATCH %s\n  input:  %r\n  python: %s\n  ours:   %s"
                      % (mode, d, show(e), show(g)))
    print("%-19s %5d cases, %d mismatches" % (mode, len(docs), bad))
    return bad


def main():
    binary = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    bad = 0

    docs = corpus_values(n)
    # integers beyond int64 and overflowing reals: Python keeps them,
    # we refuse them clearly
    refused = ["[18446744073709551616]", '{"a":-9223372036854775809}',
               "[1e400]", "[-1e999]"]
    exp = []
    for d in docs:
        exp.append(expect(d, lambda v: json.dumps(v, sort_keys=True)
                          .encode("ascii").hex()))
    bad += compare("canon", docs + refused, exp + ["ERR usage"] * 4,
                   run(binary, "canon", docs + refused))

    changed = [0]

    def py312_str(v):
        # the emulation must agree with this Python's own str() wherever
        # no character's printability changed
        if printability_differs(v):
            changed[0] += 1
        elif pystr(v) != str(v):
            raise SystemExit("pystr emulation differs from str(): %r" % (v,))
        return pystr(v).encode("utf-8").hex()
    exp = [expect(d, py312_str) for d in docs]
    bad += compare("pystr", docs, exp, run(binary, "pystr", docs))
    print("%-19s %5d with characters new in Unicode 15.0" % ("", changed[0]))
    if changed[0] == 0 and printability_differs(chr(0x1FA77)):
        print("FAIL: no case exercised the Unicode 15.0 characters")
        bad += 1

    for kind, fn in (("chat", chat), ("completion", completion)):
        reqs = [rand_request(kind) for _ in range(n // 2)]
        for rules in ("2026-04", "newer"):
            exp = []
            for text in reqs:
                try:
                    d = fn(json.loads(text), rules)
                    exp.append(json.dumps(d, sort_keys=True)
                               .encode("ascii").hex())
                except Reject:
                    exp.append("ERR verify")
            mode = "%s-%s" % (kind, rules)
            bad += compare(mode, reqs, exp, run(binary, mode, reqs))
            print("%-19s %5d accepted" % ("", sum(1 for e in exp
                                                   if e != "ERR verify")))
    if bad:
        print("FAIL: %d mismatches" % bad)
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
