import type { accounts } from '@tresor/sdk/contract';
import { AppError } from '../../platform/app-error.js';
import type { AuthContext } from '../../platform/http/auth-guard.js';
import type { AccountsStore } from './accounts.store.js';
import type { AuditRecorder } from './audit-recorder.js';

/** Practice-wide security settings and the alarms shown to primary users. */
export class SecuritySettingsService {
  constructor(
    private readonly store: AccountsStore,
    private readonly audit: AuditRecorder,
  ) {}

  /** Two-factor login is on by default; only a primary user may turn it off, with explicit confirmation. */
  setTwoFactorRequired(
    auth: AuthContext,
    body: accounts.TwoFactorSettingBody,
  ): Promise<{ required: boolean }> {
    if (!body.required && body.confirmation !== 'DISABLE_TWO_FACTOR') {
      throw new AppError('settings.confirmation_required');
    }
    return this.store.inPractice(auth.practiceId, async (tx) => {
      await tx.updatePractice({ requireTwoFactor: body.required });
      await this.audit.append(tx.scope, {
        practiceId: auth.practiceId,
        actorUserId: auth.userId,
        deviceId: auth.deviceId,
        action: body.required ? 'practice.two_factor_enabled' : 'practice.two_factor_disabled',
        targetId: auth.practiceId,
      });
      return { required: body.required };
    });
  }

  alarms(auth: AuthContext): Promise<accounts.AlarmView[]> {
    return this.store.inPractice(auth.practiceId, async (tx) =>
      (await tx.alarms()).map((a) => ({ ...a, createdAt: a.createdAt.toISOString() })),
    );
  }
}
