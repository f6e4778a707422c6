import { useT } from '../../i18n/i18n';
import { CopyableField } from '../../ui/copyable-field';

/** The invite link in a read-only field with a copy button. */
export function CopyableLink({ link }: { readonly link: string }) {
  const t = useT();
  return (
    <CopyableField
      label={t('users.inviteLink')}
      value={link}
      hint={t('users.inviteLinkHint')}
      copyLabel={t('users.copy')}
      copiedLabel={t('users.copied')}
      testId="invite-link"
    />
  );
}
