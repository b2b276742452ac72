#!/usr/bin/env python3
"""Generate tests/vectors/canonical_unicode15.json: canonical request bytes
for user content holding characters new in Unicode 15.0, as the gateway's
Python 3.12 hashes them. Under the 2026-04 rules list or object user
content becomes str(content); 3.12's repr() keeps printable Unicode 15.0
characters (U+1FA77 PINK HEART) as they are, so json.dumps writes
\\ud83e\\ude77, where 3.11 (Unicode 14) writes \\\\U0001fa77.

The bytes are Python's own json.dumps(sort_keys=True) of the dict built by
tests/devnet/ogcanon.py, whose str() uses the Unicode 15.0.0 table made by
scripts/gen_pyprintable.py. When run by a Python whose unicodedata is
14.0.0 (3.11), the 3.11 bytes are recorded too, for contrast. Run from the
repository root:

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
    ("pink_heart_list_content",
     {"model": "gpt-5", "messages": [{"role": "user", "content": [
         {"type": "text", "text": "pink heart \U0001FA77"}]}],
      "temperature": 0.0}),
    # CJK Ext. H, Kawi, Kannada U+0CF3 and U+1FA75 are new printable
    # characters; U+13439 is a new format character (escaped by both)
    ("unicode15_object_content",
     {"model": "gpt-5", "messages": [
         {"role": "system", "content": "Be brief"},
         {"role": "user", "content": {
             "\U00031350": "\U0001FA75 \U00011F00 \u0CF3 \U00013439 \U0001F680"}}],
      "max_tokens": 20, "temperature": 0.5}),
]


def canon(req, rules, pystr):
    saved = ogcanon.pystr
    ogcanon.pystr = pystr
    try:
        c = ogcanon.canonical_chat(req, rules)
    finally:
        ogcanon.pystr = saved
    b = ogcanon.canonical_bytes(c)
    return b.decode("ascii"), "0x" + ogcanon.keccak256(b).hex()


def main():
    local = unicodedata.unidata_version
    out = []
    for name, req in CASES:
        case = {"name": name, "endpoint": CHAT,
                "request_body": json.dumps(req, ensure_ascii=False)}
        for rules, key in (("2026-04", "gateway_2026_04"), ("newer", "newer")):
            b, h = canon(req, rules, ogcanon.pystr)
            case["canonical_" + key] = b
            case["request_hash_" + key] = h
        if local == "14.0.0":
            b, h = canon(req, "2026-04", str)
            assert b != case["canonical_gateway_2026_04"]
            case["python_3_11_canonical_gateway_2026_04"] = b
            case["python_3_11_request_hash_gateway_2026_04"] = h
        out.append(case)
    doc = {"description": "Canonical request bytes with user content holding "
                          "characters new in Unicode 15.0, as the gateway's "
                          "Python 3.12 hashes them (str() keeps printable "
                          "Unicode 15.0 characters), made with Python's json "
                          "by tests/vectors/gen_canonical_unicode15.py; the "
                          "python_3_11 fields show what Python 3.11 "
                          "(Unicode 14) would hash instead",
           "unicode_version": ogcanon.UNICODE_VERSION,
           "requests": out}
    path = os.path.join(ROOT, "tests", "vectors", "canonical_unicode15.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=True)
        f.write("\n")
    print("wrote %d cases to %s" % (len(out), path))


if __name__ == "__main__":
    main()
