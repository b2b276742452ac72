#!/usr/bin/env python3
"""Run every bench next to its peers and print ratios (bench/README.md).

Called by bench/run.sh, which starts the devnet (anvil, registry, gateway
stand-ins without payment) and sources its env file first.  Standard library
only.  Each program runs as a child of this process: wall time from
perf_counter around spawn and wait, CPU (user + sys) and peak RSS from the
child's own rusage (os.wait4), so nothing is installed for measuring.
"""

import argparse
import base64
import datetime
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")

BENCHES = ("abi", "callgrind", "sse", "cli_sse", "cli_ohttp", "chat",
           "tee_list", "concurrent", "scale")
CHAT_MODEL = "openai/gpt-4.1"
CHAT_PROMPT = "Hello from the bench"


def env_int(name, default):
    v = os.environ.get(name, "")
    return int(v) if v.strip() else default


# -- measuring ---------------------------------------------------------------

RUSAGE = None  # bench/tools/rusage.c, built by build_rusage()


def build_rusage(out_dir):
    """Build the small fork/wait4 helper; None if there is no C compiler."""
    global RUSAGE
    src = os.path.join(BENCH, "tools", "rusage.c")
    exe = os.path.join(out_dir, "rusage")
    if os.path.isfile(exe) and os.path.getmtime(exe) >= os.path.getmtime(src):
        RUSAGE = exe
        return exe
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if cc and subprocess.run([cc, "-O2", "-o", exe, src]).returncode == 0:
        RUSAGE = exe
    return RUSAGE


def measure(cmd, env=None, timeout=900):
    """Run cmd (argv list) once; return wall/cpu/rss and its output.

    Through the rusage helper when it could be built: then peak RSS is the
    program's own (a child's ru_maxrss also counts its parent's memory up
    to exec, and this runner is tens of MiB).  Otherwise measured here.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(suffix=".json") as meas:
        argv = [RUSAGE, meas.name] + list(cmd) if RUSAGE else list(cmd)
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=out, stderr=err,
                             stdin=subprocess.DEVNULL, env=env, cwd=ROOT)
        killer = threading.Timer(timeout, p.kill)
        killer.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        except BaseException:
            p.terminate()  # the helper passes it on to the program
            os.wait4(p.pid, 0)
            p.returncode = -1
            raise
        finally:
            killer.cancel()
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        m = None
        if RUSAGE:
            try:
                m = json.loads(open(meas.name).read())
            except (OSError, ValueError):
                m = None
    if m is None:
        m = {"rc": p.returncode, "wall": wall, "user": ru.ru_utime,
             "sys": ru.ru_stime, "maxrss_kib": ru.ru_maxrss}  # Linux: KiB
    res = {"wall": m["wall"], "user": m["user"], "sys": m["sys"],
           "cpu": m["user"] + m["sys"], "rss_kib": m["maxrss_kib"],
           "rc": m["rc"], "stdout": stdout, "stderr": stderr, "json": None}
    for line in reversed(stdout.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                res["json"] = json.loads(line)
            except ValueError:
                pass
            break
    return res


def first_line(text):
    for line in text.strip().splitlines():
        if line.strip():
            return line.strip()[:200]
    return "(no output)"


def summarize(runs):
    """Median of wall and cpu, max of peak RSS, over repeated runs."""
    return {"runs": len(runs),
            "wall": statistics.median(r["wall"] for r in runs),
            "cpu": statistics.median(r["cpu"] for r in runs),
            "user": statistics.median(r["user"] for r in runs),
            "sys": statistics.median(r["sys"] for r in runs),
            "rss_mib": max(r["rss_kib"] for r in runs) / 1024.0,
            "rss_mib_median": statistics.median(
                r["rss_kib"] for r in runs) / 1024.0}


def fmt(v, digits=3):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if abs(v) >= 1000:
        return "{:,.0f}".format(v)
    return "{:.{d}g}".format(v, d=digits)


# -- report ------------------------------------------------------------------

class Report:
    def __init__(self):
        self.sections = []   # (title, [markdown lines])
        self.data = {}
        self.targets = []    # (bench, text, ok or None)

    def section(self, key, title):
        lines = []
        self.sections.append((title, lines))
        print("\n== %s" % title, flush=True)
        self.data.setdefault(key, {})
        return lines

    @staticmethod
    def say(lines, text):
        print("  " + text, flush=True)
        lines.append(text)

    def table(self, lines, header, rows):
        widths = [max(len(str(x)) for x in col)
                  for col in zip(header, *rows)]
        for r in [header] + rows:
            print("  " + "  ".join(str(c).ljust(w)
                                   for c, w in zip(r, widths)), flush=True)
        lines.append("")
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join("---" for _ in header) + "|")
        for r in rows:
            lines.append("| " + " | ".join(str(c) for c in r) + " |")
        lines.append("")

    def target(self, lines, bench, text, ok):
        mark = {True: "met", False: "NOT met", None: "n/a"}[ok]
        self.targets.append((bench, text, mark))
        self.say(lines, "target: %s: %s" % (text, mark))

    def skipped(self, lines, what, why):
        self.say(lines, "skipped: %s: %s" % (what, why))


# -- context -----------------------------------------------------------------

class Ctx:
    def __init__(self, a):
        self.build = os.path.abspath(os.path.join(ROOT, a.build))
        self.out = os.path.abspath(os.path.join(ROOT, a.out))
        self.devnet = a.devnet
        self.devnet_error = a.devnet_error
        self.reps = env_int("BENCH_REPS", 3)
        self.runs = env_int("BENCH_RUNS", 20)
        self.warmup = env_int("BENCH_WARMUP", 3)
        self.sse_n = env_int("BENCH_SSE_N", 100000)
        self.streams = env_int("BENCH_STREAMS", 256)
        self.stream_n = env_int("BENCH_STREAM_N", 1000)
        self.scale_streams = env_int("BENCH_SCALE_STREAMS", 4096)
        self.scale_n = env_int("BENCH_SCALE_N", 1000)
        self.scale_reps = env_int("BENCH_SCALE_REPS", 1)
        self.node = os.environ.get("NODE", "node")
        self.env = dict(os.environ)
        self.env.pop("OG_TEE_ID", None)

    def bin(self, name):
        p = os.path.join(self.build, "bin", name)
        return p if os.path.isfile(p) and os.access(p, os.X_OK) else None

    def tee(self, i=0):
        e = self.env
        return {"id": e.get("TEE_%d_ID" % i),
                "url": e.get("TEE_%d_ENDPOINT" % i),
                "cert": e.get("TEE_%d_CERT" % i),
                "cert_der": e.get("TEE_%d_CERT_DER" % i)}

    def need_devnet(self, rep, lines, what):
        if self.devnet:
            return True
        rep.skipped(lines, what, "no devnet with gateways (%s)" %
                    (self.devnet_error or "not started"))
        return False


def spki_pin(cert_der_path):
    """curl --pinnedpubkey value: sha256// base64 of the SPKI DER."""
    der = subprocess.run(
        ["openssl", "x509", "-inform", "DER", "-in", cert_der_path,
         "-pubkey", "-noout"], check=True, capture_output=True).stdout
    spki = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"],
                          input=der, check=True, capture_output=True).stdout
    return "sha256//" + base64.b64encode(hashlib.sha256(spki).digest()
                                         ).decode()


