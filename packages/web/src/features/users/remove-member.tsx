import { useState } from 'react';
import { forgetMember, loadConfirmedMembers } from '../../device/pinned-keys';
import { useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useAsyncAction } from '../../session/use-async-action';
import { Button } from '../../ui/button';
import { ErrorAlert, Notice } from '../../ui/error-alert';

/**
 * Removing a user, after a confirmation step: the server ends their access at once, then this
 * device rotates the practice key for everyone else. Members whose fingerprints this device
 * confirmed earlier are pinned for the rotation when all recipients are known here. The removed
 * user is never among them: this device forgets their fingerprint and pinned key first (even if
 * the removal then fails: trusting them again takes a new confirmation, never the server's word).
 */
export function RemoveMember({
  userId,
  username,
  otherMemberIds,
  onRemoved,
}: {
  readonly userId: string;
  readonly username: string;
  /** Active members other than the removed one and this user, who will get the new key. */
  readonly otherMemberIds: readonly string[];
  readonly onRemoved: (pkVersion: number) => void;
}) {
  const t = useT();
  const session = useSession();
  const [confirming, setConfirming] = useState(false);
  const [rotated, setRotated] = useState<number | undefined>(undefined);
  const remove = useAsyncAction(async () => {
    const confirmed = await loadConfirmedMembers(session.practiceId);
    const others = new Map([...confirmed].filter(([id]) => id !== userId));
    const allKnown = otherMemberIds.every((id) => others.has(id));
    await forgetMember(session.practiceId, session.info.user.username, userId);
    const result = await session.removeUser(userId, allKnown ? { trustedMembers: others } : {});
    setRotated(result.rotation.pkVersion);
    onRemoved(result.rotation.pkVersion);
  });
  if (rotated !== undefined) {
    return <Notice tone="ok">{t('users.removed', { username, version: rotated })}</Notice>;
  }
  if (!confirming) {
    return (
      <Button
        variant="danger"
        onClick={() => {
          setConfirming(true);
        }}
      >
        {t('users.remove')}
      </Button>
    );
  }
  return (
    <div className="confirm" role="group" aria-label={t('users.removeConfirmLabel', { username })}>
      <p>{t('users.removeConfirm', { username })}</p>
      <ErrorAlert error={remove.error} />
      <div className="actions">
        <Button
          variant="danger"
          busy={remove.busy}
          onClick={() => {
            void remove.run();
          }}
        >
          {t('users.removeNow')}
        </Button>
        <Button
          variant="secondary"
          onClick={() => {
            setConfirming(false);
          }}
        >
          {t('common.cancel')}
        </Button>
      </div>
    </div>
  );
}
