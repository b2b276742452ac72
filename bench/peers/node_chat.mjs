// Peer of a whole `opengradient chat`: read the TEE registry with viem
// (eth_call getActiveTEEs + decodeFunctionResult), pick a usable TEE, POST
// /v1/chat/completions with node:https pinned to the registry's exact DER
// certificate, print the answer.  No payment (the benches run the stand-in
// without it) and no signature check.
//
//   OG_RPC_URL=... OG_TEE_REGISTRY=0x... node bench/peers/node_chat.mjs \
//     [--model openai/gpt-4.1] [--prompt TEXT] [--tee-id 0x..] [--tee-type 0]
import https from 'node:https';
import * as viem from 'viem';
import {
  parseArgs, die, readActiveTees, usable, teeId, pinnedTlsOptions,
} from './common.mjs';

const o = parseArgs({
  model: 'openai/gpt-4.1', prompt: 'Hello from the bench',
  'tee-id': process.env.OG_TEE_ID || '', 'tee-type': 0, 'max-tokens': 100,
});
const rpc = process.env.OG_RPC_URL;
const registry = process.env.OG_TEE_REGISTRY;
if (!rpc || !registry) die('OG_RPC_URL and OG_TEE_REGISTRY must be set');
const slash = o.model.indexOf('/');
if (slash < 1) die('--model must be provider/model');

const tees = await readActiveTees(viem, rpc, registry, o['tee-type']);
let tee = null;
let der = null;
for (const t of tees) {
  if (o['tee-id'] &&
      teeId(viem, t).toLowerCase() !== o['tee-id'].toLowerCase()) continue;
  der = usable(t);
  if (der) { tee = t; break; }
}
if (!tee) die('no usable active TEE');

const body = JSON.stringify({
  model: o.model.slice(slash + 1),
  messages: [{ role: 'user', content: o.prompt }],
  max_tokens: o['max-tokens'],
  temperature: 0.0,
});
const url = new URL(tee.endpoint.replace(/\/$/, '') + '/v1/chat/completions');
const answer = await new Promise((resolve, reject) => {
  const req = https.request(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
      Authorization: 'Bearer 0x1234567890abcdef',
    },
    ...pinnedTlsOptions(der),
  }, (res) => {
    const parts = [];
    res.on('data', (d) => parts.push(d));
    res.on('end', () => {
      const text = Buffer.concat(parts).toString('utf8');
      if (res.statusCode !== 200)
        return reject(new Error(`HTTP ${res.statusCode}: ${text}`));
      try { resolve(JSON.parse(text)); } catch (e) { reject(e); }
    });
  });
  req.on('error', reject);
  req.end(body);
}).catch((e) => die(e.message));

const msg = answer.choices?.[0]?.message ?? {};
process.stdout.write(`Model: ${o.model}\nTEE ID: ${teeId(viem, tee)}\n` +
  `Endpoint: ${tee.endpoint}\n\n${msg.content ?? ''}\n`);
