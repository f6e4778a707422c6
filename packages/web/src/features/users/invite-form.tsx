import { type SubmitEvent, useState } from 'react';
import { useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useAsyncAction } from '../../session/use-async-action';
import { Button } from '../../ui/button';
import { ErrorAlert } from '../../ui/error-alert';
import { SelectField } from '../../ui/select-field';
import { CopyableLink } from './copyable-link';

type Role = 'primary' | 'secondary';
type Validity = '24' | '72' | '168';

/** Primary users: creates a one-time invite link to hand to a colleague out of band. */
export function InviteForm({ onCreated }: { readonly onCreated: () => void }) {
  const t = useT();
  const session = useSession();
  const [role, setRole] = useState<Role>('secondary');
  const [validity, setValidity] = useState<Validity>('72');
  const [link, setLink] = useState<string | undefined>(undefined);

  const create = useAsyncAction(async () => {
    const invite = await session.createInvite({
      role,
      validForHours: Number(validity),
      linkBase: `${window.location.origin}/invite`,
    });
    setLink(invite.link);
    onCreated();
  });

  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    void create.run();
  };
  return (
    <form className="card form" onSubmit={onSubmit} aria-labelledby="invite-title">
      <h2 id="invite-title" className="card__title">
        {t('users.inviteTitle')}
      </h2>
      <p>{t('users.inviteExplain')}</p>
      <div className="form__row">
        <SelectField
          label={t('users.role')}
          value={role}
          onValue={setRole}
          options={[
            { value: 'secondary', label: t('role.secondary') },
            { value: 'primary', label: t('role.primary') },
          ]}
        />
        <SelectField
          label={t('users.validity')}
          value={validity}
          onValue={setValidity}
          options={[
            { value: '24', label: t('users.validHours', { hours: 24 }) },
            { value: '72', label: t('users.validHours', { hours: 72 }) },
            { value: '168', label: t('users.validHours', { hours: 168 }) },
          ]}
        />
      </div>
      <ErrorAlert error={create.error} />
      <div className="actions">
        <Button type="submit" busy={create.busy}>
          {t('users.createInvite')}
        </Button>
      </div>
      {link !== undefined && <CopyableLink link={link} />}
    </form>
  );
}
