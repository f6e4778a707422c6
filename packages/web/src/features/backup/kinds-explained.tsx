import { useT } from '../../i18n/i18n';
import { credentialKinds, kindExplanations, kindLabels } from './credential-kinds';

/** What each kind of credential may do and where it belongs, in plain words. */
export function KindsExplained() {
  const t = useT();
  return (
    <section className="card stack" aria-labelledby="backup-kinds-title">
      <h2 id="backup-kinds-title" className="card__title">
        {t('backup.kindsTitle')}
      </h2>
      <dl className="facts">
        {credentialKinds.map((kind) => (
          <div key={kind}>
            <dt>{t(kindLabels[kind])}</dt>
            <dd>{t(kindExplanations[kind])}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
