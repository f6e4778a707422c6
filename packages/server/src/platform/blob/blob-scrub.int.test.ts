import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { migrations } from '../../migrations/index.js';
import { runCli } from '../../testing/server-process.js';
import { createTestStorage, storageEnv } from '../../testing/test-storage.js';
import { openDatabase } from '../db/database.js';
import { lockDataDir } from '../lock/data-dir-lock.js';
import { FsBlobStore } from './fs-blob-store.js';

// Runs the built CLI (dist/cli.js): build first with `npx tsc -b`.
describe('tresor blobs scrub', () => {
  it('finds a blob that rotted on disk (exit 3), records it, and forgets it once it is sound again', async () => {
    const storage = await createTestStorage();
    try {
      const cliEnv = storageEnv(storage);
      const root = join(storage.dataDir, 'blobs');
      const blobs = await FsBlobStore.open(root);
      const bytes = randomBytes(3000);
      const { key } = await blobs.put(bytes);
      await blobs.put(randomBytes(1000));
      const database = await openDatabase({ ...storage, migrations, mode: 'migrate' });
      await database.close();
      const damageRows = async () => {
        const db = await openDatabase({ ...storage, migrations, mode: 'require-current' });
        try {
          return (await db.db.selectFrom('blob_damage').select('blob_key').execute()).map((r) => r.blob_key);
        } finally {
          await db.close();
        }
      };

      const clean = await runCli(['blobs', 'scrub'], cliEnv);
      assert.equal(clean.code, 0, clean.stderr);
      assert.equal(
        clean.stdout,
        'Checked 2 blobs (3.9 KiB): 0 damaged, 0 found sound again since the last scrub.\n',
      );

      const rotten = Buffer.from(bytes);
      rotten[1500]! ^= 0x01;
      await writeFile(join(root, 'sha256', key.slice(0, 2), key), rotten);
      const found = await runCli(['blobs', 'scrub', '--json'], cliEnv);
      assert.equal(found.code, 3, found.stderr);
      assert.deepEqual(JSON.parse(found.stdout), {
        blobs: 2,
        bytes: 4000,
        damaged: 1,
        healed: 0,
        complete: true,
      });
      assert.deepEqual(await damageRows(), [key]);

      await blobs.put(bytes); // the same bytes stored again
      const healed = await runCli(['blobs', 'scrub'], cliEnv);
      assert.equal(healed.code, 0, healed.stderr);
      assert.match(healed.stdout, /0 damaged, 1 found sound again/);
      assert.deepEqual(await damageRows(), []);

      const lock = await lockDataDir(storage.dataDir);
      try {
        const locked = await runCli(['blobs', 'scrub'], cliEnv);
        assert.equal(locked.code, 1);
        assert.match(locked.stderr, /in use/);
      } finally {
        await lock.release();
      }
    } finally {
      await storage.dispose();
    }
  });
});
