import { useT } from '../i18n/i18n';

export function SiteFooter() {
  const t = useT();
  return (
    <footer className="site-footer">
      <div className="site-footer__inner">
        <p>{t('app.footerNote')}</p>
        <a href="/api/docs">{t('app.apiDocs')}</a>
      </div>
    </footer>
  );
}
