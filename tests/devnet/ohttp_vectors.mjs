// Writes an OHTTP known-answer vector made with @hpke/core (an independent
// HPKE) and node:crypto: a request sealed with a fixed ephemeral ikm, a
// single-shot answer and a chunked answer sealed to it. The C codec must
// produce the same request bytes and open both answers.
//   node tests/devnet/ohttp_vectors.mjs > tests/vectors/ohttp_hpke_core.json
import { CipherSuite, HkdfSha256 } from "@hpke/core";
import { DhkemX25519HkdfSha256 } from "@hpke/dhkem-x25519";
import { Chacha20Poly1305 } from "@hpke/chacha20poly1305";
import crypto from "node:crypto";

const suite = new CipherSuite({
  kem: new DhkemX25519HkdfSha256(),
  kdf: new HkdfSha256(),
  aead: new Chacha20Poly1305(),
});
const hex = (b) => Buffer.from(b).toString("hex");
const te = new TextEncoder();

function hkdfExtract(salt, ikm) {
  return crypto.createHmac("sha256", salt).update(ikm).digest();
}
function hkdfExpand(prk, info, len) {
  let t = Buffer.alloc(0), out = Buffer.alloc(0);
  for (let i = 1; out.length < len; i++) {
    t = crypto.createHmac("sha256", prk).update(Buffer.concat([t, Buffer.from(info), Buffer.from([i])])).digest();
    out = Buffer.concat([out, t]);
  }
  return out.subarray(0, len);
}
function chacha(key, nonce, aad, pt) {
  const c = crypto.createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
  if (aad.length) c.setAAD(aad, { plaintextLength: pt.length });
  return Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
}
function quicVarint(v) {
  if (v < 64) return Buffer.from([v]);
  if (v < 16384) return Buffer.from([0x40 | (v >> 8), v & 0xff]);
  const b = Buffer.alloc(4); b.writeUInt32BE(v); b[0] |= 0x80; return b;
}

const ikmR = Buffer.alloc(32, 0x11), ikmE = Buffer.alloc(32, 0x22);
const kp = await suite.kem.deriveKeyPair(ikmR);
const pkR = Buffer.from(await suite.kem.serializePublicKey(kp.publicKey));
const skR = Buffer.from(await suite.kem.serializePrivateKey(kp.privateKey));
const keyId = 0x05;
const header = Buffer.from([keyId, 0, 0x20, 0, 1, 0, 3]);
const info = Buffer.concat([Buffer.from("message/bhttp request"), Buffer.from([0]), header]);
const request = Buffer.from('{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}]}');
const sender = await suite.createSenderContext({ recipientPublicKey: kp.publicKey, info, ekm: ikmE });
const ct = Buffer.from(await sender.seal(request, new Uint8Array(0)));
const enc = Buffer.from(sender.enc);
const wire = Buffer.concat([header, enc, ct]);

// recipient side, as the gateway does it
const recip = await suite.createRecipientContext({ recipientKey: kp.privateKey, enc, info });
const back = Buffer.from(await recip.open(ct, new Uint8Array(0)));
if (!back.equals(request)) throw new Error("round trip failed");

async function keys(label, rn) {
  const secret = Buffer.from(await recip.export(te.encode(label), 32));
  const prk = hkdfExtract(Buffer.concat([enc, rn]), secret);
  return [hkdfExpand(prk, "key", 32), hkdfExpand(prk, "nonce", 12)];
}
const answer = Buffer.from('{"status":200,"body":{"id":"x","choices":[{"message":{"role":"assistant","content":"hello"}}]}}');
const rn1 = Buffer.alloc(32, 0x33);
const [k1, n1] = await keys("message/bhttp response", rn1);
const single = Buffer.concat([rn1, chacha(k1, n1, Buffer.alloc(0), answer)]);

const frames = ['data: {"choices":[{"delta":{"content":"he"}}]}\n\n', 'data: {"choices":[{"delta":{"content":"llo"}}]}\n\n', "x".repeat(100), "data: [DONE]\n\n"];
const rn2 = Buffer.alloc(32, 0x44);
const [k2, n2] = await keys("message/bhttp chunked response", rn2);
const parts = [rn2];
frames.forEach((f, i) => {
  const nonce = Buffer.from(n2); nonce[11] ^= i;
  const fin = i === frames.length - 1;
  const sealed = chacha(k2, nonce, fin ? Buffer.from("final") : Buffer.alloc(0), Buffer.from(f));
  parts.push(quicVarint(fin ? 0 : sealed.length), sealed);
});
const chunked = Buffer.concat(parts);

process.stdout.write(JSON.stringify({
  source: "tests/devnet/ohttp_vectors.mjs: @hpke/core sender and recipient, node:crypto HKDF/ChaCha20-Poly1305 for the answers",
  ikmR: hex(ikmR), skR: hex(skR), pkR: hex(pkR), key_id: keyId, ikmE: hex(ikmE),
  request: request.toString(), wire: hex(wire),
  single_answer: answer.toString(), single: hex(single),
  frames, chunked: hex(chunked),
}, null, 1) + "\n");
