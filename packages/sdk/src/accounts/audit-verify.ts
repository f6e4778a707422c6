import {
  type AuditCheckpoint,
  type AuditSigningPublicKey,
  type AuditVerification,
  base64urlToBytes,
  verifyAuditTrail,
} from '@tresor/crypto';
import { audit } from '../contract/index.js';
import type { HttpClient } from '../http.js';

const PAGE = 1000;

export interface AuditVerifyOptions {
  /** The checkpoint this client accepted last time: a rebuilt or shortened log fails against it. */
  readonly remembered?: AuditCheckpoint;
  /** The server's audit signing key as pinned earlier (base64url); a different key is refused. */
  readonly pinnedServerKey?: string;
}

/**
 * Downloads the practice's whole audit trail and checks it on this device: the hash chain, every
 * signed checkpoint against the Merkle root of the entries, and consistency with the checkpoint
 * this client remembered. Keep `checkpoint` of an OK result as the next `remembered`.
 */
export async function verifyPracticeAudit(
  http: HttpClient,
  session: { token: string; practiceId: string },
  options: AuditVerifyOptions = {},
): Promise<AuditVerification & { serverKey: string }> {
  const get = <S extends Parameters<HttpClient['call']>[2]['schema']>(path: string, schema: S) =>
    http.call('GET', path, { schema, token: session.token });
  const { publicKey } = await get('/api/v1/audit/signing-key', audit.AuditSigningKey);
  if (options.pinnedServerKey !== undefined && options.pinnedServerKey !== publicKey) {
    return {
      ok: false,
      treeSize: 0,
      checkpointsVerified: 0,
      problems: [
        { kind: 'checkpoint_signature', seq: 0, detail: 'the server presents a different audit signing key' },
      ],
      serverKey: publicKey,
    };
  }
  const entries: audit.AuditEntry[] = [];
  for (let after = 0; ;) {
    const page = await get(`/api/v1/audit/entries?after=${after}&limit=${PAGE}`, audit.AuditEntryPage);
    entries.push(...page.entries);
    const last = page.entries.at(-1);
    if (last === undefined || page.entries.length < PAGE) break;
    after = last.seq;
  }
  const checkpoints: audit.AuditCheckpoint[] = [];
  for (let after = 0; ;) {
    const page = await get(
      `/api/v1/audit/checkpoints?after=${after}&limit=${PAGE}`,
      audit.AuditCheckpointPage,
    );
    checkpoints.push(...page.checkpoints);
    const last = page.checkpoints.at(-1);
    if (last === undefined || page.checkpoints.length < PAGE) break;
    after = last.treeSize;
  }
  const result = verifyAuditTrail({
    practiceId: session.practiceId,
    entries,
    checkpoints,
    serverPublicKey: base64urlToBytes(publicKey) as AuditSigningPublicKey,
    ...(options.remembered && { remembered: options.remembered }),
  });
  return { ...result, serverKey: publicKey };
}
