"""N concurrent streamed chat requests to `opengradient serve`, each on its
own connection, all open at once. Every stream must end with a verified
final chunk and [DONE]. Prints one line: "N streams, K ok, C chunks".

    python3 serve_streams.py HOST PORT N MODEL
"""
import asyncio
import json
import resource
import sys


async def one(host, port, model, started, go):
    body = json.dumps({"model": model, "stream": True,
                       "messages": [{"role": "user", "content": "Hi"}]})
    r, w = await asyncio.open_connection(host, port, limit=1 << 20)
    started.append(1)
    await go.wait()
    w.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
             "Content-Type: application/json\r\nContent-Length: %d\r\n"
             "Connection: close\r\n\r\n%s" % (len(body), body)).encode())
    await w.drain()
    data = await r.read()
    w.close()
    head, _, rest = data.partition(b"\r\n\r\n")
    if b" 200 " not in head.split(b"\r\n")[0]:
        return 0, 0
    # chunked transfer: take the SSE lines out of the chunk framing
    text = b""
    while rest:
        size, _, rest = rest.partition(b"\r\n")
        n = int(size, 16)
        if n == 0:
            break
        text += rest[:n]
        rest = rest[n + 2:]
    events = [l[6:] for l in text.decode().split("\n") if l.startswith("data: ")]
    if not events or events[-1] != "[DONE]":
        return 0, len(events)
    final = json.loads(events[-2])
    if final.get("verified") is not True or not final.get("tee"):
        return 0, len(events)
    return 1, len(events) - 1


async def main():
    host, port, n, model = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    started, go = [], asyncio.Event()
    tasks = [asyncio.create_task(one(host, port, model, started, go))
             for _ in range(n)]
    while len(started) < n and not any(t.done() for t in tasks):
        await asyncio.sleep(0.05)
    go.set()  # every connection is open: send all the requests at once
    res = await asyncio.gather(*tasks, return_exceptions=True)
    okc = sum(r[0] for r in res if isinstance(r, tuple))
    chunks = sum(r[1] for r in res if isinstance(r, tuple))
    errs = [repr(r) for r in res if not isinstance(r, tuple)]
    print("%d streams, %d ok, %d chunks%s" % (n, okc, chunks,
          (" (first error: %s)" % errs[0]) if errs else ""))


asyncio.run(main())
