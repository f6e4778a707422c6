import { readFile } from 'node:fs/promises';
import { BackupError, errnoCode } from '../errors.js';
import { CONFIG_FORMAT_NAME, FORMAT_VERSION } from '../format.js';
import { layout } from './layout.js';

/**
 * The only plaintext file besides the key slots: it says what the directory is and which format
 * version it uses, so a newer repository is refused before a passphrase is even asked for.
 */
export interface RepositoryConfig {
  readonly format: typeof CONFIG_FORMAT_NAME;
  readonly version: number;
  /** 16 random bytes, hex. Salt of the key derivation and bound into every key slot. */
  readonly id: string;
  readonly createdAt: string;
}

export function encodeConfig(config: RepositoryConfig): Uint8Array {
  return Buffer.from(`${JSON.stringify(config, null, 2)}\n`);
}

export async function readRepositoryConfig(root: string): Promise<RepositoryConfig> {
  let text: string;
  try {
    text = await readFile(layout.config(root), 'utf8');
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new BackupError(
        'repo.not_found',
        `no repository at ${root} (create one with "tresor-backup init")`,
      );
    }
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BackupError('repo.invalid', `${layout.config(root)} is not a repository config (not JSON)`);
  }
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (record.format !== CONFIG_FORMAT_NAME) {
    throw new BackupError('repo.invalid', `${root} is not a tresor-backup repository`);
  }
  const { version, id, createdAt } = record;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new BackupError('repo.invalid', `${root}: invalid format version ${String(version)}`);
  }
  if (version > FORMAT_VERSION) {
    throw new BackupError(
      'repo.newer_format',
      `the repository at ${root} uses format version ${version}, but this tresor-backup reads only up to version ${FORMAT_VERSION}; update tresor-backup to use it (nothing was changed)`,
    );
  }
  if (typeof id !== 'string' || !/^[0-9a-f]{32}$/.test(id) || typeof createdAt !== 'string') {
    throw new BackupError('repo.invalid', `${root}: invalid repository config`);
  }
  return { format: CONFIG_FORMAT_NAME, version, id, createdAt };
}
