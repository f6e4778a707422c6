import { type SubmitEvent, useState } from 'react';
import { errorCode } from '../../api/describe-error';
import { useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useAsyncAction } from '../../session/use-async-action';
import { Button } from '../../ui/button';
import { ErrorAlert, Notice } from '../../ui/error-alert';
import { TextField } from '../../ui/text-field';
import { NewPasswordFields } from '../practice/credential-fields';
import { newPasswordProblem } from '../practice/password-rules';

/**
 * New password, after proving the current one (a fresh OPAQUE login; no password leaves this
 * device): OPAQUE re-registered and the user key re-wrapped on this device; other sessions end.
 */
export function ChangePasswordForm() {
  const t = useT();
  const session = useSession();
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [repeated, setRepeated] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [done, setDone] = useState(false);
  const change = useAsyncAction(async () => {
    await session.changePassword(current, password);
    setCurrent('');
    setPassword('');
    setRepeated('');
    setSubmitted(false);
    setDone(true);
  });
  const problem = newPasswordProblem(password, repeated);
  const currentMissing = current === '';
  const currentProblem = submitted && currentMissing ? t('settings.currentPasswordMissing') : undefined;
  // A wrong current password gets its own message (not the login's "name or password"); what
  // was typed stays, so it can be corrected.
  const currentWrong = errorCode(change.error) === 'auth.login_failed';
  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    setSubmitted(true);
    setDone(false);
    if (!currentMissing && problem === undefined) void change.run();
  };
  return (
    <form className="card form" onSubmit={onSubmit} noValidate aria-labelledby="password-title">
      <h2 id="password-title" className="card__title">
        {t('settings.passwordTitle')}
      </h2>
      <p>{t('settings.passwordExplain')}</p>
      <TextField
        label={t('settings.currentPassword')}
        type="password"
        value={current}
        onValue={(value) => {
          setCurrent(value);
          if (currentWrong) change.clearError();
        }}
        autoComplete="current-password"
        required
        problem={currentProblem}
        aria-invalid={currentWrong || currentProblem !== undefined ? true : undefined}
      />
      <NewPasswordFields
        label={t('settings.newPassword')}
        password={password}
        repeated={repeated}
        onPassword={setPassword}
        onRepeated={setRepeated}
        problem={submitted && problem !== undefined ? t(problem) : undefined}
      />
      {currentWrong ? (
        <div className="alert alert--error" role="alert" data-error-code="auth.login_failed">
          <p>{t('settings.currentPasswordWrong')}</p>
        </div>
      ) : (
        <ErrorAlert error={change.error} />
      )}
      {done && <Notice tone="ok">{t('settings.passwordChanged')}</Notice>}
      <div className="actions">
        <Button type="submit" busy={change.busy}>
          {t('settings.changePassword')}
        </Button>
      </div>
    </form>
  );
}