def curl_tls(ctx, tee):
    return ["--cacert", tee["cert"], "--pinnedpubkey",
            spki_pin(tee["cert_der"])]


def stream_body(n):
    return json.dumps({"model": "bench/%d" % n,
                       "messages": [{"role": "user", "content": "bench"}],
                       "stream": True})


CURL_HDRS = ["-H", "Authorization: Bearer bench",
             "-H", "Content-Type: application/json"]


# -- benches -----------------------------------------------------------------

def server_check(ctx, rep):
    """Warn when the stand-in answers slowly (e.g. Nagle without NODELAY)."""
    lines = rep.section("server", "Stand-in latency check")
    if not ctx.need_devnet(rep, lines, "server check"):
        return
    tee = ctx.tee(0)
    ttfb = []
    for _ in range(3):
        r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w",
                            "%{time_appconnect} %{time_starttransfer}"] +
                           curl_tls(ctx, tee) + [tee["url"] + "/health"],
                           capture_output=True, text=True, cwd=ROOT)
        try:
            a, b = (float(x) for x in r.stdout.split())
            ttfb.append(b - a)
        except ValueError:
            pass
    if not ttfb:
        rep.say(lines, "GET /health failed on TEE 0")
        return
    ms = min(ttfb) * 1000
    rep.data["server"] = {"health_ms_after_tls": ms}
    rep.say(lines, "GET /health after the handshake: %.1f ms (best of 3)" %
            ms)
    if ms > 30:
        rep.say(lines, "WARNING: the stand-in takes > 30 ms per answer "
                "(no TCP_NODELAY? Nagle + delayed ACK); whole-command "
                "ratios are dominated by it")


def bench_abi(ctx, rep):
    lines = rep.section("abi", "Registry decode: 1,000-entry getActiveTEEs "
                        "reply (C vs memcpy vs viem)")
    script = os.path.join(BENCH, "abi.sh")
    if not os.path.isfile(script):
        rep.skipped(lines, "abi", "bench/abi.sh not present")
        return
    env = dict(ctx.env, BUILD=ctx.build, BENCH_OUT=ctx.out)
    r = subprocess.run(["bash", script], cwd=ROOT, env=env,
                       capture_output=True, text=True)
    for ln in r.stdout.rstrip().splitlines():
        rep.say(lines, ln)
    rep.data["abi"] = {"rc": r.returncode, "stdout": r.stdout}
    if r.returncode != 0:
        rep.say(lines, "bench/abi.sh failed (exit %d): %s" %
                (r.returncode, first_line(r.stderr)))


