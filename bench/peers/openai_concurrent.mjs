// Peer of bench_concurrent: S concurrent chat streams of N chunks each from
// the gateway stand-in over pinned TLS, all in one process, with the
// `openai` npm client (one client, one undici Agent, no connection limit).
//
//   node bench/peers/openai_concurrent.mjs --url https://127.0.0.1:P \
//        --cert C.pem [--streams 256] [--n 1000]
// prints one JSON line:
//   {"streams": S, "events": E, "failed": F, "seconds": T}
// events = chunks delivered over all streams (each stream gives N + 1),
// seconds = from the first request to the end of the last stream.
import OpenAI from 'openai';
import { parseArgs, loadCert, pinnedDispatcher, die } from './common.mjs';

const o = parseArgs({ url: '', cert: '', streams: 256, n: 1000 });
if (!o.url || !o.cert) die('--url and --cert are required');
const { der } = loadCert(o.cert);
const dispatcher = await pinnedDispatcher(der);
const client = new OpenAI({
  baseURL: o.url.replace(/\/$/, '') + '/v1',
  apiKey: 'bench',
  maxRetries: 0,
  timeout: 600_000,
  fetchOptions: { dispatcher },
});

async function one() {
  const stream = await client.chat.completions.create({
    model: `bench/${o.n}`,
    messages: [{ role: 'user', content: 'bench' }],
    stream: true,
  });
  let events = 0;
  for await (const chunk of stream) { void chunk; events++; }
  return events;
}

const t0 = process.hrtime.bigint();
const res = await Promise.allSettled(Array.from({ length: o.streams }, one));
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
let events = 0;
let failed = 0;
for (const r of res) {
  if (r.status === 'fulfilled' && r.value >= o.n) events += r.value;
  else {
    failed++;
    if (failed === 1 && r.status === 'rejected')
      process.stderr.write(`first failure: ${r.reason}\n`);
  }
}
process.stdout.write(
  JSON.stringify({ streams: o.streams, events, failed, seconds }) + '\n');
process.exit(failed ? 1 : 0);
