import { useId, useState } from 'react';
import { useT } from '../../i18n/i18n';
import { Button } from '../../ui/button';

/** The invite link in a read-only field with a copy button. */
export function CopyableLink({ link }: { readonly link: string }) {
  const t = useT();
  const id = useId();
  const [copied, setCopied] = useState(false);
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {t('users.inviteLink')}
      </label>
      <input
        id={id}
        className="field__input field__input--mono"
        readOnly
        value={link}
        data-testid="invite-link"
        onFocus={(event) => {
          event.target.select();
        }}
      />
      <p className="field__hint">{t('users.inviteLinkHint')}</p>
      <div className="actions">
        <Button
          variant="secondary"
          onClick={() => {
            navigator.clipboard.writeText(link).then(
              () => {
                setCopied(true);
              },
              () => {
                setCopied(false);
              },
            );
          }}
        >
          {copied ? t('users.copied') : t('users.copy')}
        </Button>
      </div>
    </div>
  );
}