def callgrind_ir(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(r"(summary|totals):\s+(\d+)", line)
            if m:
                return int(m.group(2))
    return None


def bench_callgrind(ctx, rep):
    lines = rep.section("callgrind", "Instruction counts (callgrind, "
                        "deterministic)")
    vg = shutil.which("valgrind")
    rows = []
    for name in ("bench_sse_parse", "bench_abi_decode"):
        b = ctx.bin(name)
        if not b:
            rep.skipped(lines, name, "%s/bin/%s not built" %
                        (os.path.relpath(ctx.build, ROOT), name))
            continue
        if not vg:
            rep.skipped(lines, name, "valgrind not installed")
            continue
        outf = os.path.join(ctx.out, "callgrind.%s.out" % name)
        r = measure([vg, "--tool=callgrind", "--callgrind-out-file=" + outf,
                     b, "--once"], env=ctx.env)
        if r["rc"] != 0:
            rep.skipped(lines, name, "exit %d: %s" %
                        (r["rc"], first_line(r["stderr"])))
            continue
        ir = callgrind_ir(outf)
        items = None
        j = r["json"] or {}
        for k in ("events", "entries", "items"):
            if isinstance(j.get(k), int) and j[k] > 0:
                items = (k, j[k])
                break
        per = "%s per %s" % (fmt(ir / items[1]), items[0][:-1]) \
            if items and ir else "-"
        rows.append([name + " --once", fmt(ir) if ir else "?",
                     "%d %s" % (items[1], items[0]) if items else "-", per])
        rep.data["callgrind"][name] = {"ir": ir, "json": j,
                                       "file": os.path.relpath(outf, ROOT)}
    if rows:
        rep.table(lines, ["program", "instructions (Ir)", "work", "Ir/unit"],
                  rows)


def run_interleaved(progs, reps):
    """progs: {label: argv or None}; rep runs, interleaved to share drift."""
    runs = {k: [] for k in progs}
    fails = {}
    for _ in range(reps):
        for k, argv in progs.items():
            if argv is None or k in fails:
                continue
            r = measure(argv[0], env=argv[1])
            if r["rc"] != 0:
                fails[k] = "exit %d: %s" % (r["rc"], first_line(
                    r["stderr"] or r["stdout"]))
                continue
            runs[k].append(r)
    return runs, fails


def run_reported(rep, lines, progs, reps):
    """run_interleaved, with every program that failed reported as skipped;
    returns {label: runs} for the programs that ran."""
    runs, fails = run_interleaved(progs, reps)
    for k, why in fails.items():
        rep.skipped(lines, k, why)
    return {k: rs for k, rs in runs.items() if rs}


def bench_sse(ctx, rep):
    n = ctx.sse_n
    lines = rep.section("sse", "SSE over loopback TLS: %d chunks from one "
                        "server process (median of %d)" % (n, ctx.reps))
    if not ctx.need_devnet(rep, lines, "sse"):
        return
    tee = ctx.tee(0)
    url = tee["url"] + "/v1/chat/completions"
    body = stream_body(n)
    curl_base = ["curl", "-sN"] + curl_tls(ctx, tee) + CURL_HDRS + \
        ["-d", body, url]
    # warm the stand-in's pre-built body, and check the stream is whole
    chk = subprocess.run(curl_base, capture_output=True, cwd=ROOT)
    got = chk.stdout.count(b"\ndata: ") + chk.stdout.startswith(b"data: ")
    if chk.returncode != 0 or got != n + 2:
        rep.skipped(lines, "sse", "stand-in stream check failed (curl exit "
                    "%d, %d data events, want %d)" %
                    (chk.returncode, got, n + 2))
        return
    progs = {}
    cbin = ctx.bin("bench_sse_tls")
    if cbin:
        progs["C bench_sse_tls"] = ([cbin, "--url", tee["url"], "--cert",
                                     tee["cert"], "--n", str(n)], ctx.env)
    else:
        rep.skipped(lines, "C bench_sse_tls", "not built")
    progs["openai (node)"] = ([ctx.node, "bench/peers/openai_sse.mjs",
                               "--url", tee["url"], "--cert", tee["cert"],
                               "--n", str(n)], ctx.env)
    progs["curl -sN"] = (curl_base + ["-o", "/dev/null", "-w",
                         '{"starttransfer": %{time_starttransfer}, '
                         '"total": %{time_total}}\\n'], ctx.env)
    runs = run_reported(rep, lines, progs, ctx.reps)
    rows = []
    res = {}
    for k, rs in runs.items():
        eps = []
        for r in rs:
            j = r["json"] or {}
            if k == "curl -sN":
                events = n + 1
                secs = j.get("total", r["wall"]) - j.get("starttransfer", 0)
            else:
                events = j.get("events") or 0
                secs = j.get("stream_seconds") or j.get("seconds") or \
                    r["wall"]
            eps.append(events / secs if secs > 0 else 0.0)
        s = summarize(rs)
        s["events_per_s"] = statistics.median(eps)
        s["events_per_s_wall"] = (n + 1) / s["wall"]
        res[k] = s
        rows.append([k, fmt(s["events_per_s"]), fmt(s["events_per_s_wall"]),
                     fmt(s["wall"]), fmt(s["cpu"]), fmt(s["rss_mib"])])
    rep.table(lines, ["program", "events/s (stream)", "events/s (process)",
                      "wall s", "CPU s", "peak RSS MiB"], rows)
    rep.data["sse"] = res
    c = res.get("C bench_sse_tls")
    o = res.get("openai (node)")
    u = res.get("curl -sN")
    if c and o:
        x = c["events_per_s"] / o["events_per_s"]
        rep.say(lines, "C / openai events/s: %.1fx; CPU openai / C: %.1fx; "
                "RSS openai / C: %.1fx" % (x, o["cpu"] / c["cpu"],
                                           o["rss_mib"] / c["rss_mib"]))
        rep.target(lines, "sse", "SSE events/s >= 10x openai (%.1fx)" % x,
                   x >= 10)
    else:
        rep.target(lines, "sse", "SSE events/s >= 10x openai", None)
    if c and u:
        x = u["events_per_s"] / c["events_per_s"]
        rep.say(lines, "curl / C events/s: %.2fx" % x)
        rep.target(lines, "sse", "SSE events/s within 3x of curl -sN "
                   "(curl/C = %.2fx)" % x, x <= 3)
    else:
        rep.target(lines, "sse", "SSE events/s within 3x of curl -sN", None)


def hyperfine(ctx, name, cmds):
    """cmds: {label: shell command}; returns {label: {mean, stddev,...}}."""
    hf = shutil.which("hyperfine")
    if not hf:
        return None, "hyperfine not installed"
    js = os.path.join(ctx.out, "hyperfine_%s.json" % name)
    log = os.path.join(ctx.out, "hyperfine_%s.log" % name)
    argv = [hf, "--style", "basic", "--warmup", str(ctx.warmup),
            "--runs", str(ctx.runs), "--export-json", js]
    labels = list(cmds)
    for k in labels:
        argv += ["-n", k, cmds[k]]
    with open(log, "w") as f:
        r = subprocess.run(argv, cwd=ROOT, env=ctx.env, stdout=f,
                           stderr=subprocess.STDOUT)
    if r.returncode != 0:
        return None, "hyperfine failed (see %s)" % os.path.relpath(log, ROOT)
    with open(js) as f:
        data = json.load(f)
    out = {}
    for k, res in zip(labels, data["results"]):
        out[k] = {"mean": res["mean"], "stddev": res["stddev"],
                  "median": res["median"], "min": res["min"],
                  "user": res["user"], "system": res["system"]}
    return out, None


def whole_command(ctx, rep, key, title, c_argv, c_check, node_argv,
                  curl_sh, targets):
    lines = rep.section(key, title)
    if not ctx.need_devnet(rep, lines, key):
        return
    shell = {}
    direct = {}
    cli = ctx.bin("opengradient")
    if not cli:
        rep.skipped(lines, "C opengradient", "not built")
    else:
        argv = [cli] + c_argv
        r = measure(argv, env=ctx.env, timeout=60)
        if r["rc"] != 0 or c_check not in r["stdout"]:
            rep.skipped(lines, "C opengradient %s" % key.replace("_", " "),
                        "does not work yet (exit %d: %s)" % (
                            r["rc"], first_line(r["stderr"] or r["stdout"])))
        else:
            shell["C opengradient"] = " ".join(shlex.quote(a) for a in argv)
            direct["C opengradient"] = (argv, ctx.env)
    shell["node + viem"] = " ".join(shlex.quote(a) for a in node_argv)
    direct["node + viem"] = (node_argv, ctx.env)
    shell["curl"] = curl_sh
    direct["curl"] = (["sh", "-c", curl_sh], ctx.env)
    # a broken peer would make hyperfine fail as a whole: check each first
    for k in list(direct):
        if k == "C opengradient":
            continue
        r = measure(direct[k][0], env=ctx.env, timeout=60)
        if r["rc"] != 0:
            rep.skipped(lines, k, "exit %d: %s" % (
                r["rc"], first_line(r["stderr"] or r["stdout"])))
            del direct[k]
            del shell[k]
    hfres, why = hyperfine(ctx, key, shell)
    if why:
        rep.say(lines, "hyperfine: %s; wall times from single runs" % why)
    runs, fails = run_interleaved(direct, ctx.reps)
    for k, w in fails.items():
        rep.skipped(lines, k + " (rusage)", w)
    res = {}
    rows = []
    for k in shell:
        s = summarize(runs[k]) if runs.get(k) else {}
        if hfres and k in hfres:
            s["mean"] = hfres[k]["mean"]
            s["stddev"] = hfres[k]["stddev"]
        elif s:
            s["mean"], s["stddev"] = s["wall"], None
        if not s:
            continue
        res[k] = s
        rows.append([k, "%s ± %s" % (fmt(s["mean"] * 1000),
                                      fmt((s["stddev"] or 0) * 1000, 2)),
                     fmt(s.get("cpu")), fmt(s.get("rss_mib"))])
    rep.table(lines, ["program", "wall ms (hyperfine mean ± sd)",
                      "CPU s (median)", "peak RSS MiB (max)"], rows)
    rep.data[key] = res
    c = res.get("C opengradient")
    nd = res.get("node + viem")
    cu = res.get("curl")
    if c and nd:
        rep.say(lines, "node / C: wall %.1fx, CPU %.1fx, RSS %.1fx" % (
            nd["mean"] / c["mean"], nd["cpu"] / c["cpu"],
            nd["rss_mib"] / c["rss_mib"]))
    if c and cu:
        rep.say(lines, "C / curl: wall %.2fx, RSS %.2fx" % (
            c["mean"] / cu["mean"], c["rss_mib"] / cu["rss_mib"]))
    for text, fn in targets:
        ok = None
        val = ""
        try:
            if c:
                ok, val = fn(c, nd, cu)
        except (TypeError, ZeroDivisionError):
            ok = None
        rep.target(lines, key, text + (" (%s)" % val if val else ""), ok)


def eth_call_sh(ctx):
    req = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_call",
                      "params": [{"to": ctx.env["OG_TEE_REGISTRY"],
                                  "data": "0x4b6014da" + "00" * 32},
                                 "latest"]})
    return "curl -s -H 'Content-Type: application/json' --data %s %s" % (
        shlex.quote(req), shlex.quote(ctx.env["OG_RPC_URL"]))


