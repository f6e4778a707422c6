import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BlobId, computeBlobId } from '../crypto/blob-id.js';
import type { CodecName } from '../compress/codec.js';
import { deriveRepositoryKeys, generateMasterKey } from '../crypto/keys.js';
import { BlobType } from '../format.js';
import { removeDir, tempDir } from '../testing/fixtures.js';
import { sealBlob } from './blob-codec.js';
import { PackFiles, restoreFiles, verifyPack } from './worker-files.js';
import type { RestoreFile, StoredBlob } from './worker-protocol.js';

const repoKeys = deriveRepositoryKeys(generateMasterKey(), 'test-repository');
const keys = { encryption: repoKeys.encryption, id: repoKeys.id };

/**
 * Writes a pack of `contents` (each sealed under `id`, by default its own keyed id) followed by
 * `tail`. @returns where each blob lies and the pack's bytes.
 */
async function writePack(
  packPath: string,
  contents: readonly { raw: Uint8Array; id?: BlobId }[],
  codec: CodecName,
  tail = new Uint8Array(0),
): Promise<{ blobs: StoredBlob[]; bytes: Buffer }> {
  const parts: Uint8Array[] = [];
  const blobs: StoredBlob[] = [];
  let offset = 0;
  for (const { raw, id = computeBlobId(keys.id, raw) } of contents) {
    const sealed = sealBlob(keys.encryption, BlobType.data, id, raw, codec);
    blobs.push({
      packPath,
      offset,
      length: sealed.sealed.length,
      type: BlobType.data,
      codec: sealed.codec,
      id,
      rawLength: raw.length,
    });
    parts.push(sealed.sealed);
    offset += sealed.sealed.length;
  }
  parts.push(tail);
  const bytes = Buffer.concat(parts);
  await writeFile(packPath, bytes);
  return { blobs, bytes };
}

function useTempDir(): () => string {
  let dir: string | undefined;
  before(async () => {
    dir = await tempDir();
  });
  after(async () => {
    if (dir) await removeDir(dir);
  });
  return () => dir!;
}

// verifyPack reads a pack blob by blob; these cases make sure that streaming still hashes every
// byte (blobs, the gaps between them, the tail) and still opens every blob.
describe('verifyPack', () => {
  const dir = useTempDir();

  /** A pack of `count` blobs (sizes around 1.5 MiB, more than the read buffer) and a 100-byte tail. */
  async function makePack(name: string, count: number) {
    const packPath = join(dir(), name);
    const contents = Array.from({ length: count }, (_, i) => ({
      raw: new Uint8Array(1_500_000 + i).map((_, j) => (j * 7 + i) % 251),
    }));
    const { blobs, bytes } = await writePack(packPath, contents, 'zstd', new Uint8Array(100).fill(9));
    return { packPath, blobs, bytes, packId: createHash('sha256').update(bytes).digest('hex') };
  }

  it('accepts an intact pack, blobs listed in any order', async () => {
    const { packPath, blobs, packId } = await makePack('intact', 3);
    assert.deepEqual(verifyPack(keys, packId, packPath, [...blobs].reverse()), { intact: true, damaged: [] });
  });

  it('notices an altered byte outside every blob, and one inside a blob', async () => {
    const { packPath, blobs, bytes, packId } = await makePack('altered', 2);
    bytes[bytes.length - 1]! ^= 1;
    await writeFile(packPath, bytes);
    assert.deepEqual(verifyPack(keys, packId, packPath, blobs), { intact: false, damaged: [] });

    const second = blobs[1]!;
    bytes[second.offset + 40]! ^= 1;
    await writeFile(packPath, bytes);
    const result = verifyPack(keys, packId, packPath, blobs);
    assert.equal(result.intact, false);
    assert.deepEqual(
      result.damaged.map((d) => d.id),
      [second.id],
    );
  });

  it('reports a blob beyond the end of the pack and still checks the others', async () => {
    const { packPath, blobs, packId } = await makePack('short', 2);
    const beyond = { ...blobs[1]!, offset: blobs[1]!.offset + 1_000_000 };
    const result = verifyPack(keys, packId, packPath, [blobs[0]!, beyond]);
    assert.equal(result.intact, true);
    assert.deepEqual(result.damaged, [
      { id: beyond.id, reason: `blob ${beyond.id} lies beyond the end of its pack` },
    ]);
  });
});

