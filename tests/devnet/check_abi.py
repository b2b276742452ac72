#!/usr/bin/env python3
"""Check the compiled devnet contracts against the real TEERegistry ABI.

Selectors, event topics and error selectors come from
tests/vectors/keccak256.json (computed with viem and cast); the
getActiveTEEs return types from tests/vectors/abi_get_active_tees.json.
Compiles the sources if needed (the artifact cache is keyed by their hash).
Exit 0 if everything matches.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import devnet  # noqa: E402

VEC = os.path.join(devnet.ROOT, "tests", "vectors")
# Functions of the registry (registry.md section 4), in the vector's order.
REGISTRY_FUNCS = 37
OLD_ABI = ("getActiveTEEs()", "isActive(bytes32)")
ERC20 = ("transfer(address,uint256)", "approve(address,uint256)",
         "allowance(address,address)", "balanceOf(address)", "decimals()",
         "symbol()", "name()")


def canon(p):
    t = p["type"]
    if t.startswith("tuple"):
        return "(" + ",".join(canon(c) for c in p["components"]) + ")" + t[5:]
    return t


def sig(entry, key="inputs"):
    return "%s(%s)" % (entry["name"], ",".join(canon(p) for p in entry[key]))


def table(abi, kind):
    return {sig(e): e for e in abi if e["type"] == kind}


def main():
    fails = []

    def check(ok, what):
        if not ok:
            fails.append(what)

    with open(os.path.join(VEC, "keccak256.json")) as f:
        kv = json.load(f)
    with open(os.path.join(VEC, "abi_get_active_tees.json")) as f:
        av = json.load(f)
    art = devnet.artifacts()
    funcs = kv["function_selectors"]
    for name, layout in (("TEERegistry", 11), ("TEERegistry10", 10)):
        abi = art[name]["abi"]
        fn, ev, er = table(abi, "function"), table(abi, "event"), \
            table(abi, "error")
        for f in funcs[:REGISTRY_FUNCS]:
            s = f["signature"]
            check(s in fn, "%s lacks %s" % (name, s))
            check(devnet.keccak256(s.encode())[:4].hex() == f["selector"][2:],
                  "selector of %s" % s)
        for s in OLD_ABI:
            check(s not in fn, "%s has the old %s" % (name, s))
        for e in kv["event_topics"][:11]:
            check(e["signature"] in ev, "%s lacks event %s" % (name,
                                                               e["signature"]))
            check("0x" + devnet.keccak256(e["signature"].encode()).hex()
                  == e["topic0"], "topic of %s" % e["signature"])
        for e in kv["error_selectors"][:16]:
            check(e["signature"] in er, "%s lacks error %s" % (name,
                                                               e["signature"]))
        want = av["layout_%d" % layout]["abi_type"]
        got = canon(fn["getActiveTEEs(uint8)"]["outputs"][0])
        check(got == want, "%s getActiveTEEs returns %s, want %s"
              % (name, got, want))
        got = canon(fn["getTEE(bytes32)"]["outputs"][0])
        check(got == want[:-2], "%s getTEE returns %s" % (name, got))
        tees_out = [canon(p) for p in fn["tees(bytes32)"]["outputs"]]
        check(tees_out == want[1:-3].split(",")[:10],
              "%s tees() returns %s" % (name, tees_out))
        indexed = {sig(e): [p["indexed"] for p in e["inputs"]]
                   for e in abi if e["type"] == "event"}
        check(indexed["TEERegistered(bytes32,address,uint8)"]
              == [True, True, False], "TEERegistered indexing")
        check(indexed["PCRApproved(bytes32,uint8,string)"]
              == [True, True, False], "PCRApproved indexing")
    vfn = table(art["MockTEEVerifier"]["abi"], "function")
    for s in ("verifyAttestation(bytes,bytes,bytes,bytes)",
              "verifyRSAPSS(bytes,bytes32,bytes)"):
        check(s in vfn, "verifier lacks " + s)
    tfn = table(art["TestToken"]["abi"], "function")
    for s in ERC20 + ("transferFrom(address,address,uint256)",
                      "mint(address,uint256)"):
        check(s in tfn, "TestToken lacks " + s)
    for f in fails:
        print("ABI mismatch: " + f, file=sys.stderr)
    if not fails:
        print("ABI matches the reference (%d registry functions, both "
              "layouts)" % REGISTRY_FUNCS)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
