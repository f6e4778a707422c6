import { useCallback, useEffect, useState } from 'react';
import { isSessionGone } from '../../api/describe-error';
import { loadTrustedGranters } from '../../device/pinned-keys';
import { useT } from '../../i18n/i18n';
import { useSession, useSessionState } from '../../session/session-context';
import { ErrorAlert, Notice } from '../../ui/error-alert';
import { PageHeading } from '../../ui/page-heading';
import { OwnFingerprintPanel } from '../invite/own-fingerprint-panel';
import { UntrustedGrantsBanner } from '../trust/untrusted-grants-banner';

const POLL_MS = 4000;

/**
 * Signed in, but no practice key opened yet: shows the own fingerprint for the comparison and
 * watches the member list until a primary has granted the key; then re-reads the key material in
 * this session (no new sign-in). A grant from a primary not trusted yet asks for the comparison.
 * A failed check is shown (and retried); a session the server ended signs out with that notice.
 */
export function AwaitingHandOverPage() {
  const t = useT();
  const session = useSession();
  const { keysChanged, sessionGone } = useSessionState();
  const [fingerprint, setFingerprint] = useState<string | undefined>(undefined);
  const [granted, setGranted] = useState(false);
  const [failure, setFailure] = useState<unknown>(undefined);
  const [pollFailure, setPollFailure] = useState<unknown>(undefined);

  useEffect(() => {
    void session.fingerprint().then(setFingerprint);
  }, [session]);

  const check = useCallback(async () => {
    const { members, currentPkVersion } = await session.members();
    const own = members.find((member) => member.userId === session.userId);
    return own?.keyVersions.includes(currentPkVersion) === true;
  }, [session]);

  useEffect(() => {
    if (granted) return;
    const timer = window.setInterval(() => {
      check().then(
        (done) => {
          setPollFailure(undefined);
          setGranted(done);
        },
        (error: unknown) => {
          if (isSessionGone(error)) sessionGone();
          else setPollFailure(error);
        },
      );
    }, POLL_MS);
    return () => {
      window.clearInterval(timer);
    };
  }, [check, granted, sessionGone]);

  useEffect(() => {
    if (!granted) return;
    let current = true;
    // The pins from the invite link on this device are a fallback to the user's stored list.
    loadTrustedGranters(session.info.user.username)
      .then((pins) => session.refreshKeys(pins))
      .then(
        () => {
          if (current) keysChanged();
        },
        (error: unknown) => {
          if (!current) return;
          if (isSessionGone(error)) sessionGone();
          setFailure(error);
        },
      );
    return () => {
      current = false;
    };
  }, [granted, session, keysChanged, sessionGone]);

  const waitingForTrust = granted && session.untrustedGrants.length > 0;
  return (
    <>
      <PageHeading intro={t('handOver.waitingIntro')}>{t('handOver.waitingTitle')}</PageHeading>
      <UntrustedGrantsBanner />
      <ErrorAlert error={failure ?? pollFailure} />
      {granted && !waitingForTrust && failure === undefined && (
        <Notice tone="ok">{t('handOver.unlocking')}</Notice>
      )}
      {fingerprint !== undefined && <OwnFingerprintPanel fingerprint={fingerprint} />}
    </>
  );
}
