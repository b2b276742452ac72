// Write a deterministic 1,000-entry getActiveTEEs reply (11-field TEEInfo)
// as 0x-hex text, encoded with viem's encodeAbiParameters. Realistic sizes:
// 294-byte RSA-2048 SPKI, ~480-byte certificate, 30-byte endpoint.
// Usage: node bench/gen_tee_reply.mjs OUT.hex [COUNT]
import { writeFileSync } from 'node:fs';
import { encodeAbiParameters, bytesToHex } from 'viem';
import { teeInfo } from './tee_abi.mjs';

const out = process.argv[2];
const count = Number(process.argv[3] ?? 1000);
if (!out) {
  console.error('usage: gen_tee_reply.mjs OUT.hex [COUNT]');
  process.exit(2);
}

// xorshift32: the same bytes on every run and machine
let s = 0x9e3779b9;
function bytes(n) {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    b[i] = s & 0xff;
  }
  return b;
}

const entries = [];
for (let i = 0; i < count; i++) {
  const id = String(i).padStart(4, '0');
  const ohttpKey = bytes(32);
  const keyConfig = new Uint8Array([1, 0x00, 0x20, ...ohttpKey, 0, 4,
    0, 1, 0, 3]);
  entries.push({
    owner: bytesToHex(bytes(20)),
    paymentAddress: bytesToHex(bytes(20)),
    endpoint: `https://tee-${id}.opengrad.test`, // 30 bytes
    publicKey: bytesToHex(bytes(294)),
    tlsCertificate: bytesToHex(bytes(470 + (i % 21))), // 470..490
    pcrHash: bytesToHex(bytes(32)),
    teeType: 0,
    enabled: true,
    registeredAt: 1899990000n + BigInt(i),
    lastHeartbeatAt: 1899999700n + BigInt(i),
    ohttpConfig: {
      keyId: 1, kemId: 0x20, kdfId: 1, aeadId: 3,
      publicKey: bytesToHex(ohttpKey),
      keyConfig: bytesToHex(keyConfig),
      registeredAt: 1899990001n + BigInt(i),
    },
  });
}
if (entries[0].endpoint.length !== 30) throw new Error('endpoint size');
const hex = encodeAbiParameters([teeInfo], [entries]);
writeFileSync(out, hex + '\n');
console.error(`wrote ${out}: ${count} entries, ${(hex.length - 2) / 2} bytes`);