def bench_chat(ctx, rep):
    tee = ctx.tee(0) if ctx.devnet else None
    msgs = json.dumps([{"role": "user", "content": CHAT_PROMPT}])
    c_argv = ["chat", "--model", CHAT_MODEL, "--messages", msgs]
    node = [ctx.node, "bench/peers/node_chat.mjs", "--model", CHAT_MODEL,
            "--prompt", CHAT_PROMPT]
    if tee:
        c_argv += ["--tee-id", tee["id"]]
        node += ["--tee-id", tee["id"]]
    curl_sh = ""
    if tee:
        post = json.dumps({"model": CHAT_MODEL.split("/", 1)[1],
                           "messages": json.loads(msgs), "max_tokens": 100,
                           "temperature": 0.0})
        curl_sh = eth_call_sh(ctx) + " >/dev/null && curl -s " + \
            " ".join(shlex.quote(a) for a in curl_tls(ctx, tee) + CURL_HDRS +
                     ["-d", post, tee["url"] + "/v1/chat/completions"])
    whole_command(
        ctx, rep, "chat", "Whole `opengradient chat` on the devnet "
        "(registry read, pinned TLS, request, printed answer)",
        c_argv, "Echo: " + CHAT_PROMPT, node, curl_sh,
        [("chat >= 15x faster than the Node peer",
          lambda c, n, u: (n["mean"] / c["mean"] >= 15,
                           "%.1fx" % (n["mean"] / c["mean"]))),
         ("chat within 1.5x of curl eth_call + POST",
          lambda c, n, u: (c["mean"] / u["mean"] <= 1.5,
                           "%.2fx" % (c["mean"] / u["mean"]))),
         ("chat peak RSS <= 1/8 of the Node peer's",
          lambda c, n, u: (n["rss_mib"] / c["rss_mib"] >= 8,
                           "%.1fx smaller" % (n["rss_mib"] / c["rss_mib"])))])


