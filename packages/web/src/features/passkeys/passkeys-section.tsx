import { type SubmitEvent, useCallback, useState } from 'react';
import { useLocale, useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useAsyncAction } from '../../session/use-async-action';
import { useLoaded } from '../../session/use-loaded';
import { Button } from '../../ui/button';
import { ConfirmAction } from '../../ui/confirm-action';
import { ErrorAlert, Notice } from '../../ui/error-alert';
import { formatDateTime } from '../../ui/format';
import { TextField } from '../../ui/text-field';
import { createPasskey, passkeysSupported } from './webauthn';

/** Own passkeys: an alternative to the 6-digit code at sign-in. List, add, remove. */
export function PasskeysSection() {
  const t = useT();
  const { localeTag } = useLocale();
  const session = useSession();
  const load = useCallback(async () => (await session.passkeys()).passkeys, [session]);
  const { state, reload } = useLoaded(load);
  const [name, setName] = useState('');
  const [added, setAdded] = useState<string | undefined>(undefined);
  const add = useAsyncAction(async (chosen: string) => {
    const passkey = await session.addPasskey(chosen, createPasskey);
    setAdded(passkey.name);
    setName('');
    reload();
  });
  const supported = passkeysSupported();

  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    const chosen = name.trim();
    if (chosen === '') return;
    setAdded(undefined);
    void add.run(chosen);
  };

  return (
    <section className="card stack" aria-labelledby="passkeys-title" data-testid="passkeys">
      <h2 id="passkeys-title" className="card__title">
        {t('passkeys.title')}
      </h2>
      <p>{t('passkeys.explain')}</p>
      {state.kind === 'failed' && <ErrorAlert error={state.error} />}
      {state.kind === 'loading' && <p role="status">{t('common.loading')}</p>}
      {state.kind === 'loaded' &&
        (state.value.length === 0 ? (
          <p>{t('passkeys.none')}</p>
        ) : (
          <ul className="card-list" aria-label={t('passkeys.listLabel')}>
            {state.value.map((passkey) => (
              <li key={passkey.id} className="card stack" aria-label={passkey.name}>
                <h3 className="member__name">{passkey.name}</h3>
                <p>
                  {t('passkeys.created', { when: formatDateTime(passkey.createdAt, localeTag) })}
                  {' · '}
                  {passkey.lastUsedAt === null
                    ? t('passkeys.neverUsed')
                    : t('passkeys.lastUsed', { when: formatDateTime(passkey.lastUsedAt, localeTag) })}
                </p>
                <div className="actions">
                  <ConfirmAction
                    label={t('passkeys.remove')}
                    question={t('passkeys.removeQuestion', { name: passkey.name })}
                    confirmLabel={t('passkeys.removeConfirm')}
                    action={async () => {
                      await session.removePasskey(passkey.id);
                      reload();
                    }}
                  />
                </div>
              </li>
            ))}
          </ul>
        ))}
      {added !== undefined && <Notice tone="ok">{t('passkeys.added', { name: added })}</Notice>}
      {supported ? (
        <form className="form" onSubmit={onSubmit}>
          <TextField
            label={t('passkeys.name')}
            hint={t('passkeys.nameHint')}
            value={name}
            onValue={setName}
            maxLength={200}
            required
          />
          <ErrorAlert error={add.error} />
          <div className="actions">
            <Button type="submit" busy={add.busy}>
              {t('passkeys.add')}
            </Button>
          </div>
        </form>
      ) : (
        <Notice tone="warning">{t('passkeys.unsupported')}</Notice>
      )}
    </section>
  );
}
