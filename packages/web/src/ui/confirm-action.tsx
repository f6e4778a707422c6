import { useState } from 'react';
import { useT } from '../i18n/i18n';
import { useAsyncAction } from '../session/use-async-action';
import { Button } from './button';
import { ErrorAlert } from './error-alert';

/** A destructive action behind a second, explicit click. */
export function ConfirmAction({
  label,
  question,
  confirmLabel,
  action,
}: {
  readonly label: string;
  readonly question: string;
  readonly confirmLabel: string;
  readonly action: () => Promise<unknown>;
}) {
  const t = useT();
  const [asking, setAsking] = useState(false);
  const run = useAsyncAction(action);
  if (!asking) {
    return (
      <Button
        variant="danger"
        onClick={() => {
          setAsking(true);
        }}
      >
        {label}
      </Button>
    );
  }
  return (
    <div className="confirm" role="group" aria-label={question}>
      <p>{question}</p>
      <ErrorAlert error={run.error} />
      <div className="actions">
        <Button
          variant="danger"
          busy={run.busy}
          onClick={() => {
            void run.run().then((ok) => {
              if (ok) setAsking(false);
            });
          }}
        >
          {confirmLabel}
        </Button>
        <Button
          variant="secondary"
          onClick={() => {
            setAsking(false);
          }}
        >
          {t('common.cancel')}
        </Button>
      </div>
    </div>
  );
}
