import { useState } from 'react';
import { useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useAsyncAction } from '../../session/use-async-action';
import { Button } from '../../ui/button';
import { CheckboxField } from '../../ui/checkbox-field';
import { ErrorAlert } from '../../ui/error-alert';

/** Approving a pending device, after confirming its fingerprint matches the one on its screen. */
export function ApproveDevice({
  deviceId,
  onApproved,
}: {
  readonly deviceId: string;
  readonly onApproved: () => void;
}) {
  const t = useT();
  const session = useSession();
  const [matches, setMatches] = useState(false);
  const approve = useAsyncAction(async () => {
    await session.approveDevice(deviceId);
    onApproved();
  });
  return (
    <div className="stack">
      <CheckboxField label={t('devices.fingerprintMatches')} checked={matches} onChecked={setMatches} />
      <ErrorAlert error={approve.error} />
      <div className="actions">
        <Button
          disabled={!matches}
          busy={approve.busy}
          onClick={() => {
            void approve.run();
          }}
        >
          {t('devices.approve')}
        </Button>
      </div>
    </div>
  );
}
