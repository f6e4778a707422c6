import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, open, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { backup } from '../engine/backup.js';
import { check } from '../engine/check.js';
import { isBackupError } from '../errors.js';
import { BlobType } from '../format.js';
import { loadIndex } from '../repository/index-store.js';
import type { Repository } from '../repository/repository.js';
import { planRetention } from '../retention/forget.js';
import { TEST_PASSPHRASE, newTestRepository, removeDir, seededBytes, tempDir } from '../testing/fixtures.js';
import { syncCloudMirror } from './cloud-cache.js';
import { CloudClient, sha256Hex } from './cloud-client.js';
import { deleteCloudSnapshots, pruneCloud } from './cloud-retention.js';
import { replicate } from './replicate.js';
import { openCloudRepository } from './smart-restore.js';

interface Stored {
  readonly kind: string;
  readonly name: string;
  readonly bytes: Uint8Array;
}

/**
 * The server's `backup-repo` API in memory, as far as replicate and cloud retention use it:
 * objects stored once, past their lock period, deleted only under the retention lock.
 */
class FakeServer {
  readonly objects = new Map<string, Stored>();
  private lock: { id: string; token: string } | undefined;

  client(token: string): CloudClient {
    return new CloudClient({ url: 'https://tresor.test', token, fetch: this.fetchAs(token), attempts: 1 });
  }

  private fetchAs(token: string): typeof fetch {
    const view = ({ kind, name, bytes }: Stored) => ({
      kind,
      name,
      size: bytes.length,
      sha256: sha256Hex(bytes),
      createdAt: '2026-01-01T00:00:00.000Z',
      lockedUntil: '2026-01-01T00:00:00.000Z',
    });
    const error = (status: number, code: string) =>
      Response.json({ error: { code, message: code } }, { status });
    return (async (input: string, init: RequestInit = {}) => {
      const url = new URL(input);
      const method = init.method ?? 'GET';
      const path = url.pathname;
      if (path === '/api/v1/backup/objects') {
        const kind = url.searchParams.get('kind');
        const objects = [...this.objects.values()].filter((o) => kind === null || o.kind === kind);
        return Response.json({ objects: objects.map(view) });
      }
      if (path === '/api/v1/backup/forgotten-snapshots') return Response.json({ names: [] });
      if (path === '/api/v1/backup/retention-lock' && method === 'POST') {
        if (this.lock !== undefined) return error(409, 'backup.retention_running');
        this.lock = { id: randomUUID(), token };
        return Response.json({ id: this.lock.id, expiresAt: new Date(Date.now() + 600_000).toISOString() });
      }
      if (path.startsWith('/api/v1/backup/retention-lock/')) {
        if (method === 'DELETE') this.lock = undefined;
        return Response.json({ id: this.lock?.id, expiresAt: new Date(Date.now() + 600_000).toISOString() });
      }
      const match = /^\/api\/v1\/backup\/objects\/([a-z]+)\/([^/]+)$/.exec(path);
      if (match === null) return error(404, 'not_found');
      const kind = match[1]!;
      const name = decodeURIComponent(match[2]!);
      const key = `${kind}/${name}`;
      const existing = this.objects.get(key);
      if (method === 'PUT') {
        if (this.lock !== undefined && this.lock.token !== token)
          return error(423, 'backup.retention_running');
        const bytes = new Uint8Array(init.body as Uint8Array);
        if (existing !== undefined && sha256Hex(existing.bytes) !== sha256Hex(bytes)) {
          return error(409, 'backup.object_exists');
        }
        const stored = existing ?? { kind, name, bytes };
        this.objects.set(key, stored);
        return Response.json(view(stored));
      }
      if (method === 'DELETE') {
        if (this.lock?.token !== token || url.searchParams.get('lock') !== this.lock.id) {
          return error(409, 'backup.retention_lock_required');
        }
        if (!this.objects.delete(key)) return error(404, 'backup.object_not_found');
        return Response.json({ ok: true });
      }
      if (existing === undefined) return error(404, 'backup.object_not_found');
      const range = /^bytes=(\d+)-(\d+)$/.exec((init.headers as Record<string, string>).range ?? '');
      if (range !== null) {
        return new Response(existing.bytes.slice(Number(range[1]), Number(range[2]) + 1), { status: 206 });
      }
      return new Response(existing.bytes as Uint8Array<ArrayBuffer>, {
        headers: { 'x-content-sha256': sha256Hex(existing.bytes) },
      });
    }) as typeof fetch;
  }
}

/** Flips one byte inside every data blob of every pack, in the local `data/` or the server's copy. */
async function damageDataBlobs(repo: Repository, server?: FakeServer): Promise<number> {
  const { index } = await loadIndex(repo);
  let damaged = 0;
  for (const [packId, entries] of index.packs()) {
    const blobs = entries.filter((entry) => entry.type === BlobType.data);
    if (server !== undefined) {
      const stored = server.objects.get(`data/${packId}`);
      if (stored === undefined) continue;
      for (const entry of blobs) stored.bytes[entry.offset + 20]! ^= 0xff;
    } else {
      const file = await open(repo.packPath(packId), 'r+');
      for (const entry of blobs) {
        const byte = Buffer.alloc(1);
        await file.read(byte, 0, 1, entry.offset + 20);
        byte[0]! ^= 0xff;
        await file.write(byte, 0, 1, entry.offset + 20);
      }
      await file.close();
    }
    damaged += blobs.length;
  }
  return damaged;
}

