// Shared helpers for the Node peers of the benches (bench/README.md).
// Nothing here is measured on its own; it keeps the peers short and alike.
import fs from 'node:fs';
import tls from 'node:tls';
import crypto from 'node:crypto';

// --name value / --flag parsing; every option must be declared in `spec`
// (name -> default; a boolean default makes it a flag).
export function parseArgs(spec, argv = process.argv.slice(2)) {
  const out = { ...spec };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) die(`unexpected argument: ${a}`);
    const k = a.slice(2);
    if (!(k in spec)) die(`unknown option: ${a}`);
    if (typeof spec[k] === 'boolean') { out[k] = true; continue; }
    if (i + 1 >= argv.length) die(`${a} needs a value`);
    const v = argv[++i];
    out[k] = typeof spec[k] === 'number' ? Number(v) : v;
    if (typeof spec[k] === 'number' && !Number.isFinite(out[k]))
      die(`${a}: not a number: ${v}`);
  }
  return out;
}

export function die(msg) {
  process.stderr.write(`${process.argv[1]?.split('/').pop()}: ${msg}\n`);
  process.exit(1);
}

// A PEM or DER certificate file -> { der: Buffer, pem: string }.
export function loadCert(path) {
  const raw = fs.readFileSync(path);
  const x = new crypto.X509Certificate(raw);
  const der = x.raw;
  return { der, pem: derToPem(der) };
}

export function derToPem(der) {
  const b64 = Buffer.from(der).toString('base64').match(/.{1,64}/g).join('\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

// TLS options that trust exactly one certificate and then insist the server
// presented exactly those DER bytes (the registry pin), like the C client.
export function pinnedTlsOptions(der) {
  return {
    ca: derToPem(der),
    checkServerIdentity(host, cert) {
      if (!cert || !cert.raw || !Buffer.from(der).equals(cert.raw))
        return new Error('server certificate is not the pinned one');
      return tls.checkServerIdentity(host, cert);
    },
  };
}

// An undici Agent (the dispatcher behind Node's global fetch, which openai 6
// uses) with pinned TLS.  Node 20 bundles undici without exposing it, and
// the bench may not install the `undici` package, so take the Agent class
// from the global dispatcher, which exists once fetch has run once.
export async function pinnedDispatcher(der, extra = {}) {
  const sym = Symbol.for('undici.globalDispatcher.1');
  if (!globalThis[sym]) await fetch('data:,x');
  const g = globalThis[sym];
  if (!g || typeof g.constructor !== 'function')
    die('cannot find the undici Agent behind global fetch');
  const Agent = g.constructor;
  return new Agent({ connect: pinnedTlsOptions(der), ...extra });
}

// TEERegistry getActiveTEEs(uint8): the 11-field TEEInfo (current) and the
// 10-field one; the registry reply is decoded with the first that fits.
export { ABI10, ABI11 } from '../tee_abi.mjs';
import { ABI10, ABI11 } from '../tee_abi.mjs';

// viem: eth_call getActiveTEEs(teeType) and decodeFunctionResult.
export async function readActiveTees(viem, rpcUrl, registry, teeType) {
  const client = viem.createPublicClient({ transport: viem.http(rpcUrl) });
  const data = viem.encodeFunctionData({
    abi: ABI11, functionName: 'getActiveTEEs', args: [teeType] });
  const res = await client.call({ to: registry, data });
  if (!res.data) throw new Error('registry returned no data');
  for (const abi of [ABI11, ABI10]) {
    try {
      return viem.decodeFunctionResult({
        abi, functionName: 'getActiveTEEs', data: res.data });
    } catch (e) { /* try the other layout */ }
  }
  throw new Error('registry reply does not decode as TEEInfo[]');
}

// The CLI's "usable": an https endpoint and a certificate that parses.
export function usable(t) {
  if (!/^https:\/\//i.test(t.endpoint)) return null;
  try {
    const der = Buffer.from(t.tlsCertificate.slice(2), 'hex');
    new crypto.X509Certificate(der);
    return der;
  } catch (e) { return null; }
}

// tee id = keccak256(signing key SPKI DER), as the registry computes it
export function teeId(viem, t) {
  return viem.keccak256(t.publicKey);
}
