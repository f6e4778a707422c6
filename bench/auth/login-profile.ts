// Development aid: where a login's server time goes. Runs the app in-process on PGlite (or on
// TRESOR_TEST_POSTGRES_URL), logs users in through the SDK over app.inject, and reports per login
// step the server wall time (sequential, so ≈ CPU) and the SQL statements issued.
//
//   node --import tsx bench/auth/login-profile.ts [logins=200]
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { PGlite } from '@electric-sql/pglite';
import { HttpClient } from '@tresor/sdk';
import { createTestApp } from '../../packages/server/src/testing/test-app.js';
import { CHEAP_STRETCHING, createUser, loginUser, totpStep } from './accounts.js';

const logins = Number(process.argv[2] ?? 200);
const statements = new Map<string, number>();
const statementMs = new Map<string, number>();
let current = 'setup';
// eslint-disable-next-line @typescript-eslint/unbound-method -- re-bound below with apply()
const originalQuery = PGlite.prototype.query;
PGlite.prototype.query = function patched(this: PGlite, ...args: Parameters<PGlite['query']>) {
  statements.set(current, (statements.get(current) ?? 0) + 1);
  if (process.env.SHOW_SQL && current !== 'setup') console.error(current, args[0].slice(0, 140));
  const key = `${current} ${args[0].replace(/\s+/g, ' ').slice(0, 70)}`;
  const began = performance.now();
  const result = originalQuery.apply(this, args);
  void result.finally(() => statementMs.set(key, (statementMs.get(key) ?? 0) + performance.now() - began));
  return result;
} as PGlite['query'];

const remote = process.env.TRESOR_URL;
const testApp = await createTestApp({ TRESOR_RATE_LIMIT: '1000000000' });
const serverMs = new Map<string, number>();
const injectFetch: typeof fetch = async (input, init) => {
  const url = new URL(input instanceof Request ? input.url : input);
  current = url.pathname.replace('/api/v1/auth/', '');
  const started = performance.now();
  const reply = await testApp.app.inject({
    method: (init?.method ?? 'GET') as 'GET',
    url: url.pathname + url.search,
    headers: (init?.headers ?? {}) as Record<string, string>,
    ...(typeof init?.body === 'string' ? { payload: init.body } : {}),
  });
  serverMs.set(current, (serverMs.get(current) ?? 0) + performance.now() - started);
  current = 'client';
  return new Response(reply.body === '' ? null : reply.body, {
    status: reply.statusCode,
    headers: reply.headers as HeadersInit,
  });
};
const http = remote
  ? new HttpClient({ baseUrl: remote })
  : new HttpClient({ baseUrl: 'http://tresor.test', fetch: injectFetch });
const users = [];
for (let i = 0; i < logins; i++) users.push(await createUser(http, `profile${i}`, CHEAP_STRETCHING));
for (const user of users) user.lastStep = totpStep();
while (totpStep() <= (users[0]?.lastStep ?? 0)) await new Promise((r) => setTimeout(r, 500));
statements.clear();
statementMs.clear();
serverMs.clear();
const profiler = process.env.PROFILE ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}
console.log(`measure from ${process.hrtime.bigint()}`);
const started = performance.now();
for (const user of users) await loginUser(http, user);
const wall = performance.now() - started;
console.log(`measure to ${process.hrtime.bigint()}`);
if (profiler && process.env.PROFILE) {
  const { profile } = await profiler.post('Profiler.stop');
  writeFileSync(process.env.PROFILE, JSON.stringify(profile));
}
const rows = [...serverMs].map(([step, ms]) => ({
  step,
  'server ms/login': (ms / logins).toFixed(2),
  'statements/login': ((statements.get(step) ?? 0) / logins).toFixed(1),
}));
console.table(rows);
const total = [...serverMs.values()].reduce((a, b) => a + b, 0) / logins;
console.log(
  `server ${total.toFixed(2)} ms/login, wall ${(wall / logins).toFixed(2)} ms/login, ${testApp.database.kind}`,
);
if (process.env.SHOW_SQL_TIMES)
  for (const [key, ms] of [...statementMs].sort((a, b) => b[1] - a[1]))
    console.log((ms / logins).toFixed(3).padStart(8), key);
await testApp.close();
