#!/usr/bin/env python3
"""Generate tests/vectors/canonical_newer.json: known answers for the newer
gateways' canonical request rules (developer mapped to system, list user
content as {type,text} parts and {type[,filename]} attachments, dict.get
defaults in assistant tool calls, str() of other user content, and
"web_search": true on chat and completions).

Every canonical byte string is Python's own json.dumps(sort_keys=True) of
the dict built by tests/devnet/ogcanon.py (the stand-in's rules), and the
Keccak-256 is ogcanon's. When the path of the Python SDK 1.1.3's
client/tee_verify.py is given, every chat case is also built with the SDK's
own build_inner_request and must give the same bytes. Run from the
repository root:

    python3 tests/vectors/gen_canonical_newer.py [path/to/tee_verify.py]
"""
import importlib.util
import json
import os
import sys
import types

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "devnet"))
import ogcanon  # noqa: E402

CHAT = "/v1/chat/completions"
COMP = "/v1/completions"
U = {"role": "user", "content": "Hello"}

CASES = [
    ("developer_is_system", CHAT,
     {"model": "gpt-5", "messages": [
         {"role": "developer", "content": "Be brief."}, U],
      "max_tokens": 50, "temperature": 0.0}),
    ("user_list_parts", CHAT,
     {"model": "gpt-5", "messages": [{"role": "user", "content": [
         {"type": "text", "text": "Describe these"},
         {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
         {"type": "file", "file": {"filename": "report.pdf",
                                   "file_data": "data:application/pdf;base64,JVBE"}},
         {"type": "input_file", "filename": "notes.txt", "file_data": "eA=="},
         {"type": "text", "text": None},
         {"type": "text"},
         "a bare string part",
         42,
         {"type": "text", "text": "gr\u00fc\u00dfe \U0001F680"}]}],
      "max_tokens": 100, "temperature": 0.0}),
    ("user_non_string_content", CHAT,
     {"model": "gpt-5", "messages": [
         {"role": "user", "content": 42},
         {"role": "user", "content": None},
         {"role": "user", "content": {"a": 1, "b": [True, None]}}],
      "temperature": 0.5}),
    ("assistant_tool_call_defaults", CHAT,
     {"model": "gpt-5", "messages": [
         U,
         {"role": "assistant", "content": None, "tool_calls": [
             {"function": {}},
             {"id": None, "type": None,
              "function": {"name": None, "arguments": None}},
             {"id": "call_1", "type": "function",
              "function": {"name": "f", "arguments": "{\"x\": 1}"}}]},
         {"role": "tool", "content": "done", "tool_call_id": "call_1"}],
      "max_tokens": 10}),
    ("chat_web_search_stream_tools", CHAT,
     {"model": "gpt-5", "messages": [U], "max_tokens": 100,
      "temperature": 0.7, "web_search": True, "stream": True,
      "tools": [{"type": "function", "function": {"name": "f",
                                                  "parameters": {}}}],
      "tool_choice": "auto"}),
    ("chat_web_search_false", CHAT,
     {"model": "gpt-5", "messages": [U], "max_tokens": 100,
      "temperature": 0.0, "web_search": False}),
    ("chat_web_search_truthy_string", CHAT,
     {"model": "gpt-5", "messages": [U], "max_tokens": 100,
      "temperature": 0.0, "web_search": "yes"}),
    ("chat_web_search_zero", CHAT,
     {"model": "gpt-5", "messages": [U], "web_search": 0}),
    ("completion_web_search", COMP,
     {"model": "gpt-5", "prompt": "news today", "max_tokens": 100,
      "temperature": 0.0, "web_search": True}),
    ("completion_web_search_false", COMP,
     {"model": "gpt-5", "prompt": "news today", "max_tokens": 100,
      "temperature": 0.0, "web_search": False}),
]


def sdk_builder(path):
    # the SDK module needs eth_hash only for tee ids; stub it
    mod = types.ModuleType("eth_hash.auto")
    mod.keccak = ogcanon.keccak256
    sys.modules.setdefault("eth_hash", types.ModuleType("eth_hash"))
    sys.modules["eth_hash.auto"] = mod
    spec = importlib.util.spec_from_file_location("sdk_tee_verify", path)
    m = importlib.util.module_from_spec(spec)
    sys.modules["sdk_tee_verify"] = m
    spec.loader.exec_module(m)
    return m.build_inner_request


def canon(req, endpoint, rules):
    try:
        if endpoint == CHAT:
            c = ogcanon.canonical_chat(req, rules)
        else:
            c = ogcanon.canonical_completion(req, rules)
    except ogcanon.CanonError:
        return None, None
    b = ogcanon.canonical_bytes(c)
    return b.decode("ascii"), "0x" + ogcanon.keccak256(b).hex()


def main():
    build = sdk_builder(sys.argv[1]) if len(sys.argv) > 1 else None
    out = []
    for name, ep, req in CASES:
        newer, h_newer = canon(req, ep, "newer")
        old, h_old = canon(req, ep, "2026-04")
        if build is not None and ep == CHAT:
            _, sdk = build(json.loads(json.dumps(req)))
            assert json.dumps(sdk, sort_keys=True) == newer, name
        out.append({"name": name, "endpoint": ep,
                    "request_body": json.dumps(req),
                    "canonical_newer": newer, "request_hash_newer": h_newer,
                    "canonical_gateway_2026_04": old,
                    "request_hash_gateway_2026_04": h_old})
    doc = {"description": "Canonical request bytes under the newer gateway "
           "rules (and, for contrast, the 2026-04 rules; null = that "
           "gateway rejects the request), made with Python's json by "
           "tests/vectors/gen_canonical_newer.py"
           + ("; chat cases checked against the Python SDK 1.1.3 "
              "build_inner_request" if build else ""),
           "requests": out}
    path = os.path.join(ROOT, "tests", "vectors", "canonical_newer.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=True)
        f.write("\n")
    print("wrote %d cases to %s" % (len(out), path))


if __name__ == "__main__":
    main()
