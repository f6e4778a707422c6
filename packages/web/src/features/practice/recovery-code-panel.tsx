import { useId, useState } from 'react';
import { useT } from '../../i18n/i18n';
import { Button } from '../../ui/button';
import { CheckboxField } from '../../ui/checkbox-field';

/**
 * The recovery code, shown once in readable groups, printable as an emergency kit. Continuing
 * needs the explicit confirmation that it is stored.
 */
export function RecoveryCodePanel({
  code,
  practiceName,
  username,
  onStored,
}: {
  readonly code: string;
  readonly practiceName: string;
  readonly username: string;
  readonly onStored: () => void;
}) {
  const t = useT();
  const headingId = useId();
  const [stored, setStored] = useState(false);
  const groups = code.split('-');
  return (
    <section className="card recovery print-area" aria-labelledby={headingId}>
      <h2 id={headingId} className="card__title">
        {t('recovery.heading')}
      </h2>
      <p>{t('recovery.explain')}</p>
      <dl className="recovery__facts">
        <div>
          <dt>{t('recovery.practice')}</dt>
          <dd>{practiceName}</dd>
        </div>
        <div>
          <dt>{t('recovery.username')}</dt>
          <dd>{username}</dd>
        </div>
      </dl>
      {/* Named by a heading (for screen-reader navigation), not by aria-label: a <p> cannot be named. */}
      <h3 className="visually-hidden">{t('recovery.codeLabel')}</h3>
      <p className="recovery__code" data-testid="recovery-code">
        {groups.map((group, index) => (
          <span key={index} className="recovery__group">
            {group}
          </span>
        ))}
      </p>
      <p className="recovery__warning">{t('recovery.warning')}</p>
      <div className="actions no-print">
        <Button
          variant="secondary"
          onClick={() => {
            window.print();
          }}
        >
          {t('recovery.print')}
        </Button>
      </div>
      <div className="no-print stack">
        <CheckboxField label={t('recovery.confirmStored')} checked={stored} onChecked={setStored} />
        <Button disabled={!stored} onClick={onStored}>
          {t('recovery.continue')}
        </Button>
      </div>
    </section>
  );
}