def bench_tee_list(ctx, rep):
    tee = ctx.tee(0) if ctx.devnet else None
    whole_command(
        ctx, rep, "tee_list", "Whole `opengradient tee list` on the devnet "
        "(registry read and decode, certificates parsed, printed list)",
        ["tee", "list"], tee["id"] if tee else "",
        [ctx.node, "bench/peers/node_tee_list.mjs"],
        eth_call_sh(ctx) if tee else "", [])


def bench_concurrent(ctx, rep):
    s, n = ctx.streams, ctx.stream_n
    lines = rep.section("concurrent", "%d concurrent streams x %d chunks in "
                        "one process (median of %d)" % (s, n, ctx.reps))
    if not ctx.need_devnet(rep, lines, "concurrent"):
        return
    tee = ctx.tee(0)
    progs = {}
    cbin = ctx.bin("bench_concurrent")
    if cbin:
        progs["C bench_concurrent"] = ([cbin, "--url", tee["url"], "--cert",
                                        tee["cert"], "--streams", str(s),
                                        "--n", str(n)], ctx.env)
    else:
        rep.skipped(lines, "C bench_concurrent", "not built")
    progs["openai (node)"] = ([ctx.node, "bench/peers/openai_concurrent.mjs",
                               "--url", tee["url"], "--cert", tee["cert"],
                               "--streams", str(s), "--n", str(n)], ctx.env)
    runs = run_reported(rep, lines, progs, ctx.reps)
    res = {}
    rows = []
    for k, rs in runs.items():
        bad = [r for r in rs if (r["json"] or {}).get("events", 0) <
               s * n]
        sm = summarize(rs)
        sm["events"] = min((r["json"] or {}).get("events", 0) for r in rs)
        res[k] = sm
        rows.append([k, fmt(sm["wall"]), fmt(sm["cpu"]), fmt(sm["user"]),
                     fmt(sm["sys"]), fmt(sm["rss_mib"]),
                     "%d%s" % (sm["events"], " (short!)" if bad else "")])
    rep.table(lines, ["program", "wall s", "CPU s", "user s", "sys s",
                      "peak RSS MiB", "events (min)"], rows)
    rep.data["concurrent"] = res
    c = res.get("C bench_concurrent")
    o = res.get("openai (node)")
    if c and o:
        x = o["cpu"] / c["cpu"]
        rep.say(lines, "openai / C: CPU %.1fx, wall %.1fx, RSS %.1fx" % (
            x, o["wall"] / c["wall"], o["rss_mib"] / c["rss_mib"]))
        rep.target(lines, "concurrent", "%d streams CPU <= 1/5 of openai's "
                   "(%.1fx less)" % (s, x), x >= 5)
    else:
        rep.target(lines, "concurrent", "%d streams CPU <= 1/5 of openai's"
                   % s, None)
    if c:
        rep.target(lines, "concurrent", "%d streams peak RSS < 64 MiB "
                   "(%.1f MiB)" % (s, c["rss_mib"]), c["rss_mib"] < 64)
    else:
        rep.target(lines, "concurrent", "%d streams peak RSS < 64 MiB" % s,
                   None)


