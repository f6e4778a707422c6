import { readFile } from 'node:fs/promises';
import {
  type AuditCheckpoint,
  type AuditSigningPublicKey,
  type AuditVerification,
  auditSigningPublicKey,
  base64urlToBytes,
} from '@tresor/crypto';
import type { Database } from '../../platform/db/database.js';
import { AuditService } from './audit.service.js';
import { loadAuditSigningKey } from './audit.signing-key.js';
import { PgAuditStore } from './audit.store.pg.js';

/** Exit code of `tresor audit verify` when tampering is detected. */
export const AUDIT_TAMPERED_EXIT_CODE = 3;

export interface AuditVerifyOptions {
  readonly practiceId: string;
  readonly dataDir: string;
  /** base64url public key to verify checkpoints with; default: the key in the data directory. */
  readonly publicKey?: string | undefined;
  /** A JSON file holding a checkpoint verified earlier (or an earlier `--json` result). */
  readonly rememberedFile?: string | undefined;
}

/** A usage problem of `tresor audit verify` (exit code 2). */
export class AuditVerifyUsageError extends Error {
  override readonly name = 'AuditVerifyUsageError';
}

/** Reads the practice's whole trail from `database` and verifies it as `tresor audit verify` does. */
export async function verifyPracticeAuditTrail(
  database: Database,
  options: AuditVerifyOptions,
): Promise<AuditVerification> {
  const publicKey = await serverPublicKey(options);
  const remembered =
    options.rememberedFile === undefined ? undefined : await readRemembered(options.rememberedFile);
  // The signer is needed only to create checkpoints, which verification never does.
  const service = new AuditService(new PgAuditStore(database.db), {
    publicKey,
    sign: () => {
      throw new Error('verification does not sign');
    },
  });
  return service.verify(options.practiceId, publicKey, remembered);
}

/** The human summary printed by `tresor audit verify`. */
export function describeAuditVerification(practiceId: string, result: AuditVerification): string {
  if (result.ok) {
    const newest = result.checkpoint;
    const covered =
      newest === null
        ? 'no checkpoint yet'
        : `newest covers ${newest.treeSize} entries, signed ${newest.createdAt}`;
    return `OK: ${result.treeSize} entries, chain intact, ${result.checkpointsVerified} checkpoints verified (${covered}).\n`;
  }
  const lines = result.problems.map((p) => `  - ${p.kind} at seq ${p.seq}: ${p.detail}`);
  return (
    `TAMPERING DETECTED in the audit trail of practice ${practiceId} ` +
    `(${result.treeSize} entries read, ${result.checkpointsVerified} checkpoints verified):\n${lines.join('\n')}\n`
  );
}

async function serverPublicKey(options: AuditVerifyOptions): Promise<AuditSigningPublicKey> {
  if (options.publicKey !== undefined) {
    try {
      return auditSigningPublicKey(base64urlToBytes(options.publicKey));
    } catch {
      throw new AuditVerifyUsageError('--public-key is not a base64url Ed25519 public key');
    }
  }
  const signer = await loadAuditSigningKey(options.dataDir);
  if (signer === undefined) {
    throw new AuditVerifyUsageError(
      `no audit signing key in ${options.dataDir}; pass the server's key with --public-key`,
    );
  }
  return signer.publicKey;
}

async function readRemembered(file: string): Promise<AuditCheckpoint> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new AuditVerifyUsageError(`cannot read a checkpoint from ${file}: ${(error as Error).message}`);
  }
  const candidate =
    typeof parsed === 'object' && parsed !== null && 'checkpoint' in parsed ? parsed.checkpoint : parsed;
  if (!isCheckpoint(candidate)) throw new AuditVerifyUsageError(`${file} holds no audit checkpoint`);
  return candidate;
}

function isCheckpoint(value: unknown): value is AuditCheckpoint {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.practiceId === 'string' &&
    typeof v.treeSize === 'number' &&
    typeof v.rootHash === 'string' &&
    typeof v.chainHead === 'string' &&
    typeof v.createdAt === 'string' &&
    typeof v.signature === 'string'
  );
}
