"""serve's benches, each next to its peer in the same run (bench/serve.sh
starts the devnet and exports its env):

 1. latency: added latency of one non-streamed request through serve, next
    to the same request made directly to the TEE stand-in (both from one
    Python client on a kept-alive connection, interleaved);
 2. stream: a 100,000-chunk stream through serve (curl -sN) next to the
    direct command (opengradient chat --stream), process wall times;
 3. concurrent: N concurrent streams through serve (serve's CPU and peak
    RSS) next to the openai npm client making the same streams directly.

Prints Markdown; the raw figures go to bench/out/serve.json.
"""
import http.client
import json
import os
import ssl
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OG = os.environ.get("OG_BIN", os.path.join(ROOT, "build/bin/opengradient"))
OUT = os.path.join(ROOT, "bench/out")
REQS = int(os.environ.get("BENCH_SERVE_REQS", "400"))
CHUNKS = int(os.environ.get("BENCH_SERVE_CHUNKS", "100000"))
STREAMS = int(os.environ.get("BENCH_SERVE_STREAMS", "2000"))
REPS = int(os.environ.get("BENCH_REPS", "3"))
RUSAGE = os.path.join(OUT, "rusage")
res = {}


def start_serve(*extra):
    p = subprocess.Popen([OG, "serve", "--listen", "127.0.0.1:0", "--json",
                          "--max-concurrent", "100000"] + list(extra),
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True)
    line = p.stdout.readline()
    url = json.loads(line)["listening"]
    return p, int(url.rsplit(":", 1)[1])


def stop_serve(p):
    p.terminate()
    p.wait()


def proc_usage(pid):
    with open("/proc/%d/stat" % pid) as f:
        f = f.read().rsplit(")", 1)[1].split()
    cpu = (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
    hwm = 0
    with open("/proc/%d/status" % pid) as s:
        for line in s:
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024.0
    return cpu, hwm


def rusage(argv, stdout=subprocess.DEVNULL, env=None):
    rf = os.path.join(OUT, "rusage.json")
    rc = subprocess.call([RUSAGE, rf] + argv, stdout=stdout, env=env)
    with open(rf) as f:
        r = json.load(f)
    r["rc"] = rc
    return r


def bench_latency():
    # the gateway takes the bare name; serve maps gpt-5 to openai/gpt-5
    body = json.dumps({"model": "gpt-5", "max_tokens": 100,
                       "temperature": 0.0,
                       "messages": [{"role": "user", "content": "Hi"}]})
    p, port = start_serve()
    host, gport = "127.0.0.1", int(os.environ["TEE_0_PORT"])
    ctx = ssl.create_default_context(cafile=os.environ["TEE_0_CERT"])
    ctx.check_hostname = False
    direct = http.client.HTTPSConnection(host, gport, context=ctx)
    via = http.client.HTTPConnection(host, port)
    hdr = {"Content-Type": "application/json",
           "Authorization": "Bearer 0x" + "00" * 32}

    def one(conn):
        t = time.perf_counter()
        conn.request("POST", "/v1/chat/completions", body, hdr)
        r = conn.getresponse()
        data = r.read()
        dt = time.perf_counter() - t
        if r.status != 200 or b"tee_signature" not in data:
            raise SystemExit("latency: HTTP %d %r" % (r.status, data[:200]))
        return dt

    for _ in range(20):  # warm up both connections
        one(direct), one(via)
    d, v = [], []
    cpu0, _ = proc_usage(p.pid)
    for _ in range(REQS):
        d.append(one(direct))
        v.append(one(via))
    cpu, hwm = proc_usage(p.pid)
    stop_serve(p)
    cpu -= cpu0
    md, mv = statistics.median(d), statistics.median(v)
    res["latency"] = {"requests": REQS, "direct_median_ms": md * 1e3,
                      "serve_median_ms": mv * 1e3,
                      "added_median_ms": (mv - md) * 1e3,
                      "direct_p90_ms": sorted(d)[int(0.9 * REQS)] * 1e3,
                      "serve_p90_ms": sorted(v)[int(0.9 * REQS)] * 1e3,
                      "serve_cpu_per_request_ms": cpu / REQS * 1e3}


def bench_stream():
    p, port = start_serve()
    model = "bench/bench-%d" % CHUNKS
    body = json.dumps({"model": model, "stream": True,
                       "messages": [{"role": "user", "content": "bench"}]})
    direct, via = [], []
    for _ in range(REPS):
        r = rusage([OG, "chat", "--stream", "--tee-id", os.environ["TEE_0_ID"],
                    "--model", model, "--messages",
                    '[{"role":"user","content":"bench"}]'])
        if r["rc"]:
            raise SystemExit("direct stream failed")
        direct.append(r["wall"])
        with open(os.path.join(OUT, "serve_stream.txt"), "wb") as f:
            r = rusage(["curl", "-sN", "--fail", "http://127.0.0.1:%d/v1/chat/"
                        "completions" % port, "-d", body], stdout=f)
        with open(os.path.join(OUT, "serve_stream.txt"), "rb") as f:
            f.seek(-200, 2)
            if r["rc"] or b"[DONE]" not in f.read():
                raise SystemExit("stream through serve failed")
        via.append(r["wall"])
    stop_serve(p)
    md, mv = statistics.median(direct), statistics.median(via)
    res["stream"] = {"chunks": CHUNKS, "direct_wall_s": md,
                     "serve_wall_s": mv, "ratio": mv / md}


def bench_concurrent():
    n = STREAMS
    p, port = start_serve()
    cpu0, _ = proc_usage(p.pid)
    r = rusage([sys.executable, os.path.join(ROOT, "tests/integration/"
                "serve_streams.py"), "127.0.0.1", str(port), str(n),
                "bench/bench-10"], stdout=subprocess.PIPE)
    cpu1, hwm = proc_usage(p.pid)
    stop_serve(p)
    peer = rusage(["node", os.path.join(ROOT, "bench/peers/"
                   "openai_concurrent.mjs"), "--url",
                   os.environ["TEE_0_ENDPOINT"], "--cert",
                   os.environ["TEE_0_CERT"], "--streams", str(n), "--n",
                   "10"])
    res["concurrent"] = {"streams": n, "serve_cpu_s": cpu1 - cpu0,
                         "serve_peak_rss_mib": hwm,
                         "client_wall_s": r["wall"], "client_rc": r["rc"],
                         "openai_cpu_s": peer["user"] + peer["sys"],
                         "openai_peak_rss_mib": peer["maxrss_kib"] / 1024.0,
                         "openai_wall_s": peer["wall"], "openai_rc": peer["rc"]}


def main():
    os.makedirs(OUT, exist_ok=True)
    if not os.path.exists(RUSAGE):
        subprocess.check_call(["cc", "-O2", "-o", RUSAGE,
                               os.path.join(ROOT, "bench/tools/rusage.c")])
    only = os.environ.get("BENCH_ONLY", "latency,stream,concurrent").split(",")
    for name in ("latency", "stream", "concurrent"):
        if name in only:
            globals()["bench_" + name]()
    with open(os.path.join(OUT, "serve.json"), "w") as f:
        json.dump(res, f, indent=1)
    print(json.dumps(res, indent=1))


main()
