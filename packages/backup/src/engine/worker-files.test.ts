import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { computeBlobId } from '../crypto/blob-id.js';
import { deriveRepositoryKeys, generateMasterKey } from '../crypto/keys.js';
import { BlobType } from '../format.js';
import { removeDir, tempDir } from '../testing/fixtures.js';
import { sealBlob } from './blob-codec.js';
import { verifyPack } from './worker-files.js';
import type { StoredBlob } from './worker-protocol.js';

// verifyPack reads a pack blob by blob; these cases make sure that streaming still hashes every
// byte (blobs, the gaps between them, the tail) and still opens every blob.
describe('verifyPack', () => {
  const repoKeys = deriveRepositoryKeys(generateMasterKey(), 'test-repository');
  const keys = { encryption: repoKeys.encryption, id: repoKeys.id };
  let dir: string;

  before(async () => {
    dir = await tempDir();
  });
  after(async () => {
    await removeDir(dir);
  });

  /** A pack of `count` blobs (sizes around 1.5 MiB, more than the read buffer) and a 100-byte tail. */
  async function makePack(name: string, count: number) {
    const parts: Uint8Array[] = [];
    const blobs: StoredBlob[] = [];
    const packPath = join(dir, name);
    let offset = 0;
    for (let i = 0; i < count; i++) {
      const raw = new Uint8Array(1_500_000 + i).map((_, j) => (j * 7 + i) % 251);
      const id = computeBlobId(keys.id, raw);
      const { codec, sealed } = sealBlob(keys.encryption, BlobType.data, id, raw, 'zstd');
      blobs.push({
        packPath,
        offset,
        length: sealed.length,
        type: BlobType.data,
        codec,
        id,
        rawLength: raw.length,
      });
      parts.push(sealed);
      offset += sealed.length;
    }
    parts.push(new Uint8Array(100).fill(9));
    const bytes = Buffer.concat(parts);
    await writeFile(packPath, bytes);
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
