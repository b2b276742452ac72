// Peer: viem's decodeFunctionResult on the same getActiveTEEs reply (hex
// text to decoded objects), timed like bench_abi_decode.
// Usage: node bench/peers/viem_decode.mjs REPLY.hex [ROUNDS]
import { readFileSync } from 'node:fs';
import { decodeFunctionResult } from 'viem';
import { registryAbi } from '../tee_abi.mjs';

const file = process.argv[2];
const rounds = Number(process.argv[3] ?? 11);
const data = readFileSync(file, 'utf8').trim();

function decode() {
  return decodeFunctionResult({ abi: registryAbi,
    functionName: 'getActiveTEEs', data });
}

const first = decode();
if (first.length < 1 || first[0].publicKey.length !== 2 + 2 * 294)
  throw new Error('unexpected decode');
// warm up the JIT, then time rounds of `per` decodes each (~20 ms or one)
let t = process.hrtime.bigint();
for (let i = 0; i < 5; i++) decode();
const one = Number(process.hrtime.bigint() - t) / 5;
const per = Math.max(1, Math.floor(2e7 / one));
const times = [];
let sink = 0;
for (let r = 0; r < rounds; r++) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < per; i++) sink += decode().length;
  times.push(Number(process.hrtime.bigint() - t0) / per);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`viem_decode_ns ${Math.round(median)}`);
console.log(`viem_entries ${first.length}`);
if (sink === 0) console.log('');
