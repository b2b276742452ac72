// Stand-in for an Oblivious HTTP relay plus the TEE's OHTTP recipient,
// built on an independent HPKE implementation (@hpke/core). It takes
// POST /api/v1/chat/ohttp (message/ohttp-req), checks the bearer token,
// opens the request with the TEE's X25519 key (RFC 9458; the plaintext is
// the OpenAI JSON body), forwards it to the TEE's gateway stand-in (which
// signs answers), and seals the answer back: single-shot as
// response_nonce || AEAD({status, body}), or chunked
// (draft-ietf-ohai-chunked-ohttp-08) when X-OHTTP-Stream is true.
//
//   node ohttp_relay.mjs --port 0 --cert C.pem --key K.pem --ready-file F
//        --tees MAP.json --log LOG [--token T] [--fault NAME]
// MAP.json: {"0x<tee id>": {"key": "ohttp.key path", "key_id": 1,
//            "gateway": "https://127.0.0.1:P"}, ...}
// The log holds only what a relay sees: hex of the ciphertexts.
// Faults: wrong-key-id (the recipient holds key id 2), truncate (a stream
// without its final chunk), tamper-ct (a flipped ciphertext byte),
// tamper-answer (the signed answer's text changed before sealing),
// inner-500 (the inner answer is {status: 500}), 401, 402, 403, 500,
// stall (never answers).
import fs from "node:fs";
import https from "node:https";
import crypto from "node:crypto";
import { CipherSuite, HkdfSha256 } from "@hpke/core";
import { DhkemX25519HkdfSha256 } from "@hpke/dhkem-x25519";
import { Chacha20Poly1305 } from "@hpke/chacha20poly1305";

const args = {};
for (let i = 2; i < process.argv.length; i += 2)
  args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
const fault = args.fault || "";
const tees = JSON.parse(fs.readFileSync(args.tees, "utf8"));
const logFd = fs.openSync(args.log, "a");
const log = (s) => fs.writeSync(logFd, s + "\n");
const suite = new CipherSuite({
  kem: new DhkemX25519HkdfSha256(),
  kdf: new HkdfSha256(),
  aead: new Chacha20Poly1305(),
});
const te = new TextEncoder();

function hmac(key, msg) {
  return crypto.createHmac("sha256", key).update(msg).digest();
}
function hkdfExpand(prk, info, len) {
  let t = Buffer.alloc(0), out = Buffer.alloc(0);
  for (let i = 1; out.length < len; i++) {
    t = hmac(prk, Buffer.concat([t, Buffer.from(info), Buffer.from([i])]));
    out = Buffer.concat([out, t]);
  }
  return out.subarray(0, len);
}
function aeadSeal(key, nonce, aad, pt) {
  const c = crypto.createCipheriv("chacha20-poly1305", key, nonce,
                                  { authTagLength: 16 });
  c.setAAD(aad);
  return Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
}
function varint(n) {
  if (n < 64) return Buffer.from([n]);
  if (n < 16384) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  b[0] |= 0x80;
  return b;
}

function reply(res, status, body) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

