import { useId, useState } from 'react';
import { useT } from '../../i18n/i18n';
import { Button } from '../../ui/button';

/** A read-only, selectable value with a copy button (a one-time token, a command line). */
export function CopyableSecret({
  label,
  value,
  copyLabel,
  testId,
}: {
  readonly label: string;
  readonly value: string;
  readonly copyLabel: string;
  readonly testId: string;
}) {
  const t = useT();
  const id = useId();
  const [copied, setCopied] = useState(false);
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        className="field__input field__input--mono"
        readOnly
        value={value}
        data-testid={testId}
        spellCheck={false}
        autoComplete="off"
        onFocus={(event) => {
          event.target.select();
        }}
      />
      <div className="actions">
        <Button
          variant="secondary"
          onClick={() => {
            navigator.clipboard.writeText(value).then(
              () => {
                setCopied(true);
              },
              () => {
                setCopied(false);
              },
            );
          }}
        >
          {copied ? t('backup.copied') : copyLabel}
        </Button>
      </div>
    </div>
  );
}
