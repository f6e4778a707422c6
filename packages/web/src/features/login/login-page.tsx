import type { AccountSession } from '@tresor/sdk';
import { type SubmitEvent, useCallback, useState } from 'react';
import { useT } from '../../i18n/i18n';
import { Link, useRouter } from '../../routing/router';
import { useSessionState } from '../../session/session-context';
import { Button } from '../../ui/button';
import { ErrorAlert, Notice } from '../../ui/error-alert';
import { PageHeading } from '../../ui/page-heading';
import { TextField } from '../../ui/text-field';
import { DevicePendingPanel } from './device-pending-panel';
import { SecondFactorForm } from './second-factor-form';
import { useLoginFlow } from './use-login-flow';

/** Sign-in (also the unlock screen after an idle lock): password, second factor, device approval. */
export function LoginPage() {
  const t = useT();
  const { navigate } = useRouter();
  const { state, signIn } = useSessionState();
  const [username, setUsername] = useState(
    () =>
      (state.kind === 'locked' ? state.username : undefined) ??
      new URLSearchParams(window.location.search).get('user') ??
      '',
  );
  const [password, setPassword] = useState('');

  const onSignedIn = useCallback(
    (session: AccountSession) => {
      signIn(session);
      navigate('/patients', { replace: true });
    },
    [navigate, signIn],
  );
  const flow = useLoginFlow(onSignedIn);
  const notice =
    state.kind === 'locked' ? state.notice : state.kind === 'signed-out' ? state.notice : undefined;

  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    if (username.trim() === '' || password === '') return;
    const typed = password;
    setPassword('');
    void flow.start(username, typed);
  };

  return (
    <>
      <PageHeading intro={t('login.intro')}>
        {state.kind === 'locked' ? t('login.unlockTitle') : t('login.title')}
      </PageHeading>
      {notice !== undefined && <Notice tone="warning">{t(notice)}</Notice>}
      <ErrorAlert error={flow.error} />
      {flow.step.kind === 'second-factor' && (
        <SecondFactorForm
          key={flow.step.round}
          prompt={flow.step.prompt}
          onCode={flow.submitCode}
          onPasskey={(options) => {
            void flow.submitPasskey(options);
          }}
          passkeyBusy={flow.passkeyBusy}
          onCancel={flow.cancel}
        />
      )}
      {flow.step.kind === 'device-pending' && (
        <DevicePendingPanel
          fingerprint={flow.step.fingerprint}
          deviceName={flow.step.deviceName}
          onRetry={flow.retry}
          onCancel={flow.cancel}
        />
      )}
      {flow.step.kind === 'working' && (
        <p className="card" role="status">
          {t('login.working')}
        </p>
      )}
      {flow.step.kind === 'credentials' && (
        <form className="card form" onSubmit={onSubmit}>
          <TextField
            label={t('form.username')}
            value={username}
            onValue={setUsername}
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
          />
          <TextField
            label={t('form.password')}
            type="password"
            value={password}
            onValue={setPassword}
            autoComplete="current-password"
            required
          />
          <div className="actions">
            <Button type="submit">{t('login.submit')}</Button>
          </div>
          <p className="form__aside">
            {t('login.forgotPassword')}{' '}
            <Link
              to={
                username.trim() === '' ? '/recover' : `/recover?user=${encodeURIComponent(username.trim())}`
              }
            >
              {t('login.useRecoveryCode')}
            </Link>
          </p>
          <p className="form__aside">
            {t('login.noPractice')} <Link to="/create-practice">{t('login.createPractice')}</Link>
          </p>
        </form>
      )}
    </>
  );
}
