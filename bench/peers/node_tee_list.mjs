// Peer of `opengradient tee list`: read the TEE registry with viem and print
// the usable active TEEs (https endpoint, certificate that parses as X.509):
// id, endpoint, payment address, SHA-256 of the certificate, PCR hash, last
// heartbeat.
//
//   OG_RPC_URL=... OG_TEE_REGISTRY=0x... node bench/peers/node_tee_list.mjs \
//     [--tee-type 0]
import crypto from 'node:crypto';
import * as viem from 'viem';
import { parseArgs, die, readActiveTees, usable, teeId } from './common.mjs';

const o = parseArgs({ 'tee-type': 0 });
const rpc = process.env.OG_RPC_URL;
const registry = process.env.OG_TEE_REGISTRY;
if (!rpc || !registry) die('OG_RPC_URL and OG_TEE_REGISTRY must be set');

const tees = await readActiveTees(viem, rpc, registry, o['tee-type']);
let out = '';
for (const t of tees) {
  const der = usable(t);
  if (!der) continue;
  const when = new Date(Number(t.lastHeartbeatAt) * 1000).toISOString();
  out += `${teeId(viem, t)}\n` +
    `  Endpoint:        ${t.endpoint}\n` +
    `  Payment address: ${t.paymentAddress}\n` +
    `  TLS cert SHA256: ${crypto.createHash('sha256').update(der).digest('hex')}\n` +
    `  PCR hash:        ${t.pcrHash}\n` +
    `  Last heartbeat:  ${when}\n`;
}
process.stdout.write(out || 'No usable active TEEs.\n');
