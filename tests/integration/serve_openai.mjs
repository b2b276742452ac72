// Drives `opengradient serve` with the official openai npm client, as any
// application would: only baseURL and apiKey change. Prints one JSON
// object with what the client got; the test script checks it.
//   node serve_openai.mjs BASE_URL API_KEY
import OpenAI from 'openai';

const [baseURL, apiKey] = process.argv.slice(2);
const client = new OpenAI({ baseURL: baseURL + '/v1', apiKey, maxRetries: 0 });
const msgs = [{ role: 'user', content: 'Hello from openai' }];
const out = {};

const models = await client.models.list();
out.models = [];
for await (const m of models) out.models.push(m.id);

const chat = await client.chat.completions.create({ model: 'gpt-5', messages: msgs });
out.chat = { content: chat.choices[0].message.content, verified: chat.verified,
             tee: chat.tee, id: chat.id, object: chat.object };

const stream = await client.chat.completions.create({ model: 'openai/gpt-5', messages: msgs, stream: true });
let text = '', chunks = 0, last = null;
for await (const ch of stream) {
  chunks++;
  last = ch;
  text += ch.choices?.[0]?.delta?.content ?? '';
}
out.stream = { text, chunks, verified: last?.verified, tee_id: last?.tee?.id,
               finish: last?.choices?.[0]?.finish_reason };

// streamed tool calls, assembled by the client's own stream helper
const tools = [{ type: 'function', function: { name: 'get_weather', description: 'weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];
const ts = client.chat.completions.stream({ model: 'gpt-5', messages: [{ role: 'user', content: 'Weather in Paris?' }],
                                           tools, tool_choice: 'auto' });
const final = await ts.finalChatCompletion();
const tc = final.choices[0].message.tool_calls ?? [];
out.tools = tc.map(t => ({ name: t.function.name, arguments: t.function.arguments }));

const comp = await client.completions.create({ model: 'gpt-5', prompt: 'Say hi', max_tokens: 20 });
out.completion = { text: comp.choices[0].text, verified: comp.verified, object: comp.object };

const cs = await client.completions.create({ model: 'gpt-5', prompt: 'Say hi', max_tokens: 20, stream: true });
let ctext = '', clast = null;
for await (const ch of cs) { ctext += ch.choices?.[0]?.text ?? ''; clast = ch; }
out.completion_stream = { text: ctext, verified: clast?.verified };

console.log(JSON.stringify(out));
