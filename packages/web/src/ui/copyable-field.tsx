import { useId, useState } from 'react';
import { Button } from './button';

/** A read-only, selectable value with a copy button (an invite link, a one-time token, a command). */
export function CopyableField({
  label,
  value,
  copyLabel,
  copiedLabel,
  hint,
  testId,
}: {
  readonly label: string;
  readonly value: string;
  readonly copyLabel: string;
  readonly copiedLabel: string;
  readonly hint?: string;
  readonly testId: string;
}) {
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
      {hint === undefined ? null : <p className="field__hint">{hint}</p>}
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
          {copied ? copiedLabel : copyLabel}
        </Button>
      </div>
    </div>
  );
}
