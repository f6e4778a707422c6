import { useT } from '../../i18n/i18n';
import { Link } from '../../routing/router';
import { PageHeading } from '../../ui/page-heading';

export function NotFoundPage() {
  const t = useT();
  return (
    <>
      <PageHeading intro={t('notFound.intro')}>{t('notFound.title')}</PageHeading>
      <p>
        <Link to="/">{t('notFound.home')}</Link>
      </p>
    </>
  );
}
