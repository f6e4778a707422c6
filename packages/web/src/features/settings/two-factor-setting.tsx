import { useState } from 'react';
import { useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useAsyncAction } from '../../session/use-async-action';
import { Button } from '../../ui/button';
import { CheckboxField } from '../../ui/checkbox-field';
import { ErrorAlert, Notice } from '../../ui/error-alert';

/** Primary users: require two-factor login, or stop requiring it after an explicit confirmation. */
export function TwoFactorSetting() {
  const t = useT();
  const session = useSession();
  const [required, setRequired] = useState(session.info.practice.requireTwoFactor);
  const [understood, setUnderstood] = useState(false);
  const change = useAsyncAction(async (next: boolean) => {
    const result = await session.setTwoFactorRequired(next);
    setRequired(result.required);
    setUnderstood(false);
  });
  return (
    <section className="card stack" aria-labelledby="two-factor-title">
      <h2 id="two-factor-title" className="card__title">
        {t('settings.twoFactorTitle')}
      </h2>
      <Notice tone={required ? 'ok' : 'warning'}>
        {required ? t('settings.twoFactorOn') : t('settings.twoFactorOff')}
      </Notice>
      <ErrorAlert error={change.error} />
      {required ? (
        <>
          <p>{t('settings.twoFactorDisableExplain')}</p>
          <CheckboxField
            label={t('settings.twoFactorConfirm')}
            checked={understood}
            onChecked={setUnderstood}
          />
          <div className="actions">
            <Button
              variant="danger"
              disabled={!understood}
              busy={change.busy}
              onClick={() => {
                void change.run(false);
              }}
            >
              {t('settings.twoFactorDisable')}
            </Button>
          </div>
        </>
      ) : (
        <div className="actions">
          <Button
            busy={change.busy}
            onClick={() => {
              void change.run(true);
            }}
          >
            {t('settings.twoFactorEnable')}
          </Button>
        </div>
      )}
    </section>
  );
}
