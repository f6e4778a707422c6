import { type SubmitEvent, useState } from 'react';
import { useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useAsyncAction } from '../../session/use-async-action';
import { Button } from '../../ui/button';
import { ErrorAlert, Notice } from '../../ui/error-alert';
import { NewPasswordFields } from '../practice/credential-fields';
import { newPasswordProblem } from '../practice/password-rules';

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
      <NewPasswordFields
        label={t('settings.newPassword')}
        password={password}
        repeated={repeated}
        onPassword={setPassword}
        onRepeated={setRepeated}
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
