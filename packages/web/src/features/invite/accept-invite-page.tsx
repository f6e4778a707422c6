import { acceptInvite, type AcceptedInvite, type InviteLink, parseInviteLink } from '@tresor/sdk';
import { type SubmitEvent, useState } from 'react';
import { tresorClient } from '../../api/tresor-client';
import { deviceKeyStoreFor } from '../../device/indexeddb-device-key-store';
import { saveTrustedGranters } from '../../device/pinned-keys';
import { useT } from '../../i18n/i18n';
import { useLeaveGuard, useRouter } from '../../routing/router';
import { useAsyncAction } from '../../session/use-async-action';
import { Button } from '../../ui/button';
import { ErrorAlert, Notice } from '../../ui/error-alert';
import { PageHeading } from '../../ui/page-heading';
import { defaultDeviceName, newPasswordProblem, usernameProblem } from '../practice/password-rules';
import { NewPasswordFields, UsernameField } from '../practice/credential-fields';
import { RecoveryCodePanel } from '../practice/recovery-code-panel';
import { OwnFingerprintPanel } from './own-fingerprint-panel';

function readInvite(): { link: string; invite: InviteLink } | { error: unknown } {
  try {
    return { link: window.location.href, invite: parseInviteLink(window.location.hash) };
  } catch (error) {
    return { error };
  }
}

interface Joined {
  readonly username: string;
  readonly accepted: AcceptedInvite;
  readonly recoveryStored: boolean;
}

/**
 * Joining a practice from an invite link: the invitee's own credentials and keys are made here,
 * the recovery code shown once, then the fingerprint to compare with the inviting colleague.
 */
export function AcceptInvitePage() {
  const t = useT();
  const { navigate } = useRouter();
  const [parsed] = useState(readInvite);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [repeated, setRepeated] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [joined, setJoined] = useState<Joined | undefined>(undefined);
  const [pinsNotSaved, setPinsNotSaved] = useState(false);
  // The recovery code is shown only now: leaving before confirming it is stored asks first.
  useLeaveGuard(joined !== undefined && !joined.recoveryStored ? t('recovery.leaveQuestion') : undefined);

  const accept = useAsyncAction(async (link: string) => {
    const accepted = await acceptInvite(tresorClient.http, {
      link,
      username,
      password,
      deviceName: defaultDeviceName(),
      devices: deviceKeyStoreFor(username),
    });
    // The one-time token has done its job; keep it out of the browser history from here on.
    window.history.replaceState(null, '', '/invite');
    // The account exists now: show its recovery code before anything else can fail.
    setJoined({ username: username.trim().toLowerCase(), accepted, recoveryStored: false });
    // Remembering the inviting colleague's key only spares the fingerprint comparison at the
    // hand-over, so it is best effort: without it the hand-over asks to compare and trust.
    try {
      await saveTrustedGranters(username, accepted.trustedGranters);
    } catch {
      setPinsNotSaved(true);
    }
  });
  const pinsWarning = pinsNotSaved && <Notice tone="warning">{t('invite.pinsNotSaved')}</Notice>;

  if ('error' in parsed) {
    return (
      <>
        <PageHeading>{t('invite.title')}</PageHeading>
        <ErrorAlert error={parsed.error} />
      </>
    );
  }
  if (joined !== undefined && !joined.recoveryStored) {
    return (
      <>
        <PageHeading intro={t('invite.joinedIntro')}>{t('invite.joinedTitle')}</PageHeading>
        {pinsWarning}
        <RecoveryCodePanel
          code={joined.accepted.recoveryCode}
          practiceName={t('invite.practiceUnnamed')}
          username={joined.username}
          onStored={() => {
            setJoined({ ...joined, recoveryStored: true });
          }}
        />
      </>
    );
  }
  if (joined !== undefined) {
    return (
      <>
        <PageHeading>{t('invite.compareTitle')}</PageHeading>
        {pinsWarning}
        <OwnFingerprintPanel
          fingerprint={joined.accepted.fingerprint}
          onSignIn={() => {
            navigate(`/login?user=${encodeURIComponent(joined.username)}`);
          }}
        />
      </>
    );
  }

  const userProblem = usernameProblem(username);
  const passwordProblem = newPasswordProblem(password, repeated);
  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (userProblem !== undefined || passwordProblem !== undefined) return;
    void accept.run(parsed.link);
  };
  return (
    <>
      <PageHeading intro={t('invite.intro')}>{t('invite.title')}</PageHeading>
      <form className="card form" onSubmit={onSubmit} noValidate>
        <UsernameField
          value={username}
          onValue={setUsername}
          problem={submitted && userProblem !== undefined ? t(userProblem) : undefined}
        />
        <NewPasswordFields
          password={password}
          repeated={repeated}
          onPassword={setPassword}
          onRepeated={setRepeated}
          problem={submitted && passwordProblem !== undefined ? t(passwordProblem) : undefined}
        />
        <ErrorAlert error={accept.error} />
        <div className="actions">
          <Button type="submit" busy={accept.busy}>
            {accept.busy ? t('invite.joining') : t('invite.submit')}
          </Button>
        </div>
      </form>
    </>
  );
}