def bench_cli_sse(ctx, rep):
    """The command as users run it: process wall of `chat --stream` (text
    and --json NDJSON) for one stream of N chunks, next to curl -sN and the
    openai client, all writing their output to a file."""
    n = ctx.sse_n
    lines = rep.section("cli_sse", "The command on SSE: `opengradient chat "
                        "--stream` (text, --json) vs curl -sN vs openai, %d "
                        "chunks over loopback TLS, process wall (median of "
                        "%d)" % (n, ctx.reps))
    if not ctx.need_devnet(rep, lines, "cli_sse"):
        return
    tee = ctx.tee(0)
    og = ctx.bin("opengradient")
    progs = {}
    msgs = json.dumps([{"role": "user", "content": "bench"}])
    if og:
        base = [og, "chat", "--llm-server-url", tee["url"], "--tls-cert",
                tee["cert"], "--model", "bench/bench-%d" % n, "--messages",
                msgs, "--stream"]
        progs["opengradient chat --stream"] = (base, ctx.env)
        progs["opengradient chat --stream --json"] = (base + ["--json"],
                                                      ctx.env)
    else:
        rep.skipped(lines, "opengradient", "not built")
    progs["curl -sN"] = (["curl", "-sN"] + curl_tls(ctx, tee) + CURL_HDRS +
                         ["-d", stream_body(n),
                          tee["url"] + "/v1/chat/completions"], ctx.env)
    progs["openai (node)"] = ([ctx.node, "bench/peers/openai_sse.mjs",
                               "--url", tee["url"], "--cert", tee["cert"],
                               "--n", str(n)], ctx.env)
    runs = run_reported(rep, lines, progs, ctx.reps)
    res, rows = {}, []
    for k, rs in runs.items():
        sm = summarize(rs)
        sm["events_per_s_wall"] = (n + 1) / sm["wall"]
        res[k] = sm
        rows.append([k, fmt(sm["wall"]), fmt(sm["events_per_s_wall"]),
                     fmt(sm["cpu"]), fmt(sm["rss_mib"])])
    rep.table(lines, ["program", "wall s", "events/s (process)", "CPU s",
                      "peak RSS MiB"], rows)
    rep.say(lines, "Command: " + " ".join(
        shlex.quote(a) for a in progs.get("opengradient chat --stream --json",
                                          (["-"], None))[0]))
    rep.data["cli_sse"] = res
    o, u = res.get("openai (node)"), res.get("curl -sN")
    for k in ("opengradient chat --stream",
              "opengradient chat --stream --json"):
        c = res.get(k)
        mode = "--json" if k.endswith("--json") else "text"
        if c and o:
            x = c["events_per_s_wall"] / o["events_per_s_wall"]
            rep.target(lines, "cli_sse", "%s: events/s >= 15x openai's "
                       "(%.1fx)" % (mode, x), x >= 15)
        else:
            rep.target(lines, "cli_sse", "%s: events/s >= 15x openai's" %
                       mode, None)
        if c and u:
            x = c["wall"] / u["wall"]
            rep.target(lines, "cli_sse", "%s: wall within 1.5x of curl -sN "
                       "(%.2fx)" % (mode, x), x <= 1.5)
        else:
            rep.target(lines, "cli_sse", "%s: wall within 1.5x of curl -sN" %
                       mode, None)


