"""Test-only AWS Nitro attestation documents for the gateway stand-in.

A test chain (P-384 root, intermediate, leaf) made at start-up with
`cryptography`, and documents in the nitriding shape (newer-gateway
reference §2): COSE_Sign1 [protected {1: -35}, {}, payload, r||s] over a
payload map with module_id, digest, timestamp, pcrs, certificate,
cabundle (root first), public_key "dummy", user_data (0x1220 sha256(TLS
cert DER) 0x1220 sha256(signing key SPKI DER)) and nonce.

The root's key is derived from a fixed scalar, so every stand-in of one
test (and of every run) chains to an equivalent root: the root certificate
any of them serves at /_nitro_root anchors them all.

cbor2 is not installed for the tests' Python, so a minimal CBOR encoder
(RFC 8949 definite lengths; int, bytes, str, list, dict) is here; the
client under test decodes with libcbor, a separate implementation.
"""

import datetime
import hashlib
import struct
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature)
from cryptography.x509.oid import NameOID

FAULTS = ("wrong_binding", "wrong_pcrs", "wrong_nonce", "expired_leaf",
          "bad_signature")


def _head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for ai, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < (1 << (8 * struct.calcsize(fmt))):
            return bytes([major << 5 | ai]) + struct.pack(fmt, n)
    raise ValueError("CBOR length too large")


def cbor(v):
    if isinstance(v, bool) or v is None:
        raise TypeError("not used")
    if isinstance(v, int):
        return _head(0, v) if v >= 0 else _head(1, -1 - v)
    if isinstance(v, (bytes, bytearray)):
        return _head(2, len(v)) + bytes(v)
    if isinstance(v, str):
        b = v.encode("utf-8")
        return _head(3, len(b)) + b
    if isinstance(v, (list, tuple)):
        return _head(4, len(v)) + b"".join(cbor(x) for x in v)
    if isinstance(v, dict):
        return _head(5, len(v)) + b"".join(cbor(k) + cbor(x)
                                           for k, x in v.items())
    raise TypeError(type(v))


def devnet_pcrs():
    # the same fixed measurements tests/devnet/devnet.py registers (_pcrs)
    return [hashlib.sha384(b"opengradient devnet pcr%d" % i).digest()
            for i in range(3)]


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME,
                                         "OpenGradient test"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject, issuer, key, issuer_key, nb, na, ca, serial):
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
         .public_key(key.public_key()).serial_number(serial)
         .not_valid_before(nb).not_valid_after(na)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None),
                        critical=True))
    if ca:
        b = b.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False,
            key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
    return b.sign(issuer_key, hashes.SHA384())


class Attestor:
    """The test chain and documents for one stand-in."""

    def __init__(self, tls_cert_der, spki_der):
        now = datetime.datetime.now(datetime.timezone.utc)
        day = datetime.timedelta(days=1)
        self.root_key = ec.derive_private_key(0x0961D3A7E5, ec.SECP384R1())
        rn = _name("opengradient test nitro root")
        self.root = _cert(rn, rn, self.root_key, self.root_key,
                          datetime.datetime(2020, 1, 1,
                                            tzinfo=datetime.timezone.utc),
                          datetime.datetime(2049, 1, 1,
                                            tzinfo=datetime.timezone.utc),
                          True, 1)
        ik = ec.generate_private_key(ec.SECP384R1())
        inn = _name("opengradient test nitro intermediate")
        self.inter = _cert(inn, rn, ik, self.root_key, now - day, now + 30 * day,
                           True, x509.random_serial_number())
        self.leaf_key = ec.generate_private_key(ec.SECP384R1())
        ln = _name("i-devnet-enc0000000000000000")
        hour = datetime.timedelta(hours=1)
        self.leaf = _cert(ln, inn, self.leaf_key, ik, now - hour,
                          now + 3 * hour, False, x509.random_serial_number())
        self.old_leaf = _cert(ln, inn, self.leaf_key, ik, now - 2 * day,
                              now - day, False, x509.random_serial_number())
        self.tls_sha = hashlib.sha256(tls_cert_der).digest()
        self.key_sha = hashlib.sha256(spki_der).digest()

    def root_pem(self):
        return self.root.public_bytes(serialization.Encoding.PEM)

    def document(self, nonce, fault=None):
        der = serialization.Encoding.DER
        pcrs = devnet_pcrs()
        if fault == "wrong_pcrs":
            pcrs[0] = hashlib.sha384(b"not the approved image").digest()
        tls_sha, key_sha = self.tls_sha, self.key_sha
        if fault == "wrong_binding":
            tls_sha = hashlib.sha256(b"another certificate").digest()
            key_sha = hashlib.sha256(b"another key").digest()
        if fault == "wrong_nonce":
            nonce = bytes(20) if nonce != bytes(20) else b"\x01" * 20
        leaf = self.old_leaf if fault == "expired_leaf" else self.leaf
        allp = {i: (pcrs[i] if i < 3 else bytes(48)) for i in range(16)}
        payload = cbor({
            "module_id": "i-devnet-enc0000000000000000",
            "digest": "SHA384",
            "timestamp": int(time.time() * 1000),
            "pcrs": allp,
            "certificate": leaf.public_bytes(der),
            "cabundle": [self.root.public_bytes(der),
                         self.inter.public_bytes(der)],
            "public_key": b"dummy",
            "user_data": b"\x12\x20" + tls_sha + b"\x12\x20" + key_sha,
            "nonce": nonce,
        })
        protected = cbor({1: -35})
        tbs = cbor(["Signature1", protected, b"", payload])
        r, s = decode_dss_signature(
            self.leaf_key.sign(tbs, ec.ECDSA(hashes.SHA384())))
        sig = r.to_bytes(48, "big") + s.to_bytes(48, "big")
        if fault == "bad_signature":
            sig = sig[:-1] + bytes([sig[-1] ^ 1])
        return cbor([protected, {}, payload, sig])
