import type { AccountsStore } from './accounts.store.js';
import type { AlarmNotifier, AuditRecorder } from './audit-recorder.js';

/** An alarm for a practice's primary users (shown under "Sicherheitsalarme"). */
export interface SecurityAlarm {
  /** The user it concerns, if any (also the audit entry's actor and target). */
  readonly userId?: string;
  /** Stable kind, e.g. `auth.repeated_failures`; the web app names it in German and English. */
  readonly kind: string;
  /** What happened, for the practice and the webhook; never patient data or secrets. */
  readonly detail: string;
  /** The audit action recorded with it. */
  readonly action: string;
}

/**
 * Raises security alarms: stored for the practice's primary users, recorded in the audit trail
 * in the same transaction, then passed to the alarm webhook.
 */
export class SecurityAlarms {
  constructor(
    private readonly store: AccountsStore,
    private readonly audit: AuditRecorder,
    private readonly notifier: AlarmNotifier,
  ) {}

  async raise(practiceId: string, alarm: SecurityAlarm): Promise<void> {
    const { userId, kind, detail, action } = alarm;
    await this.store.inPractice(practiceId, async (tx) => {
      await tx.addAlarm({ userId, kind, detail });
      await this.audit.append(tx.scope, {
        practiceId,
        action,
        ...(userId === undefined ? {} : { actorUserId: userId, targetId: userId }),
      });
    });
    this.notifier.notify({ practiceId, userId, kind, detail });
  }
}

/** The alarm for stored data of a practice that the server's integrity scrub found damaged. */
export function damagedDataAlarm(files: number): SecurityAlarm {
  return {
    kind: 'integrity.data_damaged',
    detail:
      `The server's integrity check found ${files} stored file(s) of this practice damaged ` +
      '(encrypted document chunks or cloud backup files). Cloud backup files are repaired by ' +
      '"tresor-backup replicate --repair"; a damaged document must be uploaded again.',
    action: 'integrity.damage_found',
  };
}
