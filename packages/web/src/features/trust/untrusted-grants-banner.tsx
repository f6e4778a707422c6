import { useCallback } from 'react';
import { useT } from '../../i18n/i18n';
import { useSession, useSessionState } from '../../session/session-context';
import { useLoaded } from '../../session/use-loaded';
import { ErrorAlert } from '../../ui/error-alert';
import { TrustGranterDialog } from './trust-granter-dialog';

/**
 * Practice-key versions handed over by a colleague this user has not confirmed yet stay locked.
 * One banner per such colleague: compare the fingerprint with the colleague's own screen, then
 * trust them (stored in the user's encrypted list on the server, so every device knows it).
 */
export function UntrustedGrantsBanner() {
  const t = useT();
  const session = useSession();
  const { keysChanged } = useSessionState();
  const grants = session.untrustedGrants;
  const ids = grants.map((grant) => grant.granterUserId).join(',');
  const load = useCallback(
    () =>
      Promise.all(
        (ids === '' ? [] : ids.split(',')).map(async (userId) => ({
          userId,
          ...(await session.granterFingerprint(userId)),
        })),
      ),
    [ids, session],
  );
  const { state } = useLoaded(load);
  const onTrusted = useCallback(() => {
    // Directory entries that did not decrypt before are read again with the newly opened key.
    void session.records
      .directory()
      .then((directory) => {
        if (directory.unreadable.length > 0) directory.clear();
      })
      .catch(() => undefined)
      .finally(keysChanged);
  }, [session, keysChanged]);
  if (grants.length === 0) return null;
  return (
    <div className="stack" data-testid="untrusted-grants">
      {state.kind === 'failed' && <ErrorAlert error={state.error} />}
      {state.kind === 'loaded' &&
        state.value.map((granter) => (
          <section
            key={granter.userId}
            className="alert alert--warning trust-banner"
            aria-labelledby={`trust-${granter.userId}`}
          >
            <h2 id={`trust-${granter.userId}`} className="trust-banner__title">
              {t('trust.bannerTitle', { name: granter.username })}
            </h2>
            <p>{t('trust.bannerExplain', { name: granter.username })}</p>
            <TrustGranterDialog
              granterUserId={granter.userId}
              username={granter.username}
              fingerprint={granter.fingerprint}
              signingPublicKey={granter.signingPublicKey}
              onTrusted={onTrusted}
            />
          </section>
        ))}
    </div>
  );
}
