import { useState } from 'react';
import { saveConfirmedMember } from '../../device/pinned-keys';
import { useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useAsyncAction } from '../../session/use-async-action';
import { Button } from '../../ui/button';
import { CheckboxField } from '../../ui/checkbox-field';
import { ErrorAlert } from '../../ui/error-alert';

/**
 * The key hand-over: shows the member's fingerprint (computed here from the keys the server
 * lists); only after the primary confirms it matches the colleague's screen does this device seal
 * the practice key to the member (the SDK recomputes and compares the fingerprint before sending).
 */
export function HandOverPanel({
  userId,
  username,
  fingerprint,
  onGranted,
}: {
  readonly userId: string;
  readonly username: string;
  readonly fingerprint: string;
  readonly onGranted: () => void;
}) {
  const t = useT();
  const session = useSession();
  const [matches, setMatches] = useState(false);
  const grant = useAsyncAction(async () => {
    await session.grantPracticeKey(userId, fingerprint);
    await saveConfirmedMember(session.practiceId, userId, fingerprint);
    onGranted();
  });
  return (
    <div className="hand-over" data-testid="hand-over">
      <p>{t('users.handOverExplain', { username })}</p>
      <p className="fingerprint" data-testid="member-fingerprint">
        {fingerprint}
      </p>
      <CheckboxField label={t('users.fingerprintMatches')} checked={matches} onChecked={setMatches} />
      <ErrorAlert error={grant.error} />
      <div className="actions">
        <Button
          disabled={!matches}
          busy={grant.busy}
          onClick={() => {
            void grant.run();
          }}
        >
          {t('users.handOver')}
        </Button>
      </div>
    </div>
  );
}