async function handle(req, res, body) {
  if (req.method !== "POST" || !req.url.startsWith("/api/v1/chat/ohttp"))
    return reply(res, 404, { error: "not found" });
  if (fault === "stall") return; // never answers
  for (const code of ["401", "402", "403", "500"])
    if (fault === code) return reply(res, +code, { error: "relay fault " + code });
  if (args.token && req.headers.authorization !== "Bearer " + args.token)
    return reply(res, 401, { error: "missing or bad bearer token" });
  if (req.headers["content-type"] !== "message/ohttp-req")
    return reply(res, 415, { error: "want message/ohttp-req" });
  log("request " + body.toString("hex"));
  const teeId = String(req.headers["x-tee-id"] || "").toLowerCase();
  const tee = tees[teeId];
  if (!tee) return reply(res, 404, { error: "unknown TEE " + teeId });
  if (body.length < 7 + 32 + 16) return reply(res, 400, { error: "short" });
  const hdr = body.subarray(0, 7);
  const myKeyId = fault === "wrong-key-id" ? 2 : tee.key_id;
  if (hdr[0] !== myKeyId || hdr.readUInt16BE(1) !== 0x20 ||
      hdr.readUInt16BE(3) !== 1 || hdr.readUInt16BE(5) !== 3)
    return reply(res, 400, { error: "unknown key id or suite" });
  const enc = body.subarray(7, 39);
  const sk = await suite.kem.deserializePrivateKey(fs.readFileSync(tee.key));
  const info = Buffer.concat([Buffer.from("message/bhttp request\0"), hdr]);
  let rc, inner;
  try {
    rc = await suite.createRecipientContext({ recipientKey: sk, enc, info });
    inner = Buffer.from(await rc.open(body.subarray(39)));
  } catch (e) {
    return reply(res, 400, { error: "cannot decapsulate" });
  }
  const stream = req.headers["x-ohttp-stream"] === "true";
  const label = stream ? "message/bhttp chunked response" : "message/bhttp response";
  const secret = Buffer.from(await rc.export(te.encode(label), 32));
  const rnonce = crypto.randomBytes(32);
  const prk = hmac(Buffer.concat([enc, rnonce]), secret);
  const key = hkdfExpand(prk, "key", 32), nonce = hkdfExpand(prk, "nonce", 12);
  const up = new URL(tee.gateway + "/v1/chat/completions");
  const greq = https.request(up, {
    method: "POST", rejectUnauthorized: false,
    headers: { "Content-Type": "application/json",
               "Authorization": "Bearer relay-stand-in",
               ...(stream ? { Accept: "text/event-stream" } : {}) },
  }, (gres) => {
    if (!stream) {
      const parts = [];
      gres.on("data", (d) => parts.push(d));
      gres.on("end", () => {
        let obj;
        try { obj = JSON.parse(Buffer.concat(parts).toString("utf8")); }
        catch (e) { obj = { error: "gateway answer is not JSON" }; }
        let status = gres.statusCode;
        if (fault === "inner-500") status = 500;
        if (fault === "tamper-answer" && obj.choices)
          obj.choices[0].message.content += " (changed)";
        const pt = Buffer.from(JSON.stringify({ status, body: obj }));
        const ct = aeadSeal(key, nonce, Buffer.alloc(0), pt);
        if (fault === "tamper-ct") ct[5] ^= 1;
        const out = Buffer.concat([rnonce, ct]);
        log("response " + out.toString("hex"));
        res.writeHead(200, { "Content-Type": "message/ohttp-res" });
        res.end(out);
      });
      return;
    }
    res.writeHead(200, { "Content-Type": "message/ohttp-chunked-res" });
    res.write(rnonce);
    log("response " + rnonce.toString("hex"));
    let ctr = 0n, pending = Buffer.alloc(0);
    const sealChunk = (pt, final) => {
      const n = Buffer.from(nonce);
      const c = Buffer.alloc(12);
      c.writeBigUInt64BE(ctr, 4);
      for (let i = 0; i < 12; i++) n[i] ^= c[i];
      ctr++;
      const ct = aeadSeal(key, n, Buffer.from(final ? "final" : ""), pt);
      if (fault === "tamper-ct" && ctr === 3n) ct[0] ^= 1;
      const framed = Buffer.concat([varint(final ? 0 : ct.length), ct]);
      log("response " + framed.toString("hex"));
      return framed;
    };
    // one chunk per complete SSE event, as the gateway recipient does
    gres.on("data", (d) => {
      if (fault === "inner-500") return; // the TEE's error frame instead
      pending = Buffer.concat([pending, d]);
      let i;
      while ((i = pending.indexOf("\n\n")) >= 0) {
        let ev = pending.subarray(0, i + 2);
        pending = pending.subarray(i + 2);
        if (fault === "tamper-answer")
          ev = Buffer.from(ev.toString("utf8").replace(/"content": ?"([^"]+)"/,
                                                        '"content": "X$1"'));
        res.write(sealChunk(ev, false));
      }
    });
    gres.on("end", () => {
      if (fault === "truncate") { res.end(); return; }
      if (fault === "inner-500")
        res.write(sealChunk(Buffer.from('data: {"error": "inner failure", "exception_type": "RuntimeError"}\n\n'), false));
      res.end(sealChunk(pending, true));
    });
  });
  greq.on("error", (e) => reply(res, 502, { error: "gateway: " + e.message }));
  greq.end(stream ? Buffer.from(JSON.stringify({ ...JSON.parse(inner), stream: true })) : inner);
}

const server = https.createServer({
  cert: fs.readFileSync(args.cert), key: fs.readFileSync(args.key),
}, (req, res) => {
  const parts = [];
  let size = 0;
  req.on("data", (d) => {
    size += d.length;
    if (size > 1 << 20) { req.destroy(); return; }
    parts.push(d);
  });
  req.on("end", () => {
    handle(req, res, Buffer.concat(parts)).catch((e) => {
      try { reply(res, 500, { error: String(e) }); } catch (_) {}
    });
  });
});
server.listen(+(args.port || 0), "127.0.0.1", () => {
  const port = server.address().port;
  fs.writeFileSync(args["ready-file"] + ".tmp", JSON.stringify({ port, pid: process.pid }));
  fs.renameSync(args["ready-file"] + ".tmp", args["ready-file"]);
});
process.on("SIGTERM", () => process.exit(0));
