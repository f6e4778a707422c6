import assert from 'node:assert/strict';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { removeDir, tempDir } from '../testing/fixtures.js';
import { scanManifestDirs } from './manifest-dirs.js';

const EXAMPLES = fileURLToPath(new URL('../../manifests/examples/', import.meta.url));

describe('manifest directories', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir('tresor-manifests-');
  });
  after(async () => {
    await removeDir(dir);
  });

  it('reads every *.xml, reports invalid ones with file and line, and skips only those', async () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    await mkdir(a);
    await mkdir(b);
    await copyFile(join(EXAMPLES, 'praxisvita-pvs.xml'), join(a, 'praxisvita-pvs.xml'));
    await copyFile(join(EXAMPLES, 'dokuscan-eingang.xml'), join(b, 'dokuscan-eingang.xml'));
    await writeFile(
      join(a, 'broken.xml'),
      '<backup-manifest version="1">\n  <product id="x">\n  </produkt>\n',
    );
    await writeFile(join(a, 'README.txt'), 'not a manifest');
    // The same product id a second time: the later file is rejected.
    await copyFile(join(EXAMPLES, 'praxisvita-pvs.xml'), join(b, 'praxisvita-copy.xml'));
    const scan = await scanManifestDirs([a, b, join(dir, 'not-there')]);
    assert.deepEqual(
      scan.manifests.map((m) => m.manifest.id),
      ['praxisvita-pvs', 'dokuscan-eingang'],
    );
    assert.deepEqual(scan.missingDirs, [join(dir, 'not-there')]);
    assert.equal(scan.rejected.length, 2);
    const [broken, duplicate] = scan.rejected;
    assert.equal(broken!.file, join(a, 'broken.xml'));
    assert.equal(broken!.line, 3);
    assert.equal(duplicate!.file, join(b, 'praxisvita-copy.xml'));
    assert.match(duplicate!.message, /already described by .*praxisvita-pvs\.xml/);
  });
});
