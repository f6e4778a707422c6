import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { newTestRepository, removeDir, seededBytes, tempDir } from '../testing/fixtures.js';
import { sealFile } from './file-envelope.js';
import { loadIndex } from './index-store.js';
import { type FileKind, layout } from './layout.js';
import { DamagedFileError, type Repository } from './repository.js';
import { isBackupError } from '../errors.js';
import { loadSnapshots, resolveSnapshot } from './snapshot-store.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Writes `bytes` as a `kind` file named `name` (its hash unless given). @returns the name. */
async function plant(repo: Repository, kind: FileKind, bytes: Uint8Array, name = sha256(bytes)) {
  await writeFile(layout.file(repo.root, kind, name), bytes);
  return name;
}

describe('loading index and snapshot files: each unreadable one as a DamagedFileError naming it', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir('tresor-damaged-');
  });
  after(async () => {
    await removeDir(dir);
  });

  for (const kind of ['index', 'snapshot'] as const) {
    it(`${kind} files that do not match their name, do not decrypt or do not parse`, async () => {
      const repo = await newTestRepository(join(dir, kind));
      const unparsable = kind === 'snapshot' ? Buffer.from('{"v":1}') : Buffer.from([7, 0, 0, 0]);
      const expected = [
        [
          await plant(repo, kind, seededBytes(`${kind}/misnamed`, 100), 'a'.repeat(64)),
          /does not match its name$/,
        ],
        [await plant(repo, kind, seededBytes(`${kind}/junk`, 100)), /does not decrypt$/],
        [
          await plant(repo, kind, sealFile(repo.keys.encryption, kind, unparsable)),
          new RegExp(`^${kind}(?: file)? [0-9a-f]{64}: `),
        ],
      ] as const;

      const { damaged, problems } = kind === 'index' ? await loadIndex(repo) : await loadSnapshots(repo);
      assert.equal(damaged.length, expected.length);
      for (const [id, message] of expected) {
        const error = damaged.find((candidate) => candidate.id === id);
        assert.ok(error instanceof DamagedFileError, id);
        assert.equal(error.kind, kind);
        assert.match(error.message, message);
        assert.ok(error.message.includes(id), error.message);
      }
      // The format error is kept as the cause; `problems` are the messages, for reports.
      assert.ok(damaged.some((error) => error.cause instanceof Error));
      assert.deepEqual(
        problems,
        damaged.map(({ message }) => message),
      );
      if (kind === 'index') {
        assert.deepEqual(
          (await loadIndex(repo)).unreadable,
          damaged.map(({ id }) => id),
        );
      }
    });
  }
});

describe('resolving a snapshot among unreadable snapshot files', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir('tresor-damaged-resolve-');
  });
  after(async () => {
    await removeDir(dir);
  });

  it('says an id names a damaged snapshot, and warns when "latest" passes over damaged ones', async () => {
    const repo = await newTestRepository(join(dir, 'repo'));
    const damaged = await plant(repo, 'snapshot', seededBytes('snapshot/junk', 100));
    await assert.rejects(
      resolveSnapshot(repo, damaged.slice(0, 8)),
      (error: unknown) => isBackupError(error, 'repo.damaged') && error.message.includes(damaged.slice(0, 8)),
    );
    await assert.rejects(resolveSnapshot(repo, 'feedbeef'), (error: unknown) =>
      isBackupError(error, 'snapshot.not_found'),
    );
    const warnings: string[] = [];
    await assert.rejects(
      resolveSnapshot(repo, 'latest', (message) => warnings.push(message)),
      (error: unknown) => isBackupError(error, 'snapshot.not_found') && error.message.includes('1 cannot'),
    );
    assert.deepEqual(warnings, [], 'nothing to warn about when nothing is chosen');
  });
});
