import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AUDIT_SIGNING_SEED_BYTES,
  type AuditSigner,
  auditSignerFromSeed,
  base64urlToBytes,
  bytesToBase64url,
} from '@tresor/crypto';

/** The server's audit signing key: an Ed25519 seed, base64url on one line, mode 0600. Never in the database. */
export const AUDIT_SIGNING_KEY_FILE = 'audit-signing.key';

/** Reads the signing key from `<dataDir>/audit-signing.key`; creates it on first start. */
export async function loadOrCreateAuditSigningKey(dataDir: string): Promise<AuditSigner> {
  return (await loadAuditSigningKey(dataDir)) ?? createKey(dataDir);
}

/** Reads the signing key; undefined when the data directory has none. */
export async function loadAuditSigningKey(dataDir: string): Promise<AuditSigner | undefined> {
  const path = join(dataDir, AUDIT_SIGNING_KEY_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let seed: Uint8Array | undefined;
  try {
    seed = base64urlToBytes(text.trim());
  } catch {
    seed = undefined;
  }
  if (seed?.length !== AUDIT_SIGNING_SEED_BYTES) {
    throw new Error(`${path} is not an audit signing key (expected a base64url Ed25519 seed)`);
  }
  return auditSignerFromSeed(seed);
}

/** Writes a new key to a temporary file, then links it into place: never a partial key file. */
async function createKey(dataDir: string): Promise<AuditSigner> {
  const path = join(dataDir, AUDIT_SIGNING_KEY_FILE);
  const temporary = `${path}.${randomBytes(8).toString('hex')}.tmp`;
  await mkdir(dataDir, { recursive: true });
  const file = await open(temporary, 'wx', 0o600);
  try {
    await file.writeFile(`${bytesToBase64url(randomBytes(AUDIT_SIGNING_SEED_BYTES))}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await link(temporary, path);
  } catch (error) {
    // Someone else created it first: theirs wins.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temporary);
  }
  const directory = await open(dataDir, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
  const signer = await loadAuditSigningKey(dataDir);
  if (signer === undefined) throw new Error(`${path} vanished after it was created`);
  return signer;
}