describe('restoreFiles', () => {
  const dir = useTempDir();
  const text = (s: string) => new TextEncoder().encode(s);

  /**
   * A pack with an intact blob and one sealed wrongly by a key holder: a valid encryption tag over
   * the id of other plaintext (what a writer's bug or bad RAM between hashing and sealing makes).
   */
  async function makePack() {
    const { blobs } = await writePack(
      join(dir(), 'pack'),
      [
        { raw: text('Befund: unauffällig') },
        { raw: text('was versiegelt wurde'), id: computeBlobId(keys.id, text('was gehasht wurde')) },
      ],
      'none',
    );
    return { good: blobs[0]!, missealed: blobs[1]! };
  }

  const fileOf = (name: string, blobs: StoredBlob[], checkIds: boolean): RestoreFile => ({
    dest: join(dir(), name),
    temp: join(dir(), `${name}.tresor-restore-0000`),
    blobs,
    mode: 0o640,
    mtimeNs: '1700000000500000000',
    uid: 0,
    gid: 0,
    chown: false,
    checkIds,
  });

  it('restores a batch file by file, with mode and mtime, and reports each failure for its file alone', async () => {
    const { good, missealed } = await makePack();
    const beyond = { ...good, offset: 1_000_000 };
    const outcomes = restoreFiles(keys, new PackFiles(), [
      fileOf('a.txt', [good], true),
      fileOf('b.txt', [good, missealed], true),
      fileOf('c.txt', [beyond], false),
      fileOf('no-such-dir/d.txt', [good], false),
      fileOf('e.txt', [good, good], false),
    ]);
    assert.deepEqual(outcomes[0], { ok: true, bytes: good.rawLength });
    assert.equal(outcomes[1]!.ok, false);
    assert.match((outcomes[1] as { message: string }).message, /does not match its id/);
    assert.equal(outcomes[2]!.ok, false);
    assert.equal((outcomes[2] as { damaged: boolean }).damaged, true);
    assert.deepEqual(outcomes[3], {
      ok: false,
      damaged: false,
      code: 'ENOENT',
      message: (outcomes[3] as { message: string }).message,
    });
    assert.deepEqual(outcomes[4], { ok: true, bytes: 2 * good.rawLength });

    assert.equal(await readFile(join(dir(), 'a.txt'), 'utf8'), 'Befund: unauffällig');
    const info = await stat(join(dir(), 'a.txt'), { bigint: true });
    assert.equal(Number(info.mode & 0o777n), 0o640);
    assert.equal(info.mtimeNs / 1000n, 1700000000500000000n / 1000n);
    // Failed files leave nothing behind: no partial file, no temporary one.
    assert.deepEqual((await readdir(dir())).sort(), ['a.txt', 'e.txt', 'pack']);
  });

  it('trusts the encryption tag unless asked to recompute ids (restore --verify)', async () => {
    const { missealed } = await makePack();
    const [trusted] = restoreFiles(keys, new PackFiles(), [fileOf('trusted.txt', [missealed], false)]);
    assert.deepEqual(trusted, { ok: true, bytes: missealed.rawLength });
    assert.equal(await readFile(join(dir(), 'trusted.txt'), 'utf8'), 'was versiegelt wurde');
    const [verified] = restoreFiles(keys, new PackFiles(), [fileOf('verified.txt', [missealed], true)]);
    assert.equal(verified!.ok, false);
    assert.equal((verified as { damaged: boolean }).damaged, true);
  });
});
