import { type SubmitEvent, useState } from 'react';
import { useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useAsyncAction } from '../../session/use-async-action';
import { Button } from '../../ui/button';
import { ErrorAlert } from '../../ui/error-alert';
import { SelectField } from '../../ui/select-field';
import { TextField } from '../../ui/text-field';
import { credentialKinds, kindLabels } from './credential-kinds';
import { OneTimeToken } from './one-time-token';

type Kind = (typeof credentialKinds)[number];

/** Primary users: creates a backup credential and shows its token once. */
export function CreateCredentialForm({ onCreated }: { readonly onCreated: () => void }) {
  const t = useT();
  const session = useSession();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<Kind>('agent');
  const [created, setCreated] = useState<{ name: string; token: string } | undefined>(undefined);
  const create = useAsyncAction(async (chosen: string) => {
    const { credential, token } = await session.createBackupCredential(chosen, kind);
    setCreated({ name: credential.name, token });
    setName('');
    onCreated();
  });

  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    const chosen = name.trim();
    if (chosen === '') return;
    setCreated(undefined);
    void create.run(chosen);
  };

  return (
    <>
      <form className="card form" onSubmit={onSubmit} aria-labelledby="backup-create-title">
        <h2 id="backup-create-title" className="card__title">
          {t('backup.createTitle')}
        </h2>
        <div className="form__row">
          <TextField
            label={t('backup.name')}
            hint={t('backup.nameHint')}
            value={name}
            onValue={setName}
            maxLength={200}
            required
          />
          <SelectField
            label={t('backup.kind')}
            value={kind}
            onValue={setKind}
            options={credentialKinds.map((value) => ({ value, label: t(kindLabels[value]) }))}
          />
        </div>
        <ErrorAlert error={create.error} />
        <div className="actions">
          <Button type="submit" busy={create.busy}>
            {t('backup.create')}
          </Button>
        </div>
      </form>
      {created !== undefined && (
        <OneTimeToken
          name={created.name}
          token={created.token}
          onDone={() => {
            setCreated(undefined);
          }}
        />
      )}
    </>
  );
}
