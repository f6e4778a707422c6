import type { AccountSession } from '@tresor/sdk';
import type { audit } from '@tresor/sdk/contract';

/** The newest `count` entries of the practice's audit trail, newest first. */
export async function newestAuditEntries(
  session: AccountSession,
  count: number,
): Promise<audit.AuditEntry[]> {
  const get = (after: number, limit: number) => session.auditEntries({ after, limit });
  const first = await get(0, 1);
  const after = Math.max(0, first.treeSize - count);
  const page = after === 0 && first.treeSize <= 1 ? first : await get(after, count);
  return [...page.entries].reverse();
}
