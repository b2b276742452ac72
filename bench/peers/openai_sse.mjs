// Peer of bench_sse_tls: one chat stream of N chunks from the gateway
// stand-in over TLS, consumed with the `openai` npm client (pinned version
// in package.json).  The stand-in's certificate is the only one trusted and
// must match byte for byte (undici dispatcher, passed via fetchOptions).
//
//   node bench/peers/openai_sse.mjs --url https://127.0.0.1:P --cert C.pem \
//        [--n 100000]
// prints one JSON line:
//   {"events": E, "seconds": S, "stream_seconds": T, "chars": C}
// events = stream chunks delivered (data events except [DONE]);
// seconds = from sending the request to the end of the stream;
// stream_seconds = from the response headers to the end of the stream (the
// consumer's own throughput, without the server's time to first byte).
import OpenAI from 'openai';
import { parseArgs, loadCert, pinnedDispatcher, die } from './common.mjs';

const o = parseArgs({ url: '', cert: '', n: 100000, model: '' });
if (!o.url || !o.cert) die('--url and --cert are required');
const { der } = loadCert(o.cert);
const dispatcher = await pinnedDispatcher(der);
const client = new OpenAI({
  baseURL: o.url.replace(/\/$/, '') + '/v1',
  apiKey: 'bench', // the gateway wants some Bearer token; any will do
  maxRetries: 0,
  timeout: 600_000,
  fetchOptions: { dispatcher },
});

const t0 = process.hrtime.bigint();
const stream = await client.chat.completions.create({
  model: o.model || `bench/${o.n}`,
  messages: [{ role: 'user', content: 'bench' }],
  stream: true,
});
const t1 = process.hrtime.bigint(); // create() resolves on the headers
let events = 0;
let chars = 0;
for await (const chunk of stream) {
  events++;
  const c = chunk.choices?.[0]?.delta?.content;
  if (c) chars += c.length;
}
const t2 = process.hrtime.bigint();
const seconds = Number(t2 - t0) / 1e9;
const stream_seconds = Number(t2 - t1) / 1e9;
process.stdout.write(
  JSON.stringify({ events, seconds, stream_seconds, chars }) + '\n');
if (events < o.n) die(`stream ended after ${events} events`);
