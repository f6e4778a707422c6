import { useT } from '../../i18n/i18n';
import { Button } from '../../ui/button';

/** The invitee's own fingerprint, to compare with the one on the inviting primary's screen. */
export function OwnFingerprintPanel({
  fingerprint,
  onSignIn,
}: {
  readonly fingerprint: string;
  readonly onSignIn?: () => void;
}) {
  const t = useT();
  return (
    <section className="card" aria-labelledby="own-fingerprint-title">
      <h2 id="own-fingerprint-title" className="card__title">
        {t('invite.fingerprintTitle')}
      </h2>
      <p>{t('invite.fingerprintExplain')}</p>
      <p className="fingerprint" data-testid="own-fingerprint">
        {fingerprint}
      </p>
      <p>{t('invite.waitForGrant')}</p>
      {onSignIn !== undefined && (
        <div className="actions">
          <Button onClick={onSignIn}>{t('invite.signIn')}</Button>
        </div>
      )}
    </section>
  );
}
