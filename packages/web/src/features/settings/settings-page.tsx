import { useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { PageHeading } from '../../ui/page-heading';
import { PasskeysSection } from '../passkeys/passkeys-section';
import { ChangePasswordForm } from './change-password-form';
import { TwoFactorSetting } from './two-factor-setting';

/** Own password and passkeys; for primary users also the practice's two-factor requirement. */
export function SettingsPage() {
  const t = useT();
  const session = useSession();
  return (
    <>
      <PageHeading intro={t('settings.intro')}>{t('settings.title')}</PageHeading>
      <ChangePasswordForm />
      <PasskeysSection />
      {session.info.user.role === 'primary' && <TwoFactorSetting />}
    </>
  );
}
