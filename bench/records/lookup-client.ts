// Child process of bench:records: sends blind-index lookups one after the other and prints their
// round-trip times (ms) as a JSON array on stdout. A separate process with a small heap, so the
// benchmark's own garbage (the decrypted 100,000-entry directory) does not add client-side GC
// pauses to the server's latency. Settings: LOOKUP_URL, LOOKUP_TOKEN, LOOKUP_COUNT.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

const url = new URL('/api/v1/patients/lookup', process.env.LOOKUP_URL);
const token = process.env.LOOKUP_TOKEN ?? '';
const count = Number(process.env.LOOKUP_COUNT ?? '1000');
const WARMUP = 50;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function lookup(value: number): Promise<number> {
  const body = JSON.stringify({ field: 'kvnr', terms: [{ pkVersion: 1, value }] });
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (incoming) => {
        incoming.resume();
        incoming.on('error', reject);
        incoming.on('end', () => {
          if (incoming.statusCode !== 200) reject(new Error(`lookup answered ${incoming.statusCode}`));
          else resolve(performance.now() - started);
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

const times: number[] = [];
for (let i = 0; i < WARMUP + count; i++) {
  const time = await lookup((i * 7919) % 65536);
  if (i >= WARMUP) times.push(time);
}
agent.destroy();
process.stdout.write(JSON.stringify(times));