def bench_cli_ohttp(ctx, rep):
    """Issue 13's target as users run it: `chat --stream --relay-url` (the
    answer sealed as chunked OHTTP, one chunk per SSE event) next to the
    same 100,000-event stream from the same TEE in the clear, text and
    --json, process wall. The relay + recipient is bench_ohttp_peer (C):
    the Node stand-in would be what such a run measures. It replays the
    gateway stand-in's signed answer after a warm-up run, so neither side
    waits for the stand-in's Python."""
    n = ctx.sse_n
    lines = rep.section("cli_ohttp", "Confidential stream: `opengradient "
                        "chat --stream --relay-url` vs the same stream in "
                        "clear, %d chunks over loopback TLS, process wall "
                        "(median of %d)" % (n, ctx.reps))
    if not ctx.need_devnet(rep, lines, "cli_ohttp"):
        return
    og, peer = ctx.bin("opengradient"), ctx.bin("bench_ohttp_peer")
    if not og or not peer:
        rep.skipped(lines, "cli_ohttp", "opengradient or bench_ohttp_peer "
                    "not built")
        return
    tee = ctx.tee(0)
    key = os.path.join(ctx.env.get("OG_DEVNET_DIR", ""), "tee_0", "ohttp.key")
    if not os.path.isfile(key):
        rep.skipped(lines, "cli_ohttp", "the devnet has no OHTTP key")
        return
    prefix = os.path.join(ctx.out, "relay")
    subprocess.run([os.environ.get("PYTHON", "python3"),
                    "tests/devnet/devnet.py", "gen-cert", "--out", prefix],
                   check=True, cwd=ROOT, capture_output=True)
    ready = os.path.join(ctx.out, "relay.ready")
    if os.path.exists(ready):
        os.unlink(ready)
    logf = open(os.path.join(ctx.out, "ohttp_peer.log"), "w")
    proc = subprocess.Popen([peer, "--cert", prefix + ".pem", "--key",
                             prefix + ".key", "--ohttp-key", key,
                             "--gateway", tee["url"], "--ready-file", ready],
                            stdout=logf, stderr=logf, cwd=ROOT)
    try:
        for _ in range(100):
            if os.path.exists(ready) and os.path.getsize(ready):
                break
            time.sleep(0.05)
        port = json.load(open(ready))["port"]
        env = dict(ctx.env, OG_RELAY_TOKEN="bench")
        msgs = json.dumps([{"role": "user", "content": "bench"}])
        base = [og, "chat", "--tee-id", tee["id"], "--model",
                "bench/bench-%d" % n, "--messages", msgs, "--stream"]
        conf = base + ["--relay-url", "https://127.0.0.1:%d" % port,
                       "--tls-cert", prefix + ".pem"]
        progs = {"clear: chat --stream": (base, env),
                 "confidential: chat --stream --relay-url": (conf, env),
                 "clear: chat --stream --json": (base + ["--json"], env),
                 "confidential: chat --stream --json --relay-url":
                     (conf + ["--json"], env)}
        for k in ("confidential: chat --stream --relay-url",
                  "clear: chat --stream"):  # warm-up: fills the replay
            w = measure(progs[k][0], env=env)
            if w["rc"] != 0:
                rep.skipped(lines, "cli_ohttp", "warm-up %s: exit %d: %s" % (
                    k, w["rc"], first_line(w["stderr"] or w["stdout"])))
                return
        runs = run_reported(rep, lines, progs, ctx.reps)
    finally:
        proc.terminate()
        proc.wait()
        logf.close()
    res, rows = {}, []
    for k, rs in runs.items():
        res[k] = summarize(rs)
        rows.append([k, fmt(res[k]["wall"]), fmt(res[k]["cpu"]),
                     fmt(res[k]["rss_mib"])])
    rep.table(lines, ["program", "wall s", "CPU s", "peak RSS MiB"], rows)
    rep.say(lines, "Command: " + " ".join(shlex.quote(a) for a in progs[
        "confidential: chat --stream --json --relay-url"][0]))
    rep.data["cli_ohttp"] = res
    for mode, suffix in (("text", ""), ("--json", " --json")):
        c = res.get("clear: chat --stream" + suffix)
        o = res.get("confidential: chat --stream%s --relay-url" % suffix)
        if c and o:
            x = o["wall"] / c["wall"]
            rep.say(lines, "%s: confidential / clear = %.2fx wall, %.2fx "
                    "CPU; %.2f us more CPU a chunk" % (
                        mode, x, o["cpu"] / c["cpu"],
                        (o["cpu"] - c["cpu"]) / (n + 1) * 1e6))
            rep.target(lines, "cli_ohttp", "%s: confidential stream within "
                       "1.5x of the clear one (%.2fx)" % (mode, x), x <= 1.5)
        else:
            rep.target(lines, "cli_ohttp", "%s: confidential stream within "
                       "1.5x of the clear one" % mode, None)


def bench_scale(ctx, rep):
    """Thousands of streams in one process through the socket interface
    (bench_concurrent --socket, an epoll loop) next to the openai client at
    the same N."""
    s, n = ctx.scale_streams, ctx.scale_n
    lines = rep.section("scale", "%d concurrent streams x %d chunks in one "
                        "process, socket interface (epoll) vs openai "
                        "(median of %d)" % (s, n, ctx.scale_reps))
    if not ctx.need_devnet(rep, lines, "scale"):
        return
    tee = ctx.tee(0)
    progs = {}
    cbin = ctx.bin("bench_concurrent")
    if cbin:
        progs["C bench_concurrent --socket"] = (
            [cbin, "--url", tee["url"], "--cert", tee["cert"], "--streams",
             str(s), "--n", str(n), "--socket"], ctx.env)
    else:
        rep.skipped(lines, "C bench_concurrent", "not built")
    progs["openai (node)"] = ([ctx.node, "bench/peers/openai_concurrent.mjs",
                               "--url", tee["url"], "--cert", tee["cert"],
                               "--streams", str(s), "--n", str(n)], ctx.env)
    runs = run_reported(rep, lines, progs, ctx.scale_reps)
    res, rows = {}, []
    for k, rs in runs.items():
        sm = summarize(rs)
        sm["events"] = min((r["json"] or {}).get("events", 0) for r in rs)
        res[k] = sm
        rows.append([k, fmt(sm["wall"]), fmt(sm["cpu"]), fmt(sm["user"]),
                     fmt(sm["sys"]), fmt(sm["rss_mib"]),
                     "%d%s" % (sm["events"], " (short!)"
                               if sm["events"] < s * (n + 1) else "")])
    rep.table(lines, ["program", "wall s", "CPU s", "user s", "sys s",
                      "peak RSS MiB", "events (min)"], rows)
    rep.data["scale"] = res
    c, o = res.get("C bench_concurrent --socket"), res.get("openai (node)")
    if c and o:
        x = o["cpu"] / c["cpu"]
        rep.say(lines, "openai / C: CPU %.1fx, wall %.1fx, RSS %.1fx" % (
            x, o["wall"] / c["wall"], o["rss_mib"] / c["rss_mib"]))
        rep.target(lines, "scale", "%d streams CPU <= 1/10 of openai's "
                   "(%.1fx less)" % (s, x), x >= 10)
    else:
        rep.target(lines, "scale", "%d streams CPU <= 1/10 of openai's" % s,
                   None)
    if c:
        rep.target(lines, "scale", "%d streams peak RSS < 256 MiB (%.1f MiB)"
                   % (s, c["rss_mib"]), c["rss_mib"] < 256)
    else:
        rep.target(lines, "scale", "%d streams peak RSS < 256 MiB" % s, None)


