// Peer for `bench_ohttp seal`: the same per-request steps on @hpke/core
// (client seals the request, recipient opens it and seals the answer with
// node:crypto, client opens the answer).   node bench/ohttp_hpke_core.mjs [N]
import { CipherSuite, HkdfSha256 } from "@hpke/core";
import { DhkemX25519HkdfSha256 } from "@hpke/dhkem-x25519";
import { Chacha20Poly1305 } from "@hpke/chacha20poly1305";
import crypto from "node:crypto";

const n = Number(process.argv[2] || 2000);
const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Chacha20Poly1305() });
const te = new TextEncoder();
const req = te.encode('{"model":"gpt-4.1","messages":[{"role":"user","content":"What is the capital of France? Answer in one word."}],"max_tokens":100,"temperature":0.0}');
const ans = Buffer.from('{"status":200,"body":{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Paris."},"finish_reason":"stop"}],"tee_signature":"c2lnbmF0dXJl","tee_timestamp":1764800000}}');
const hmac = (k, m) => crypto.createHmac("sha256", k).update(m).digest();
const expand = (prk, info, len) => hmac(prk, Buffer.concat([Buffer.from(info), Buffer.from([1])])).subarray(0, len);
async function keys(ctx, enc, rn) {
  const secret = Buffer.from(await ctx.export(te.encode("message/bhttp response"), 32));
  const prk = hmac(Buffer.concat([enc, rn]), secret);
  return [expand(prk, "key", 32), expand(prk, "nonce", 12)];
}
const kp = await suite.kem.deriveKeyPair(new Uint8Array(32).fill(1));
const header = Buffer.from([1, 0, 0x20, 0, 1, 0, 3]);
const info = Buffer.concat([Buffer.from("message/bhttp request\0"), header]);
const rn = Buffer.alloc(32, 2);
const t0 = process.hrtime.bigint();
for (let i = 0; i < n; i++) {
  const s = await suite.createSenderContext({ recipientPublicKey: kp.publicKey, info });
  const enc = Buffer.from(s.enc);
  const wire = Buffer.concat([header, enc, Buffer.from(await s.seal(req))]);
  const r = await suite.createRecipientContext({ recipientKey: kp.privateKey, enc: wire.subarray(7, 39), info });
  await r.open(wire.subarray(39));
  const [k, nn] = await keys(r, enc, rn);
  const c = crypto.createCipheriv("chacha20-poly1305", k, nn, { authTagLength: 16 });
  const body = Buffer.concat([rn, c.update(ans), c.final(), c.getAuthTag()]);
  const [k2, n2] = await keys(s, enc, body.subarray(0, 32));
  const d = crypto.createDecipheriv("chacha20-poly1305", k2, n2, { authTagLength: 16 });
  d.setAuthTag(body.subarray(body.length - 16));
  const out = Buffer.concat([d.update(body.subarray(32, body.length - 16)), d.final()]);
  if (out.length !== ans.length) throw new Error("mismatch");
}
const us = Number(process.hrtime.bigint() - t0) / 1e3 / n;
console.log(JSON.stringify({ impl: "@hpke/core", requests: n, us_per_request: Number(us.toFixed(2)) }));
