import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AUDIT_SIGNING_KEY_FILE,
  loadAuditSigningKey,
  loadOrCreateAuditSigningKey,
} from './audit.signing-key.js';

describe('audit signing key', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tresor-audit-key-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('is created once with mode 0600 and loaded again unchanged', async () => {
    const dataDir = join(dir, 'a');
    assert.equal(await loadAuditSigningKey(dataDir), undefined);
    const [first, second] = await Promise.all([
      loadOrCreateAuditSigningKey(dataDir),
      loadOrCreateAuditSigningKey(dataDir),
    ]);
    assert.deepEqual(first.publicKey, second.publicKey);
    assert.deepEqual((await loadOrCreateAuditSigningKey(dataDir)).publicKey, first.publicKey);
    assert.equal((await stat(join(dataDir, AUDIT_SIGNING_KEY_FILE))).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(dataDir), [AUDIT_SIGNING_KEY_FILE]);
  });

  it('refuses a file that is not a key instead of replacing it', async () => {
    const dataDir = join(dir, 'b');
    await loadOrCreateAuditSigningKey(dataDir);
    await writeFile(join(dataDir, AUDIT_SIGNING_KEY_FILE), 'not a key\n');
    await assert.rejects(loadOrCreateAuditSigningKey(dataDir), /is not an audit signing key/);
  });
});
