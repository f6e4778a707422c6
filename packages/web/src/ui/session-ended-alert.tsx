import { useState } from 'react';
import { useT } from '../i18n/i18n';
import { useSessionState } from '../session/session-context';
import { Button } from './button';

/**
 * The server ended the session before something was saved. The screen (and what was typed) stays:
 * the user can copy the input, then chooses when to sign in again.
 */
export function SessionEndedAlert({ copyText }: { readonly copyText?: (() => string) | undefined }) {
  const t = useT();
  const { signOut } = useSessionState();
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <div className="alert alert--error stack" role="alert" data-error-code="auth.unauthenticated">
      <p>
        <strong>{t('session.endedTitle')}</strong>
      </p>
      <p>{t('session.endedInputKept')}</p>
      <div className="actions">
        {copyText !== undefined && (
          <Button
            variant="secondary"
            onClick={() => {
              navigator.clipboard.writeText(copyText()).then(
                () => {
                  setCopy('copied');
                },
                () => {
                  setCopy('failed');
                },
              );
            }}
          >
            {t(copy === 'copied' ? 'session.endedCopied' : 'session.endedCopy')}
          </Button>
        )}
        <Button
          onClick={() => {
            signOut('session.expiredNotice');
          }}
        >
          {t('session.endedSignIn')}
        </Button>
      </div>
      {copy === 'failed' && <p>{t('session.endedCopyFailed')}</p>}
    </div>
  );
}
