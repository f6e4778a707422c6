import type { passkeys } from '@tresor/sdk/contract';
import type { SecondFactorPrompt } from '@tresor/sdk';
import { type SubmitEvent, useState } from 'react';
import { useT } from '../../i18n/i18n';
import { Button } from '../../ui/button';
import { TextField } from '../../ui/text-field';
import { passkeysSupported } from '../passkeys/webauthn';
import { QrCode } from './qr-code';

/**
 * Asks for the 6-digit code; at the first login shows the QR code and the secret to set up the
 * app; offers the user's passkeys when there are any. Asked again after a wrong answer, it says so
 * (the enrolment, if any, stays the same).
 */
export function SecondFactorForm({
  prompt,
  onCode,
  onPasskey,
  passkeyBusy,
  onCancel,
}: {
  readonly prompt: SecondFactorPrompt;
  readonly onCode: (code: string) => void;
  readonly onPasskey: (options: passkeys.PasskeyRequestOptions) => void;
  readonly passkeyBusy: boolean;
  readonly onCancel: () => void;
}) {
  const t = useT();
  const [code, setCode] = useState('');
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const passkeyOptions = prompt.kind === 'totp' && passkeysSupported() ? prompt.passkeyOptions : undefined;
  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    const digits = code.replace(/\s/g, '');
    if (!/^\d{6}$/.test(digits)) {
      setProblem(t('login.codeInvalidFormat'));
      return;
    }
    onCode(digits);
  };
  return (
    <form className="card form" onSubmit={onSubmit} noValidate>
      {prompt.kind === 'totp_enrolment' ? (
        <section className="enrolment" aria-labelledby="enrolment-title">
          <h2 id="enrolment-title" className="card__title">
            {t('login.enrolTitle')}
          </h2>
          <p>{t('login.enrolExplain')}</p>
          <QrCode text={prompt.uri} label={t('login.qrLabel')} />
          <p>{t('login.enrolSecretLabel')}</p>
          <p className="enrolment__secret">
            <code data-testid="totp-secret">{prompt.secret}</code>
          </p>
        </section>
      ) : (
        <h2 className="card__title">{t('login.codeTitle')}</h2>
      )}
      {prompt.retry !== undefined && (
        <div className="alert alert--error" role="alert" data-error-code={prompt.retry.code}>
          <p>
            {prompt.retry.code === 'auth.passkey_invalid' ? t('login.retryPasskey') : t('login.retryTotp')}
          </p>
        </div>
      )}
      <TextField
        label={t('login.code')}
        value={code}
        onValue={(value) => {
          setCode(value);
          setProblem(undefined);
        }}
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern="[0-9]*"
        maxLength={7}
        required
        autoFocus
        hint={t('login.codeHint')}
        problem={problem}
      />
      <div className="actions">
        <Button type="submit">{t('login.confirmCode')}</Button>
        {passkeyOptions !== undefined && (
          <Button
            variant="secondary"
            busy={passkeyBusy}
            aria-describedby="passkey-or"
            onClick={() => {
              onPasskey(passkeyOptions);
            }}
          >
            {t('login.usePasskey')}
          </Button>
        )}
        <Button variant="secondary" onClick={onCancel}>
          {t('common.cancel')}
        </Button>
      </div>
      {passkeyOptions !== undefined && (
        <p id="passkey-or" className="form__aside">
          {t('login.passkeyOr')}
        </p>
      )}
    </form>
  );
}
