import { useEffect, useId, useRef, useState } from 'react';
import { useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useAsyncAction } from '../../session/use-async-action';
import { Button } from '../../ui/button';
import { CheckboxField } from '../../ui/checkbox-field';
import { ErrorAlert } from '../../ui/error-alert';

/**
 * A modal dialog: the colleague's fingerprint (as the server lists their keys, computed here), to
 * be compared with the one on the colleague's own screen; only after an explicit confirmation is
 * the colleague trusted and the locked key versions opened.
 */
export function TrustGranterDialog({
  granterUserId,
  username,
  fingerprint,
  signingPublicKey,
  onTrusted,
}: {
  readonly granterUserId: string;
  readonly username: string;
  readonly fingerprint: string;
  readonly signingPublicKey: string;
  readonly onTrusted: () => void;
}) {
  const t = useT();
  const session = useSession();
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [open, setOpen] = useState(false);
  const [matches, setMatches] = useState(false);
  const trust = useAsyncAction(async () => {
    await session.trustGranter(granterUserId, signingPublicKey);
  });

  useEffect(() => {
    const element = dialog.current;
    if (element === null) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);

  const close = () => {
    setOpen(false);
    setMatches(false);
    trust.clearError();
  };

  return (
    <>
      <div className="actions">
        <Button
          onClick={() => {
            setOpen(true);
          }}
        >
          {t('trust.compare')}
        </Button>
      </div>
      <dialog ref={dialog} className="dialog" aria-labelledby={titleId} onClose={close}>
        <div className="stack">
          <h2 id={titleId} className="card__title">
            {t('trust.dialogTitle', { name: username })}
          </h2>
          <p>{t('trust.dialogExplain', { name: username })}</p>
          <h3 className="visually-hidden">{t('common.fingerprint')}</h3>
          <p className="fingerprint" data-testid="granter-fingerprint">
            {fingerprint}
          </p>
          <p>{t('trust.dialogWarning', { name: username })}</p>
          <CheckboxField label={t('trust.matches')} checked={matches} onChecked={setMatches} />
          <ErrorAlert error={trust.error} />
          <div className="actions">
            <Button
              disabled={!matches}
              busy={trust.busy}
              onClick={() => {
                void trust.run().then((ok) => {
                  if (!ok) return;
                  setOpen(false);
                  onTrusted();
                });
              }}
            >
              {t('trust.confirm')}
            </Button>
            <Button variant="secondary" onClick={close}>
              {t('common.cancel')}
            </Button>
          </div>
        </div>
      </dialog>
    </>
  );
}
