import { createPractice } from '@tresor/sdk';
import { type SubmitEvent, useState } from 'react';
import { tresorClient } from '../../api/tresor-client';
import { deviceKeyStoreFor } from '../../device/indexeddb-device-key-store';
import { useT } from '../../i18n/i18n';
import { useLeaveGuard, useRouter } from '../../routing/router';
import { useAsyncAction } from '../../session/use-async-action';
import { Button } from '../../ui/button';
import { ErrorAlert } from '../../ui/error-alert';
import { PageHeading } from '../../ui/page-heading';
import { TextField } from '../../ui/text-field';
import { defaultDeviceName, newPasswordProblem, usernameProblem } from './password-rules';
import { NewPasswordFields, UsernameField } from './credential-fields';
import { RecoveryCodePanel } from './recovery-code-panel';

interface Created {
  readonly practiceName: string;
  readonly username: string;
  readonly recoveryCode: string;
}

/** Creates a practice and its first (primary) user on this device, then shows the recovery code once. */
export function CreatePracticePage() {
  const t = useT();
  const { navigate } = useRouter();
  const [practiceName, setPracticeName] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [repeated, setRepeated] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [created, setCreated] = useState<Created | undefined>(undefined);
  // The code is shown only now: leaving before confirming it is stored asks first.
  useLeaveGuard(created === undefined ? undefined : t('recovery.leaveQuestion'));

  const create = useAsyncAction(async () => {
    const result = await createPractice(tresorClient.http, {
      practiceName: practiceName.trim(),
      username,
      password,
      deviceName: defaultDeviceName(),
      devices: deviceKeyStoreFor(username),
    });
    setCreated({
      practiceName: practiceName.trim(),
      username: username.trim().toLowerCase(),
      recoveryCode: result.recoveryCode,
    });
  });

  if (created !== undefined) {
    return (
      <>
        <PageHeading intro={t('createPractice.createdIntro')}>{t('createPractice.createdTitle')}</PageHeading>
        <RecoveryCodePanel
          code={created.recoveryCode}
          practiceName={created.practiceName}
          username={created.username}
          onStored={() => {
            navigate(`/login?user=${encodeURIComponent(created.username)}`, { force: true });
          }}
        />
      </>
    );
  }

  const nameProblem = practiceName.trim() === '' ? t('form.required') : undefined;
  const userProblem = usernameProblem(username);
  const passwordProblem = newPasswordProblem(password, repeated);
  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (nameProblem !== undefined || userProblem !== undefined || passwordProblem !== undefined) return;
    void create.run();
  };

  return (
    <>
      <PageHeading intro={t('createPractice.intro')}>{t('createPractice.title')}</PageHeading>
      <form className="card form" onSubmit={onSubmit} noValidate>
        <TextField
          label={t('createPractice.practiceName')}
          value={practiceName}
          onValue={setPracticeName}
          autoComplete="organization"
          required
          maxLength={200}
          problem={submitted ? nameProblem : undefined}
        />
        <UsernameField
          value={username}
          onValue={setUsername}
          problem={submitted && userProblem !== undefined ? t(userProblem) : undefined}
        />
        <NewPasswordFields
          password={password}
          repeated={repeated}
          onPassword={setPassword}
          onRepeated={setRepeated}
          problem={submitted && passwordProblem !== undefined ? t(passwordProblem) : undefined}
        />
        <ErrorAlert error={create.error} />
        <div className="actions">
          <Button type="submit" busy={create.busy}>
            {create.busy ? t('createPractice.creating') : t('createPractice.submit')}
          </Button>
        </div>
      </form>
    </>
  );
}
