import { type SubmitEvent, useState } from 'react';
import { useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useAsyncAction } from '../../session/use-async-action';
import { Button } from '../../ui/button';
import { ErrorAlert, Notice } from '../../ui/error-alert';
import { TextField } from '../../ui/text-field';
import { MIN_PASSWORD_LENGTH, newPasswordProblem } from '../practice/password-rules';

/** New password: OPAQUE re-registered and the user key re-wrapped on this device; other sessions end. */
export function ChangePasswordForm() {
  const t = useT();
  const session = useSession();
  const [password, setPassword] = useState('');
  const [repeated, setRepeated] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [done, setDone] = useState(false);
  const change = useAsyncAction(async () => {
    await session.changePassword(password);
    setPassword('');
    setRepeated('');
    setSubmitted(false);
    setDone(true);
  });
  const problem = newPasswordProblem(password, repeated);
  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    setSubmitted(true);
    setDone(false);
    if (problem === undefined) void change.run();
  };
  return (
    <form className="card form" onSubmit={onSubmit} noValidate aria-labelledby="password-title">
      <h2 id="password-title" className="card__title">
        {t('settings.passwordTitle')}
      </h2>
      <p>{t('settings.passwordExplain')}</p>
      <TextField
        label={t('settings.newPassword')}
        type="password"
        value={password}
        onValue={setPassword}
        autoComplete="new-password"
        hint={t('form.passwordHint', { min: MIN_PASSWORD_LENGTH })}
      />
      <TextField
        label={t('form.passwordRepeat')}
        type="password"
        value={repeated}
        onValue={setRepeated}
        autoComplete="new-password"
        problem={submitted && problem !== undefined ? t(problem) : undefined}
      />
      <ErrorAlert error={change.error} />
      {done && <Notice tone="ok">{t('settings.passwordChanged')}</Notice>}
      <div className="actions">
        <Button type="submit" busy={change.busy}>
          {t('settings.changePassword')}
        </Button>
      </div>
    </form>
  );
}
