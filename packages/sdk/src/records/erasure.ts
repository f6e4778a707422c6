import {
  bytesToUtf8,
  openEnvelope,
  pkVersionOfKid,
  practiceKeyKid,
  sealEnvelope,
  utf8ToBytes,
} from '@tresor/crypto';
import { records as c } from '../contract/index.js';
import { type RecordsContext, call, practiceKey } from './records-context.js';
import type { ErasureCategory, ErasureRecord } from './types.js';
import type { UserNames } from './user-names.js';

/** Envelope purpose of an erasure reason, sealed with the practice key (the record's data key is gone). */
const REASON_PURPOSE = 'erasure-reason';

export interface EraseOptions {
  /** Free text; sealed on this device, the server stores only ciphertext. Required under retention. */
  readonly reason?: string;
  /** A coarse category the server stores in clear (default `'patient_request'`). */
  readonly category?: ErasureCategory;
}

export async function erasePatient(
  context: RecordsContext,
  id: string,
  options: EraseOptions = {},
): Promise<void> {
  const keys = context.keys();
  const version = keys.currentPkVersion;
  const reason =
    options.reason === undefined || options.reason.trim() === ''
      ? undefined
      : await sealEnvelope(practiceKey(keys, version), practiceKeyKid(version), utf8ToBytes(options.reason), {
          practiceId: context.practiceId,
          owner: id,
          purpose: REASON_PURPOSE,
        });
  const body: c.EraseBody = { category: options.category ?? 'patient_request', ...(reason && { reason }) };
  await call(context, 'POST', `/api/v1/patients/${encodeURIComponent(id)}/erase`, c.EraseReply, body);
}

/** Primary users: the erasure log with reasons decrypted (a reason this device cannot open is left out). */
export async function erasures(context: RecordsContext, names: UserNames): Promise<ErasureRecord[]> {
  const { erasures: list } = await call(context, 'GET', '/api/v1/erasures', c.ErasureList);
  const keys = context.keys();
  const out: ErasureRecord[] = [];
  for (const e of list) {
    let reason: string | undefined;
    const version = e.reason === null ? undefined : pkVersionOfKid(e.reason.kid);
    const key = version === undefined ? undefined : keys.practiceKeys.get(version);
    if (e.reason !== null && key !== undefined) {
      const context_ = { practiceId: context.practiceId, owner: e.patientId, purpose: REASON_PURPOSE };
      reason = await openEnvelope(key, e.reason, context_).then(bytesToUtf8, () => undefined);
    }
    out.push({
      patientId: e.patientId,
      erasedAt: e.erasedAt,
      erasedBy: await names.ref(e.erasedBy),
      category: e.category,
      ...(reason === undefined ? {} : { reason }),
      underRetention: e.underRetention,
    });
  }
  return out;
}

export async function expiredRetention(
  context: RecordsContext,
): Promise<{ id: string; retentionUntil: string }[]> {
  return (await call(context, 'GET', '/api/v1/retention/expired', c.ExpiredRetention)).records;
}
