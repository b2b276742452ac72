#!/usr/bin/env python3
"""Local chain for integration tests and the demo.

Starts anvil (the native binary), deploys a TEERegistry with the real ABI,
installs a mock verifier at 0x...0900, registers TEEs with fresh TLS
certificates and RSA signing keys, and writes DIR/env and DIR/devnet.json.
See tests/devnet/README.md.  Python 3 stdlib + `cryptography` only.
"""

import argparse
import datetime
import hashlib
import ipaddress
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, x25519
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CONTRACTS = os.path.join(HERE, "contracts")
OUT = os.path.join(HERE, "out")
NM = os.path.join(ROOT, "node_modules")
ANVIL = os.path.join(NM, "@foundry-rs/anvil-linux-amd64/bin/anvil")

VERIFIER = "0x0000000000000000000000000000000000000900"
# anvil's well-known, publicly documented dev account 0 (test-only key).
DEV_ACCOUNT = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
from ogcanon import checksum_address, keccak256  # noqa: E402

DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
TYPE_NAMES = {0: "LLMProxy", 1: "Validator"}
PCR_VERSION = "devnet-v1"


class DevnetError(Exception):
    pass


# ------------------------------------------------ keccak256 and EIP-55
# One pure-Python Keccak for the devnet and the gateway stand-in: ogcanon's.

def eip55(addr):
    h = addr.lower().removeprefix("0x")
    if len(h) != 40:
        raise DevnetError("bad address %r" % addr)
    return checksum_address(h)


def h0x(b):
    return "0x" + b.hex()


def unhex(s):
    return bytes.fromhex(s.removeprefix("0x"))


# --------------------------------------------------------- minimal ABI codec

def _split_types(s):
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
            continue
        depth += (ch == "(") - (ch == ")")
        cur += ch
    if cur:
        out.append(cur)
    return out


def _is_dynamic(t):
    if t.startswith("("):
        return any(_is_dynamic(x) for x in _split_types(t[1:-1]))
    return t in ("bytes", "string")


def _enc_one(t, v):
    if t.startswith("("):
        return abi_encode(_split_types(t[1:-1]), v)
    if t == "address":
        return bytes(12) + unhex(v)
    if t == "bool":
        return (1 if v else 0).to_bytes(32, "big")
    if t.startswith("uint"):
        return int(v).to_bytes(32, "big")
    if t == "bytes32":
        b = unhex(v) if isinstance(v, str) else v
        if len(b) != 32:
            raise DevnetError("bytes32 needs 32 bytes")
        return b
    if t in ("bytes", "string"):
        b = v.encode() if isinstance(v, str) and t == "string" else v
        b = unhex(b) if isinstance(b, str) else bytes(b)
        return len(b).to_bytes(32, "big") + b + bytes(-len(b) % 32)
    raise DevnetError("unsupported ABI type " + t)


def abi_encode(types, values):
    heads, tails = [], b""
    head_len = 32 * len(types)
    for t, v in zip(types, values):
        enc = _enc_one(t, v)
        if _is_dynamic(t):
            heads.append((head_len + len(tails)).to_bytes(32, "big"))
            tails += enc
        else:
            heads.append(enc)
    return b"".join(heads) + tails


def calldata(sig, *values):
    name, args = sig.split("(", 1)
    types = _split_types(args[:-1])
    return keccak256(sig.encode())[:4] + abi_encode(types, values)


def word(data, i):
    return int.from_bytes(data[32 * i:32 * i + 32], "big")


def decode_bytes32_array(data):
    off = word(data, 0) // 32
    n = word(data, off)
    return [h0x(data[32 * (off + 1 + i):32 * (off + 2 + i)]) for i in range(n)]


# Custom errors of the devnet contracts, for readable failures.
_ERRORS = ["TEETypeExists()", "TEETypeNotFound()", "InvalidTEEType()",
           "PCRNotApproved()", "PCRAlreadyExists()", "TEEAlreadyExists()",
           "TEENotFound()", "TEENotEnabled()", "NotTEEOwner()",
           "AttestationInvalid(string)", "KeyBindingFailed(string)",
           "HeartbeatSignatureInvalid()", "HeartbeatTimestampTooOld()",
           "HeartbeatTimestampInFuture()",
           "AccessControlUnauthorizedAccount(address,bytes32)",
           "AccessControlBadConfirmation()", "NotDeployer()",
           "ApproveDisabled()", "Error(string)"]