# -- main --------------------------------------------------------------------

def versions(ctx):
    def cmd(argv):
        try:
            return first_line(subprocess.run(argv, capture_output=True,
                                             text=True).stdout)
        except OSError:
            return "not installed"

    def npm(name):
        try:
            with open(os.path.join(ROOT, "node_modules", name,
                                   "package.json")) as f:
                return json.load(f)["version"]
        except (OSError, ValueError, KeyError):
            return "not installed"
    return {"date": datetime.datetime.now(datetime.timezone.utc)
            .strftime("%Y-%m-%d %H:%M UTC"),
            "machine": "%s, %s, %d CPUs" % (platform.platform(),
                                            platform.machine(),
                                            os.cpu_count() or 0),
            "load average at start": "%.2f %.2f %.2f" % os.getloadavg(),
            "node": cmd([ctx.node, "--version"]),
            "openai": npm("openai"), "viem": npm("viem"),
            "curl": " ".join(cmd(["curl", "--version"]).split()[:2]),
            "hyperfine": cmd(["hyperfine", "--version"]),
            "valgrind": cmd(["valgrind", "--version"]),
            "opengradient": cmd([ctx.bin("opengradient"), "--version"])
            if ctx.bin("opengradient") else "not built",
            "measured with": "bench/tools/rusage (fork, wait4)" if RUSAGE
            else "the runner's wait4 (RSS includes the runner)"}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default=os.environ.get("BUILD", "build"))
    p.add_argument("--out", default="bench/out")
    p.add_argument("--devnet", action="store_true",
                   help="a devnet with gateways is up; its env is exported")
    p.add_argument("--devnet-error", default="")
    p.add_argument("--only", default=os.environ.get("BENCH_ONLY", ""),
                   help="comma-separated subset of: " + ",".join(BENCHES))
    a = p.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ctx = Ctx(a)
    os.makedirs(ctx.out, exist_ok=True)
    only = [x.strip() for x in a.only.split(",") if x.strip()]
    for x in only:
        if x not in BENCHES:
            sys.exit("runner: unknown bench %r (have %s)" %
                     (x, ", ".join(BENCHES)))
    rep = Report()
    if not build_rusage(ctx.out):
        print("bench: no C compiler for bench/tools/rusage.c; peak RSS "
              "figures include the runner's own memory")
    ver = versions(ctx)
    print("bench: %s; %s; load %s" % (ver["date"], ver["machine"],
                                      ver["load average at start"]))
    server_check(ctx, rep)
    for name in BENCHES:
        if only and name not in only:
            continue
        globals()["bench_" + name](ctx, rep)
    write_results(ctx, rep, ver)


def write_results(ctx, rep, ver):
    md = ["# Benchmark results", "",
          "Written by `make bench` (bench/run.sh). Each bench runs next to "
          "its peers in the same run; see bench/README.md for what is "
          "measured. Times are medians unless marked; peak RSS is the "
          "largest of the runs.", ""]
    for k, v in ver.items():
        md.append("- %s: %s" % (k, v))
    md.append("")
    md.append("## Targets")
    md.append("")
    md.append("| bench | target | result |")
    md.append("|---|---|---|")
    for b, t, m in rep.targets:
        md.append("| %s | %s | %s |" % (b, t, m))
    for title, lines in rep.sections:
        md += ["", "## " + title, ""] + [ln if ln.startswith("|") or not ln
                                         else ln + "  " for ln in lines]
    path = os.path.join(ctx.out, "results.md")
    with open(path, "w") as f:
        f.write("\n".join(md) + "\n")
    with open(os.path.join(ctx.out, "results.json"), "w") as f:
        json.dump({"versions": ver, "results": rep.data,
                   "targets": rep.targets}, f, indent=1, default=str)
    print("\n== Targets")
    for b, t, m in rep.targets:
        print("  %-10s %-60s %s" % (b, t, m))
    print("\nbench: wrote %s" % os.path.relpath(path, ROOT))


if __name__ == "__main__":
    main()
