import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A server-side secret kept in `<dataDir>/secrets/<name>` with mode 0600, created on first use.
 * Such secrets (OPAQUE server setup, the key sealing TOTP secrets at rest, the audit signing
 * key) never go into the database: a database dump alone does not reveal them.
 */
export async function loadOrCreateSecret(
  dataDir: string,
  name: string,
  create: () => string = () => randomBytes(32).toString('base64url'),
): Promise<string> {
  const dir = join(dataDir, 'secrets');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, name);
  try {
    const handle = await open(path, 'wx', 0o600);
    try {
      await handle.writeFile(create());
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return (await readFile(path, 'utf8')).trim();
}
