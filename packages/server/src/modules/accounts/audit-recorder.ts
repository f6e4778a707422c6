import type { PracticeScope } from '../../platform/db/tenant.js';
import type { AuditEvent } from './accounts.types.js';

/** The audit log as the accounts module needs it: an append in the caller's transaction. */
export interface AuditRecorder {
  append(scope: PracticeScope, event: AuditEvent): Promise<unknown>;
}

/** Tells someone outside (e.g. a webhook) that an alarm was raised. */
export interface AlarmNotifier {
  notify(alarm: { practiceId: string; userId: string | undefined; kind: string; detail: string }): void;
}