_ERROR_BY_SEL = {keccak256(e.encode())[:4].hex(): e for e in _ERRORS}


def describe_revert(data):
    if not isinstance(data, str) or len(data) < 10:
        return "empty revert data"
    return _ERROR_BY_SEL.get(data[2:10], "unknown error") + " " + data


# ------------------------------------------------------------------ JSON-RPC

class RpcError(DevnetError):
    pass


class Rpc:
    def __init__(self, url):
        self.url = url
        self.n = 0

    def __call__(self, method, *params, timeout=30):
        self.n += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self.n, "method": method,
                           "params": list(params)}).encode()
        req = urllib.request.Request(self.url, data=body, headers={
            "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            reply = json.loads(r.read())
        if "error" in reply:
            e = reply["error"]
            raise RpcError("%s: %s (%s)" % (method, e.get("message"),
                                            describe_revert(e.get("data"))))
        return reply["result"]

    def call(self, to, data):
        return unhex(self("eth_call", {"to": to, "data": h0x(data)}, "latest"))

    def send(self, to, data, what):
        tx = {"from": DEV_ACCOUNT, "data": h0x(data)}
        if to:
            tx["to"] = to
        try:
            txh = self("eth_sendTransaction", tx)
        except RpcError as e:
            raise DevnetError("%s failed: %s" % (what, e)) from None
        rcpt = None
        for _ in range(500):
            rcpt = self("eth_getTransactionReceipt", txh)
            if rcpt:
                break
            time.sleep(0.01)
        if not rcpt or rcpt.get("status") != "0x1":
            why = ""
            if rcpt:   # replay on the parent block for the revert reason
                before = hex(int(rcpt["blockNumber"], 16) - 1)
                try:
                    self("eth_call", tx, before)
                except RpcError as e:
                    why = ": %s" % e
            raise DevnetError("%s: transaction %s failed%s" % (what, txh, why))
        return rcpt

    def latest_timestamp(self):
        return int(self("eth_getBlockByNumber", "latest", False)["timestamp"], 16)


# ------------------------------------------------------------ compilation

def _source_digest():
    h = hashlib.sha256()
    for name in sorted(os.listdir(CONTRACTS)):
        if name.endswith(".sol"):
            h.update(name.encode() + b"\0")
            with open(os.path.join(CONTRACTS, name), "rb") as f:
                h.update(f.read())
            h.update(b"\0")
    with open(os.path.join(HERE, "compile.js"), "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def artifacts():
    """Compiled contracts, cached in out/ keyed by a hash of the sources."""
    digest = _source_digest()
    path = os.path.join(OUT, "artifacts-%s.json" % digest[:16])
    if not os.path.exists(path):
        os.makedirs(OUT, exist_ok=True)
        tmp = "%s.%d.tmp" % (path, os.getpid())
        node = os.environ.get("NODE", "node")
        r = subprocess.run([node, os.path.join(HERE, "compile.js"), CONTRACTS, tmp],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise DevnetError("solc failed:\n" + r.stderr)
        os.replace(tmp, path)   # atomic: concurrent starts are fine
    with open(path) as f:
        return json.load(f)["contracts"]


# -------------------------------------------------------------- certificates

def _write(path, data, private=False):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM,
                             serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def make_cert(ca=False, issuer_cert=None, issuer_key=None, cn=None):
    """ECDSA P-256 certificate.  Default: self-signed leaf like the gateway's
    nitriding certificate (CA:FALSE, SAN localhost + 127.0.0.1).  ca=True
    makes a CA:TRUE root; issuer_* signs a leaf with a CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    if ca:
        name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME,
                                             "opengradient devnet"),
                          x509.NameAttribute(NameOID.COMMON_NAME,
                                             cn or "devnet test CA")])
    else:
        attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME,
                                    "AWS Nitro enclave application")]
        if cn:
            attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
        name = x509.Name(attrs)
    signer_key = issuer_key or key
    b = (x509.CertificateBuilder()
         .subject_name(name)
         .issuer_name(issuer_cert.subject if issuer_cert else name)
         .public_key(key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(now - datetime.timedelta(hours=1))
         .not_valid_after(now + datetime.timedelta(days=365))
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(
             key.public_key()), critical=False)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
             signer_key.public_key()), critical=False))
    if ca:
        b = (b.add_extension(x509.BasicConstraints(ca=True, path_length=None),
                             critical=True)
             .add_extension(x509.KeyUsage(
                 digital_signature=True, content_commitment=False,
                 key_encipherment=False, data_encipherment=False,
                 key_agreement=False, key_cert_sign=True, crl_sign=True,
                 encipher_only=False, decipher_only=False), critical=True))
    else:
        b = (b.add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"),
                x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
             .add_extension(x509.BasicConstraints(ca=False, path_length=None),
                            critical=True)
             .add_extension(x509.KeyUsage(
                 digital_signature=True, content_commitment=False,
                 key_encipherment=False, data_encipherment=False,
                 key_agreement=False, key_cert_sign=False, crl_sign=False,
                 encipher_only=False, decipher_only=False), critical=True)
             .add_extension(x509.ExtendedKeyUsage(
                 [ExtendedKeyUsageOID.SERVER_AUTH]), critical=False))
    cert = b.sign(signer_key, hashes.SHA256())
    return cert, key


def write_cert(prefix, cert, key):
    """PREFIX.pem (certificate), PREFIX.der, PREFIX.key (PKCS#8 PEM)."""
    _write(prefix + ".pem", cert.public_bytes(serialization.Encoding.PEM))
    _write(prefix + ".der", cert.public_bytes(serialization.Encoding.DER))
    _write(prefix + ".key", _key_pem(key), private=True)


def load_cert(path):
    with open(path, "rb") as f:
        data = f.read()
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


def load_key(path):
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


# ---------------------------------------------------------------- processes

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _proc_matches(pid, needle):
    """True if pid is alive (not a zombie) and its command line has needle:
    guards against signalling a recycled PID."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                return False
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return needle.encode() in f.read()
    except (OSError, IndexError):
        return False


def stop_pid(pid, needle, timeout=5.0):
    if not pid or not _proc_matches(pid, needle):
        return
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 2.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        end = time.monotonic() + wait
        while time.monotonic() < end:
            try:   # reap it if it is our own child
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
            if not _proc_matches(pid, needle):
                return
            time.sleep(0.02)


def start_anvil(d):
    if not os.access(ANVIL, os.X_OK):
        raise DevnetError("anvil not found at %s (run npm ci)" % ANVIL)
    log = open(os.path.join(d, "anvil.log"), "ab")
    for _ in range(5):
        port = free_port()
        p = subprocess.Popen([ANVIL, "--host", "127.0.0.1", "--port", str(port),
                              "--silent"], stdin=subprocess.DEVNULL, stdout=log,
                             stderr=log, start_new_session=True)
        rpc = Rpc("http://127.0.0.1:%d" % port)
        end = time.monotonic() + 15
        while time.monotonic() < end and p.poll() is None:
            try:
                rpc("eth_blockNumber", timeout=1)
                return p.pid, port
            except (OSError, urllib.error.URLError):
                time.sleep(0.02)
        if p.poll() is None:
            stop_pid(p.pid, "anvil")
    raise DevnetError("anvil did not start (see %s/anvil.log)" % d)


# -------------------------------------------------------------------- state

def _state_path(d):
    return os.path.join(d, "state.json")


def load_state(d):
    try:
        with open(_state_path(d)) as f:
            return json.load(f)
    except FileNotFoundError:
        raise DevnetError("no devnet in %s (run start first)" % d) from None


def save_state(d, st):
    tmp = _state_path(d) + ".tmp"
    with open(tmp, "w") as f:
        json.dump(st, f, indent=1)
    os.replace(tmp, _state_path(d))
    write_env(d, st)


def env_items(st):
    items = [("OG_RPC_URL", st["rpc_url"]),
             ("OG_TEE_REGISTRY", st["registry"]),
             ("OG_DEVNET_CHAIN_ID", st["chain_id"]),
             ("OG_REGISTRY_LAYOUT", st["layout"]),
             ("ANVIL_PID", st["anvil_pid"]),
             ("OG_DEVNET_DIR", st["dir"]),
             ("OG_DEVNET_ACCOUNT", DEV_ACCOUNT),
             ("OG_DEVNET_PRIVATE_KEY", DEV_KEY),
             ("OG_DEVNET_PCR_HASH", st["pcr_hash"])]
    if st.get("token"):
        items.append(("OG_TEST_TOKEN", st["token"]))
    items.append(("TEE_COUNT", len(st["tees"])))
    for t in st["tees"]:
        items += tee_items(t)
    return items


def tee_items(t):
    p = "TEE_%d_" % t["index"]
    items = [(p + "ID", t["id"]), (p + "ENDPOINT", t["endpoint"]),
             (p + "PORT", t["port"]), (p + "TYPE", t["type"]),
             (p + "CERT", t["cert"]), (p + "CERT_DER", t["cert_der"]),
             (p + "TLS_KEY", t["tls_key"]),
             (p + "SIGNING_KEY", t["signing_key"]),
             (p + "SPKI_DER", t["spki_der"]),
             (p + "PAYMENT_ADDRESS", t["payment_address"])]
    if t.get("gateway_pid"):
        items.append((p + "GATEWAY_PID", t["gateway_pid"]))
    return items


def env_lines(items):
    return "".join("export %s=%s\n" % (k, shlex.quote(str(v))) for k, v in items)


def write_env(d, st):
    items = env_items(st)
    text = ("# opengradient devnet; source this file.  Generated by "
            "tests/devnet/devnet.py.\n# OG_DEVNET_PRIVATE_KEY is anvil's "
            "public, well-known dev key 0 (test only).\n") + env_lines(items)
    _write(os.path.join(d, "env.tmp"), text.encode())
    os.replace(os.path.join(d, "env.tmp"), os.path.join(d, "env"))
    doc = {k: v for k, v in items}
    doc["TEES"] = [dict(t) for t in st["tees"]]
    _write(os.path.join(d, "devnet.json.tmp"), json.dumps(doc, indent=1).encode())
    os.replace(os.path.join(d, "devnet.json.tmp"), os.path.join(d, "devnet.json"))


# ------------------------------------------------------------ registry ops

def _pcrs():
    # Fixed fake measurements: the devnet's pcrHash is the same every run.
    return [hashlib.sha384(b"opengradient devnet pcr%d" % i).digest()
            for i in range(3)]


def deploy(rpc, bytecode, what, ctor=b""):
    rcpt = rpc.send(None, unhex(bytecode) + ctor, "deploy " + what)
    return eip55(rcpt["contractAddress"])


def sign_heartbeat(key, tee_id, ts):
    """RSA-PSS (SHA-256, MGF1-SHA-256, salt 32) over sha256(m) with
    m = keccak256(teeId || uint256(ts)), as the verifier precompile checks
    (registry.md 4.2, signatures.md 7).  cryptography hashes m with SHA-256
    itself, which gives exactly sha256(m)."""
    m = keccak256(unhex(tee_id) + ts.to_bytes(32, "big"))
    return key.sign(m, padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                                   salt_length=32), hashes.SHA256())


def send_heartbeat(rpc, st, t, ts=None):
    if ts is None:
        ts = rpc.latest_timestamp()
    sig = sign_heartbeat(load_key(t["signing_key"]), t["id"], ts)
    rpc.send(st["registry"], calldata("heartbeat(bytes32,uint256,bytes)",
                                      t["id"], ts, sig),
             "heartbeat " + t["id"])


def is_enabled(rpc, st, tee_id):
    return word(rpc.call(st["registry"], calldata("isTEEEnabled(bytes32)",
                                                  tee_id)), 0) == 1


def register_tee(rpc, st, d, cert_path=None, tls_key=None, endpoint=None,
                 port=None, tee_type=0, port_hint=None, ohttp=True):
    idx = len(st["tees"])
    tdir = os.path.join(d, "tee_%d" % idx)
    os.makedirs(tdir, exist_ok=True)
    if cert_path:
        cert = load_cert(cert_path)
        cert_pem = os.path.abspath(cert_path)
        if cert_pem.endswith(".der"):   # the gateway wants PEM
            cert_pem = os.path.join(tdir, "cert.pem")
            _write(cert_pem, cert.public_bytes(serialization.Encoding.PEM))
        tls_key = os.path.abspath(tls_key) if tls_key else ""
    else:
        cert, key = make_cert()
        write_cert(os.path.join(tdir, "cert"), cert, key)
        cert_pem = os.path.join(tdir, "cert.pem")
        tls_key = os.path.join(tdir, "cert.key")
    cert_der = cert.public_bytes(serialization.Encoding.DER)
    cert_der_path = os.path.join(tdir, "cert.der")
    _write(cert_der_path, cert_der)

    skey = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    spki = skey.public_key().public_bytes(
        serialization.Encoding.DER,
        serialization.PublicFormat.SubjectPublicKeyInfo)
    _write(os.path.join(tdir, "signing.pem"), _key_pem(skey), private=True)
    _write(os.path.join(tdir, "signing.pub.pem"), skey.public_key().public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo))
    _write(os.path.join(tdir, "spki.der"), spki)

    if port is None:
        port = port_hint if port_hint else free_port()
    if not endpoint:
        endpoint = "https://127.0.0.1:%d" % port
    payment = eip55(os.urandom(20).hex())
    tee_id = h0x(keccak256(spki))

    rcpt = rpc.send(st["registry"], calldata(
        "registerTEEWithAttestation(bytes,bytes,bytes,address,string,uint8)",
        b"".join(_pcrs()), spki, cert_der, payment, endpoint, tee_type),
        "registerTEEWithAttestation")
    logged = [lg["topics"][1] for lg in rcpt["logs"]
              if lg["topics"][0] == h0x(keccak256(
                  b"TEERegistered(bytes32,address,uint8)"))]
    if logged != [tee_id]:
        raise DevnetError("TEERegistered log %r != keccak256(SPKI) %s"
                          % (logged, tee_id))

    if st["layout"] == 11 and ohttp:
        # RFC 9458 key config: keyId, kemId, pk, suites length, (kdf, aead)
        okey = x25519.X25519PrivateKey.generate()
        opub = okey.public_key().public_bytes(serialization.Encoding.Raw,
                                              serialization.PublicFormat.Raw)
        _write(os.path.join(tdir, "ohttp.key"), okey.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
            serialization.NoEncryption()), private=True)
        keycfg = (bytes([1]) + (0x20).to_bytes(2, "big") + opub
                  + (4).to_bytes(2, "big") + (1).to_bytes(2, "big")
                  + (3).to_bytes(2, "big"))
        rpc.send(st["registry"], calldata(
            "setOhttpConfig(bytes32,uint8,uint16,uint16,uint16,bytes,bytes)",
            tee_id, 1, 0x20, 1, 3, opub, keycfg), "setOhttpConfig")

    t = {"index": idx, "id": tee_id, "endpoint": endpoint, "port": port,
         "type": tee_type, "cert": cert_pem, "cert_der": cert_der_path,
         "tls_key": tls_key,
         "signing_key": os.path.join(tdir, "signing.pem"),
         "spki_der": os.path.join(tdir, "spki.der"),
         "payment_address": payment}
    st["tees"].append(t)
    return t


# ----------------------------------------------------------------- gateways

def gateway_script():
    return os.environ.get("OG_GATEWAY_SCRIPT", os.path.join(HERE, "gateway.py"))


def spawn_gateway(d, t, cert=None, key=None):
    script = gateway_script()
    if not os.path.exists(script):
        raise DevnetError("gateway stand-in %s does not exist; cannot start "
                          "gateways" % script)
    if not (key or t["tls_key"]):
        raise DevnetError("TEE %d has no TLS key to serve with" % t["index"])
    i = t["index"]
    ready = os.path.join(d, "gw_%d.ready" % i)
    pidfile = os.path.join(d, "gw_%d.pid" % i)
    for f in (ready, pidfile):
        if os.path.exists(f):
            os.unlink(f)
    py = os.environ.get("PYTHON") or sys.executable
    cmd = [py, script, "--port", str(t["port"]), "--cert", cert or t["cert"],
           "--key", key or t["tls_key"], "--signing-key", t["signing_key"],
           "--payment-address", t["payment_address"], "--ready-file", ready,
           "--pidfile", pidfile]
    cmd += shlex.split(os.environ.get("OG_GATEWAY_ARGS", ""))
    log = open(os.path.join(d, "gw_%d.log" % i), "ab")
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                         start_new_session=True)
    t["gateway_pid"] = p.pid
    t["gateway_script"] = os.path.basename(script)
    return p, ready


def _check_ready(ready, t):
    """A JSON ready file may name the stand-in's tee_id (keccak256 of its
    signing key): it must be the registered one."""
    try:
        with open(ready) as f:
            info = json.load(f)
    except (OSError, ValueError):
        return
    got = info.get("tee_id") if isinstance(info, dict) else None
    if got and got.lower() != t["id"]:
        raise DevnetError("gateway %d reports tee_id %s, registered %s"
                          % (t["index"], got, t["id"]))


def wait_gateways(d, procs, timeout=30.0):
    end = time.monotonic() + timeout
    pending = list(procs)
    while pending:
        for p, ready, t in list(pending):
            if os.path.exists(ready):
                pending.remove((p, ready, t))
                _check_ready(ready, t)
            elif p.poll() is not None:
                logf = os.path.join(d, "gw_%d.log" % t["index"])
                tail = open(logf, errors="replace").read()[-2000:]
                raise DevnetError("gateway %d exited with %s before ready:\n%s"
                                  % (t["index"], p.returncode, tail))
        if pending and time.monotonic() > end:
            raise DevnetError("gateways not ready after %.0f s: %s" % (
                timeout, [t["index"] for _, _, t in pending]))
        if pending:
            time.sleep(0.02)


def stop_gateways(d, st):
    for t in st["tees"]:
        pids = {t.get("gateway_pid")}
        try:
            with open(os.path.join(d, "gw_%d.pid" % t["index"])) as f:
                pids.add(int(f.read().strip()))
        except (OSError, ValueError):
            pass
        for pid in pids:
            if pid:
                stop_pid(pid, t.get("gateway_script", "gateway"))
        t.pop("gateway_pid", None)
        for f in ("gw_%d.ready", "gw_%d.pid"):
            try:
                os.unlink(os.path.join(d, f % t["index"]))
            except FileNotFoundError:
                pass


# ----------------------------------------------------------------- commands

def cmd_start(a):
    d = os.path.abspath(a.dir)
    os.makedirs(d, exist_ok=True)
    if os.path.exists(_state_path(d)):
        old = load_state(d)
        if old.get("anvil_pid") and _proc_matches(old["anvil_pid"], "anvil"):
            raise DevnetError("a devnet is already running in %s (stop it "
                              "first)" % d)
    if a.gateways and not os.path.exists(gateway_script()):
        raise DevnetError("--gateways: gateway stand-in %s does not exist"
                          % gateway_script())
    art = artifacts()
    pid, port = start_anvil(d)
    _write(os.path.join(d, "anvil.pid"), b"%d\n" % pid)
    st = {"dir": d, "anvil_pid": pid, "anvil_port": port,
          "rpc_url": "http://127.0.0.1:%d" % port, "layout": a.layout,
          "tees": [], "token": None}
    try:
        rpc = Rpc(st["rpc_url"])
        st["chain_id"] = int(rpc("eth_chainId"), 16)
        name = "TEERegistry" if a.layout == 11 else "TEERegistry10"
        st["registry"] = deploy(rpc, art[name]["bytecode"], name)
        rpc("anvil_setCode", VERIFIER, art["MockTEEVerifier"]["deployedBytecode"])
        pcrs = _pcrs()
        st["pcr_hash"] = h0x(keccak256(b"".join(pcrs)))
        for tid, tname in TYPE_NAMES.items():
            rpc.send(st["registry"], calldata("addTEEType(uint8,string)",
                                              tid, tname), "addTEEType")
            rpc.send(st["registry"], calldata(
                "approvePCR((bytes,bytes,bytes),string,uint8)", pcrs,
                PCR_VERSION, tid), "approvePCR")
        for i in range(a.tees):
            register_tee(rpc, st, d, port_hint=(a.base_port + i
                                                if a.base_port else None))
        save_state(d, st)
        if a.gateways:
            procs = []
            for t in st["tees"]:
                p, ready = spawn_gateway(d, t)
                procs.append((p, ready, t))
            save_state(d, st)
            wait_gateways(d, procs)
    except BaseException:
        stop_gateways(d, st)
        stop_pid(pid, "anvil")
        st["anvil_pid"] = 0
        if "registry" in st and "pcr_hash" in st:
            save_state(d, st)
        raise
    save_state(d, st)
    print("devnet up: %s registry %s (%d-field), %d TEE(s); source %s/env"
          % (st["rpc_url"], st["registry"], a.layout, len(st["tees"]), d),
          file=sys.stderr)


def cmd_stop(a):
    d = os.path.abspath(a.dir)
    if not os.path.exists(_state_path(d)):
        return
    st = load_state(d)
    stop_gateways(d, st)
    if st.get("anvil_pid"):
        stop_pid(st["anvil_pid"], "anvil")
    st["anvil_pid"] = 0
    save_state(d, st)
    try:
        os.unlink(os.path.join(d, "anvil.pid"))
    except FileNotFoundError:
        pass


def _live(a):
    d = os.path.abspath(a.dir)
    st = load_state(d)
    if not st.get("anvil_pid") or not _proc_matches(st["anvil_pid"], "anvil"):
        raise DevnetError("devnet in %s is not running" % d)
    return d, st, Rpc(st["rpc_url"])


def _find(st, tee_id):
    want = tee_id.lower().removeprefix("0x")
    for t in st["tees"]:
        if t["id"][2:] == want:
            return t
    raise DevnetError("unknown TEE id %s" % tee_id)


def _norm_id(tee_id):
    h = tee_id.lower().removeprefix("0x")
    if len(h) != 64:
        raise DevnetError("a TEE id is 32 bytes of hex")
    return "0x" + h


def cmd_add_tee(a):
    d, st, rpc = _live(a)
    if a.tls_key and not a.cert:
        raise DevnetError("--tls-key needs --cert")
    t = register_tee(rpc, st, d, cert_path=a.cert, tls_key=a.tls_key,
                     endpoint=a.endpoint, port=a.port, tee_type=a.type,
                     ohttp=not a.no_ohttp)
    save_state(d, st)
    if a.gateway:
        p, ready = spawn_gateway(d, t, cert=a.gateway_cert, key=a.gateway_key)
        save_state(d, st)
        wait_gateways(d, [(p, ready, t)])
    sys.stdout.write(env_lines([("TEE_COUNT", len(st["tees"]))] + tee_items(t)))


def cmd_gen_cert(a):
    if a.ca and a.signed_by:
        raise DevnetError("--ca and --signed-by exclude each other")
    d = os.path.dirname(os.path.abspath(a.out))
    os.makedirs(d, exist_ok=True)
    if a.signed_by:
        ca_cert = load_cert(a.signed_by + ".pem")
        ca_key = load_key(a.signed_by + ".key")
        cert, key = make_cert(issuer_cert=ca_cert, issuer_key=ca_key, cn=a.cn)
    else:
        cert, key = make_cert(ca=a.ca, cn=a.cn)
    write_cert(a.out, cert, key)
    print("%s.pem %s.der %s.key" % (a.out, a.out, a.out))


def cmd_disable(a):
    d, st, rpc = _live(a)
    rpc.send(st["registry"], calldata("disableTEE(bytes32)", _norm_id(a.id)),
             "disableTEE")


def cmd_enable(a):
    d, st, rpc = _live(a)
    rpc.send(st["registry"], calldata("enableTEE(bytes32)", _norm_id(a.id)),
             "enableTEE")


def cmd_stale(a):
    d, st, rpc = _live(a)
    target = _find(st, a.id)
    max_age = word(rpc.call(st["registry"], calldata("heartbeatMaxAge()")), 0)
    rpc("evm_increaseTime", max_age + 1)
    rpc("evm_mine")
    for t in st["tees"]:
        if t is not target and is_enabled(rpc, st, t["id"]):
            send_heartbeat(rpc, st, t)


def cmd_heartbeat(a):
    d, st, rpc = _live(a)
    tees = [_find(st, a.id)] if a.id else [
        t for t in st["tees"] if is_enabled(rpc, st, t["id"])]
    for t in tees:
        send_heartbeat(rpc, st, t, a.timestamp)


def cmd_revoke_pcr(a):
    d, st, rpc = _live(a)
    rpc.send(st["registry"], calldata("revokePCR(bytes32,uint8)",
                                      a.pcr_hash or st["pcr_hash"], a.type),
             "revokePCR")


def cmd_approve_pcr(a):
    d, st, rpc = _live(a)
    rpc.send(st["registry"], calldata(
        "approvePCR((bytes,bytes,bytes),string,uint8)", _pcrs(), PCR_VERSION,
        a.type), "approvePCR")


def cmd_set_max_age(a):
    d, st, rpc = _live(a)
    rpc.send(st["registry"], calldata("setHeartbeatMaxAge(uint256)", a.seconds),
             "setHeartbeatMaxAge")


def cmd_deploy_token(a):
    d, st, rpc = _live(a)
    art = artifacts()
    addr = deploy(rpc, art["TestToken"]["bytecode"], "TestToken",
                  abi_encode(["string", "string"], [a.name, a.symbol]))
    amount = int(a.mint) * 10 ** 18
    for to in [DEV_ACCOUNT] + (a.mint_to or []):
        rpc.send(addr, calldata("mint(address,uint256)", to, amount), "mint")
    st["token"] = addr
    save_state(d, st)
    sys.stdout.write(env_lines([("OG_TEST_TOKEN", addr)]))


def cmd_approve_reverts(a):
    d, st, rpc = _live(a)
    if not st.get("token"):
        raise DevnetError("no test token (run deploy-token)")
    rpc.send(st["token"], calldata("setApproveReverts(bool)", a.on == "on"),
             "setApproveReverts")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="devnet.py", description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    def cmd(name, fn, help_, dir_=True):
        p = sub.add_parser(name, help=help_)
        if dir_:
            p.add_argument("--dir", required=True, help="run directory")
        p.set_defaults(fn=fn)
        return p

    p = cmd("start", cmd_start, "start anvil, deploy, register TEEs")
    p.add_argument("--tees", type=int, default=2)
    p.add_argument("--layout", type=int, choices=(10, 11), default=11)
    p.add_argument("--gateways", action="store_true",
                   help="start tests/devnet/gateway.py for each TEE")
    p.add_argument("--base-port", type=int, default=0,
                   help="TEE i listens on P+i (default: free random ports)")
    cmd("stop", cmd_stop, "stop gateways and anvil")
    p = cmd("add-tee", cmd_add_tee, "register one more TEE")
    p.add_argument("--cert", help="certificate to register (PEM or DER)")
    p.add_argument("--tls-key", help="private key of --cert (PEM)")
    p.add_argument("--endpoint")
    p.add_argument("--port", type=int)
    p.add_argument("--type", type=int, default=0)
    p.add_argument("--gateway", action="store_true",
                   help="also start a gateway stand-in for it")
    p.add_argument("--no-ohttp", action="store_true",
                   help="11-field layout: register no OHTTP key for it")
    p.add_argument("--gateway-cert",
                   help="certificate the gateway serves (default: --cert)")
    p.add_argument("--gateway-key", help="key for --gateway-cert")
    p = cmd("gen-cert", cmd_gen_cert, "make a certificate", dir_=False)
    p.add_argument("--out", required=True,
                   help="writes OUT.pem, OUT.der, OUT.key")
    p.add_argument("--ca", action="store_true", help="a CA:TRUE certificate")
    p.add_argument("--signed-by", metavar="CA_PREFIX",
                   help="a leaf signed by CA_PREFIX.pem/.key")
    p.add_argument("--cn", help="optional common name")
    for name, fn in (("disable", cmd_disable), ("enable", cmd_enable),
                     ("stale", cmd_stale)):
        p = cmd(name, fn, name + " a TEE")
        p.add_argument("--id", required=True)
    p = cmd("heartbeat", cmd_heartbeat, "send signed heartbeats (default: all "
            "enabled TEEs)")
    p.add_argument("--id")
    p.add_argument("--timestamp", type=int,
                   help="signed timestamp (default: latest block time)")
    p = cmd("revoke-pcr", cmd_revoke_pcr, "revoke the devnet PCR")
    p.add_argument("--type", type=int, default=0)
    p.add_argument("--pcr-hash", help="default: the devnet PCR")
    p = cmd("approve-pcr", cmd_approve_pcr, "(re-)approve the devnet PCR")
    p.add_argument("--type", type=int, default=0)
    p = cmd("set-max-age", cmd_set_max_age, "setHeartbeatMaxAge")
    p.add_argument("--seconds", type=int, required=True)
    p = cmd("deploy-token", cmd_deploy_token, "deploy TestToken")
    p.add_argument("--name", default="OpenGradient Test Token")
    p.add_argument("--symbol", default="OPG")
    p.add_argument("--mint", default="1000000", help="whole tokens to mint")
    p.add_argument("--mint-to", action="append", help="extra holder")
    p = cmd("approve-reverts", cmd_approve_reverts,
            "make TestToken.approve revert (on) or not (off)")
    p.add_argument("on", choices=("on", "off"))

    a = ap.parse_args(argv)
    try:
        a.fn(a)
    except (DevnetError, OSError, urllib.error.URLError) as e:
        print("devnet: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
