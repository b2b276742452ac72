#!/usr/bin/env python3
"""Generate tests/vectors/canonical_unicode15.json: requests whose canonical
bytes depend on the Unicode version of Python's str() (a repr of list or
dict content under the gateway's 2026-04 rules). The gateway runs Python
3.12 (Unicode 15.0.0): U+1FA77 (pink heart, new in 15.0) is printable, so
str() keeps it and json.dumps writes "\\ud83e\\ude77"; Python 3.11 (Unicode
14) escapes it as \\U0001fa77, which json.dumps writes as "\\\\U0001fa77".

The canonical bytes are Python's own json.dumps(sort_keys=True) of the dict
built by tests/devnet/ogcanon.py, whose str() is Python 3.12's (see
ogcanon._pystr); "python311_canonical" records this Python's plain str() for
contrast when it is older than 3.12. Run from the repository root:

    python3 tests/vectors/gen_canonical_unicode15.py
"""
import json
import os
import sys
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "devnet"))
import ogcanon  # noqa: E402

CHAT = "/v1/chat/completions"
CASES = [
    ("pink_heart_list", "the decisions' example: list content, U+1FA77",
     {"model": "gpt-5", "messages": [
         {"role": "user",
          "content": [{"type": "text", "text": "pink heart \U0001FA77"}]}]}),
    ("unicode15_dict_mixed",
     "dict content: new in 15 (U+1F6DC, U+11F00) kept, still-unassigned "
     "U+1FAFF, a control and a backslash escaped",
     {"model": "gpt-5", "messages": [
         {"role": "user",
          "content": {"a": "\U0001F6DC \U00011F00 \U0001FAFF \x07 \\U0001fa77"}}]}),
]


def main():
    out = {"description": __doc__.split("\n\n")[0],
           "unicode": "15.0.0", "requests": []}
    for name, note, req in CASES:
        body = json.dumps(req, ensure_ascii=False, separators=(",", ":"))
        canon = ogcanon.canonical_chat(json.loads(body), "2026-04")
        cb = ogcanon.canonical_bytes(canon).decode()
        item = {"name": name, "endpoint": CHAT, "note": note,
                "request_body": body,
                "canonical_gateway_2026_04": cb,
                "request_hash_gateway_2026_04":
                    "0x" + ogcanon.request_hash(json.loads(body), CHAT,
                                                "2026-04").hex()}
        if unicodedata.unidata_version != "15.0.0":
            m = req["messages"][0]
            plain = {"model": req["model"], "temperature": 0.0,
                     "messages": [{"role": "user",
                                   "content": str(m["content"])}]}
            item["python311_canonical"] = json.dumps(plain, sort_keys=True)
            assert item["python311_canonical"] != cb
        out["requests"].append(item)
    path = os.path.join(ROOT, "tests", "vectors", "canonical_unicode15.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
