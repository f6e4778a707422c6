import { recoverAccount } from '@tresor/sdk';
import { type SubmitEvent, useState } from 'react';
import { errorCode } from '../../api/describe-error';
import { tresorClient } from '../../api/tresor-client';
import { useT } from '../../i18n/i18n';
import { Link } from '../../routing/router';
import { useAsyncAction } from '../../session/use-async-action';
import { Button } from '../../ui/button';
import { ErrorAlert } from '../../ui/error-alert';
import { PageHeading } from '../../ui/page-heading';
import { TextField } from '../../ui/text-field';
import { NewPasswordFields } from '../practice/credential-fields';
import { newPasswordProblem } from '../practice/password-rules';
import { RecoveredPanel } from './recovered-panel';
import { RecoveryCodeField } from './recovery-code-field';
import { recoveryCodeProblem } from './recovery-code-format';

/**
 * A forgotten password: the recovery code unwraps the user key on this device and proves itself
 * to the server, which takes the new password and ends every session of the account. A failure
 * keeps all input. A wrong name and a wrong code get the same message: the server answers both
 * alike, so the screen does not tell whether an account exists.
 */
export function RecoverAccountPage() {
  const t = useT();
  const [username, setUsername] = useState(
    () => new URLSearchParams(window.location.search).get('user') ?? '',
  );
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [repeated, setRepeated] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [recovered, setRecovered] = useState<string | undefined>(undefined);

  const recover = useAsyncAction(async () => {
    await recoverAccount(tresorClient.http, { username, recoveryCode: code, newPassword: password });
    setRecovered(username.trim().toLowerCase());
  });

  if (recovered !== undefined) {
    return (
      <>
        {/* Keyed: a new heading takes the focus, so the outcome is where keyboard and reader are. */}
        <PageHeading key="recovered">{t('recoverAccount.doneTitle')}</PageHeading>
        <RecoveredPanel username={recovered} />
      </>
    );
  }

  const nameProblem = username.trim() === '' ? t('form.required') : undefined;
  const codeProblem = recoveryCodeProblem(code);
  const passwordProblem = newPasswordProblem(password, repeated);
  const failed = errorCode(recover.error) === 'recovery.failed';
  // The failure speaks of name and code: once either is corrected it no longer applies.
  const edited = (set: (value: string) => void) => (value: string) => {
    set(value);
    if (failed) recover.clearError();
  };
  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (nameProblem !== undefined || codeProblem !== undefined || passwordProblem !== undefined) return;
    void recover.run();
  };

  return (
    <>
      <PageHeading intro={t('recoverAccount.intro')}>{t('recoverAccount.title')}</PageHeading>
      <form className="card form" onSubmit={onSubmit} noValidate>
        <TextField
          label={t('form.username')}
          value={username}
          onValue={edited(setUsername)}
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          problem={submitted ? nameProblem : undefined}
        />
        <RecoveryCodeField
          value={code}
          onValue={edited(setCode)}
          problem={submitted && codeProblem !== undefined ? t(codeProblem) : undefined}
        />
        <NewPasswordFields
          label={t('recoverAccount.newPassword')}
          password={password}
          repeated={repeated}
          onPassword={setPassword}
          onRepeated={setRepeated}
          problem={submitted && passwordProblem !== undefined ? t(passwordProblem) : undefined}
        />
        {failed ? (
          <div className="alert alert--error" role="alert" data-error-code="recovery.failed">
            <p>{t('recoverAccount.failed')}</p>
          </div>
        ) : (
          <ErrorAlert error={recover.error} />
        )}
        <div className="actions">
          <Button type="submit" busy={recover.busy}>
            {recover.busy ? t('recoverAccount.working') : t('recoverAccount.submit')}
          </Button>
        </div>
        <p className="form__aside">
          {t('recoverAccount.remembered')}{' '}
          <Link to={username.trim() === '' ? '/login' : `/login?user=${encodeURIComponent(username.trim())}`}>
            {t('recoverAccount.signIn')}
          </Link>
        </p>
      </form>
    </>
  );
}
