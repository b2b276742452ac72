"""Plays the chat app's browser side of `opengradient login`: reads the
printed URL, checks it, sends the CORS preflight, a POST of the wrong type,
a POST from another origin, then the right bundle. Prints one line per
step; exits non-zero on the first surprise.
usage: login_browser.py OUTFILE APP_ORIGIN BUNDLE_JSON"""
import http.client
import json
import re
import sys
import time

out, origin, bundle = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
url = None
for _ in range(100):
    m = re.search(r"(\S+/cli-auth\?redirect_uri=http://127\.0\.0\.1:(\d+)/"
                  r"&app_name=opengradient-c)", open(out).read())
    if m:
        url, port = m.group(1), int(m.group(2))
        break
    time.sleep(0.1)
if not url:
    sys.exit("no login URL printed")
if not url.startswith(origin + "/cli-auth?"):
    sys.exit("URL not under the chat app: " + url)


def req(method, body=None, hdrs=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    h = {"Origin": origin}
    h.update(hdrs or {})
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    c.request(method, "/", body=data, headers=h)
    r = c.getresponse()
    rb = r.read()
    c.close()
    return r.status, dict(r.getheaders()), rb


st, h, _ = req("OPTIONS", hdrs={"Access-Control-Request-Method": "POST",
                                "Access-Control-Request-Headers": "content-type"})
assert st == 204, st
assert h.get("Access-Control-Allow-Origin") == origin, h
assert "POST" in h.get("Access-Control-Allow-Methods", ""), h
print("preflight 204")
st, _, _ = req("POST", {"type": "something-else", "access_token": "x"})
assert st == 400, st
print("wrong type 400")
st, _, _ = req("POST", b"not json")
assert st == 400, st
print("not JSON 400")
st, _, _ = req("POST", bundle, {"Origin": "https://evil.example"})
assert st == 403, st
print("wrong origin 403")
st, _, rb = req("POST", bundle)
assert st == 200 and json.loads(rb) == {"ok": True}, (st, rb)
print("bundle 200")
