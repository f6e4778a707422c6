import { type InputHTMLAttributes, useId } from 'react';

type TextFieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value'> & {
  readonly label: string;
  readonly value: string;
  readonly onValue: (value: string) => void;
  readonly hint?: string;
  /** Shown under the field and linked to it, marking it invalid. */
  readonly problem?: string | undefined;
};

/** A labelled input with an optional hint and problem text, both tied to it for screen readers. */
export function TextField({ label, value, onValue, hint, problem, id, ...rest }: TextFieldProps) {
  const generated = useId();
  const inputId = id ?? generated;
  const hintId = `${inputId}-hint`;
  const problemId = `${inputId}-problem`;
  const describedBy = [hint === undefined ? '' : hintId, problem === undefined ? '' : problemId]
    .filter(Boolean)
    .join(' ');
  return (
    <div className="field">
      <label className="field__label" htmlFor={inputId}>
        {label}
      </label>
      <input
        id={inputId}
        className="field__input"
        value={value}
        onChange={(event) => {
          onValue(event.target.value);
        }}
        aria-invalid={problem === undefined ? undefined : true}
        aria-describedby={describedBy === '' ? undefined : describedBy}
        {...rest}
      />
      {hint !== undefined && (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      )}
      {problem !== undefined && (
        <p id={problemId} className="field__problem">
          {problem}
        </p>
      )}
    </div>
  );
}