describe('cloud prune: the copy at hand is checked before it replaces the cloud copy', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await removeDir(dir);
  });

  /**
   * A local repository with two snapshots, replicated; then the first is forgotten in the cloud,
   * so the cloud pack holding both snapshots' file data is only partly needed (to be rewritten).
   */
  async function setUp() {
    const dir = await tempDir('cloud-prune-test-');
    dirs.push(dir);
    const data = join(dir, 'data');
    await mkdir(data);
    const repo = await newTestRepository(join(dir, 'repo'));
    for (let i = 0; i < 3; i++) {
      await writeFile(join(data, `keep-${i}.bin`), seededBytes(`keep-${i}`, 300_000));
      await writeFile(join(data, `gone-${i}.bin`), seededBytes(`gone-${i}`, 300_000));
    }
    await backup(repo, { paths: [data], workers: 1 });
    for (let i = 0; i < 3; i++) await unlink(join(data, `gone-${i}.bin`));
    await backup(repo, { paths: [data], workers: 1 });
    const server = new FakeServer();
    const replicated = await replicate(repo, server.client('tbk_agent'), {
      cacheRoot: join(dir, 'cache-agent'),
    });
    assert.deepEqual(replicated.problems, []);
    const retention = server.client('tbk_retention');
    const cacheRoot = join(dir, 'cache-retention');
    const pruneTheCloud = () =>
      retention.whileRetentionLocked(async () => {
        const copy = await openCloudRepository(
          { client: retention, cacheRoot },
          repo,
          async () => TEST_PASSPHRASE,
        );
        const plan = await planRetention(copy.repo, { keepLast: 1 });
        const forgotten = plan.decisions.filter((decision) => decision.forget).map((decision) => decision.id);
        await deleteCloudSnapshots(copy.repo, retention, forgotten);
        const synced = await syncCloudMirror(retention, cacheRoot);
        return pruneCloud(copy.repo, synced, retention, { maxUnused: 0 });
      });
    /** `check --cloud-copy --read-data` from another machine: every pack from the cloud. */
    const checkCloudCopy = async () => {
      const agent = server.client('tbk_agent');
      const fresh = await openCloudRepository(
        { client: agent, cacheRoot: join(dir, `cache-check-${randomUUID()}`) },
        undefined,
        async () => TEST_PASSPHRASE,
        { localPacks: false },
      );
      const packs = new Map(
        [...fresh.mirror.objects.values()].filter((o) => o.kind === 'data').map((o) => [o.name, o.size]),
      );
      return check(fresh.repo, { packs, readData: true, workers: 1 });
    };
    return { repo, server, pruneTheCloud, checkCloudCopy };
  }

  it('takes the blobs of a pack damaged locally from the cloud, and the cloud copy stays intact', async () => {
    const { repo, pruneTheCloud, checkCloudCopy } = await setUp();
    assert.ok((await damageDataBlobs(repo)) > 0);
    assert.equal(
      (await check(repo, { readData: true, workers: 1 })).status,
      'problems',
      'the local copy rotted',
    );

    const result = await pruneTheCloud();

    assert.ok(result.packsRewritten >= 1 && result.packsDeleted >= 1, JSON.stringify(result));
    const checked = await checkCloudCopy();
    assert.equal(checked.status, 'ok', JSON.stringify(checked.errors.slice(0, 3)));
    assert.equal(result.damagedAtHand.length, result.packsRewritten, 'each damaged pack at hand is reported');
    assert.ok(result.rangeRequests >= 1, 'the kept blobs came from the cloud');
  });

  it('stops before deleting anything when the cloud copy of a pack damaged locally is damaged too', async () => {
    const { repo, server, pruneTheCloud } = await setUp();
    await damageDataBlobs(repo);
    await damageDataBlobs(repo, server);
    const dataBefore = [...server.objects.keys()].filter((key) => !key.startsWith('snapshots/')).sort();

    await assert.rejects(
      pruneTheCloud(),
      (error: unknown) =>
        isBackupError(error, 'cloud.damaged') && error.message.includes('nothing was deleted'),
    );
    assert.deepEqual(
      [...server.objects.keys()].filter((key) => !key.startsWith('snapshots/')).sort(),
      dataBefore,
      'no pack, index or key was deleted or added',
    );
  });

  it('copies the blobs of a sound pack at hand without fetching anything', async () => {
    const { pruneTheCloud, checkCloudCopy } = await setUp();
    const result = await pruneTheCloud();
    assert.ok(result.packsRewritten >= 1);
    assert.deepEqual(result.damagedAtHand, []);
    assert.equal(result.rangeRequests, 0);
    assert.equal((await checkCloudCopy()).status, 'ok');
  });
});
