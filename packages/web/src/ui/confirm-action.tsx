import { useEffect, useId, useRef, useState } from 'react';
import { useT } from '../i18n/i18n';
import { useAsyncAction } from '../session/use-async-action';
import { Button } from './button';
import { ErrorAlert } from './error-alert';

/**
 * A destructive action behind a second, explicit click. Focus moves into the question when it
 * opens (so it is read out) and back to the first button when it closes (Cancel, Escape, or done).
 */
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
  const questionId = useId();
  const [asking, setAsking] = useState(false);
  const run = useAsyncAction(action);
  const trigger = useRef<HTMLButtonElement>(null);
  const group = useRef<HTMLDivElement>(null);
  // Only after the question was open: the first render must not steal focus.
  const opened = useRef(false);

  useEffect(() => {
    if (asking) {
      opened.current = true;
      group.current?.focus();
    } else if (opened.current) {
      opened.current = false;
      // Still there unless the action removed this item; then the page keeps its focus handling.
      trigger.current?.focus();
    }
  }, [asking]);

  if (!asking) {
    return (
      <Button
        ref={trigger}
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
    <div
      className="confirm"
      role="group"
      aria-labelledby={questionId}
      tabIndex={-1}
      ref={group}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && !run.busy) {
          event.stopPropagation();
          setAsking(false);
        }
      }}
    >
      <p id={questionId}>{question}</p>
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
