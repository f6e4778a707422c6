// Starts a throwaway PostgreSQL server for tests and benchmarks: initdb + pg_ctl in a temp dir,
// loopback only, on a free port, as an unprivileged user (PostgreSQL refuses to run as root).
// Installs Debian's postgresql package with apt-get when the server binaries are missing.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function findBinDir() {
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return join(onPath, '..');
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

function ensureBinDir() {
  let dir = findBinDir();
  if (dir) return dir;
  if (process.getuid?.() !== 0) {
    throw new Error(
      'PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian\'s "postgresql" package',
    );
  }
  process.stderr.write('PostgreSQL not found; installing Debian package "postgresql" ...\n');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'postgresql'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  dir = findBinDir();
  if (!dir) throw new Error('PostgreSQL was installed but initdb is still not found');
  return dir;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function unprivilegedUser() {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    const id = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    if (id.status === 0) {
      const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' }).stdout.trim();
      return { name, uid: Number(id.stdout.trim()), gid: Number(gid) };
    }
  }
  throw new Error('running as root and no unprivileged user (postgres, nobody) to run PostgreSQL as');
}

/**
 * @returns {Promise<{ url: string, port: number, stop: () => void }>}
 */
export async function startPostgresCluster({ tuneForTests = true } = {}) {
  const bin = ensureBinDir();
  const user = unprivilegedUser();
  const dir = mkdtempSync(join(tmpdir(), 'tresor-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const run = (tool, args) => {
    const command = user ? 'runuser' : join(bin, tool);
    const fullArgs = user ? ['-u', user.name, '--', join(bin, tool), ...args] : args;
    const result = spawnSync(command, fullArgs, { encoding: 'utf8', cwd: dir });
    if (result.status !== 0) {
      throw new Error(`${tool} failed (${result.status}): ${result.stderr || result.stdout}`);
    }
  };
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'tresor', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c max_connections=200',
    ...(tuneForTests ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'] : []),
  ].join(' ');
  run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  let stopped = false;
  return {
    url: `postgres://tresor@127.0.0.1:${port}/postgres`,
    port,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
