// Peer of bench_ohttp's "seal+open per request": the same OHTTP round with
// @hpke/core (sender setup + seal + export, recipient setup + open +
// export, response AEAD seal and open with node:crypto).
// Usage: node bench/hpke_peer.mjs [N]   (prints JSON)
import crypto from "node:crypto";
import { CipherSuite, HkdfSha256 } from "@hpke/core";
import { DhkemX25519HkdfSha256 } from "@hpke/dhkem-x25519";
import { Chacha20Poly1305 } from "@hpke/chacha20poly1305";

const n = +(process.argv[2] || 2000);
const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(),
  kdf: new HkdfSha256(), aead: new Chacha20Poly1305() });
const kp = await suite.kem.deriveKeyPair(new Uint8Array(32).fill(42));
const body = Buffer.from(JSON.stringify({ model: "gpt-5", messages: [{ role: "user",
  content: "Hello, what is the capital of France?" }], max_tokens: 100, temperature: 0.0 }));
const answer = Buffer.from(JSON.stringify({ status: 200, body: { choices: [{ message: {
  role: "assistant", content: "Paris is the capital of France." }, finish_reason: "stop" }],
  tee_signature: "AAAA" } }));
const hdr = Buffer.from([1, 0, 0x20, 0, 1, 0, 3]);
const info = Buffer.concat([Buffer.from("message/bhttp request\0"), hdr]);
const label = new TextEncoder().encode("message/bhttp response");
const hmac = (k, m) => crypto.createHmac("sha256", k).update(m).digest();
const expand = (prk, inf, len) => hmac(prk, Buffer.concat([Buffer.from(inf), Buffer.from([1])])).subarray(0, len);
const t0 = process.hrtime.bigint();
for (let i = 0; i < n; i++) {
  const s = await suite.createSenderContext({ recipientPublicKey: kp.publicKey, info });
  const ct = Buffer.from(await s.seal(body));
  const sec = Buffer.from(await s.export(label, 32));
  const enc = Buffer.from(s.enc);
  const r = await suite.createRecipientContext({ recipientKey: kp.privateKey, enc, info });
  await r.open(ct);
  const rsec = Buffer.from(await r.export(label, 32));
  const rn = crypto.randomBytes(32);
  let prk = hmac(Buffer.concat([enc, rn]), rsec);
  let c = crypto.createCipheriv("chacha20-poly1305", expand(prk, "key", 32), expand(prk, "nonce", 12), { authTagLength: 16 });
  const sealed = Buffer.concat([c.update(answer), c.final(), c.getAuthTag()]);
  prk = hmac(Buffer.concat([enc, rn]), sec);
  const d = crypto.createDecipheriv("chacha20-poly1305", expand(prk, "key", 32), expand(prk, "nonce", 12), { authTagLength: 16 });
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
}
const dt = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify({ requests: n, seal_open_us_per_request: dt / n * 1e6 }));
