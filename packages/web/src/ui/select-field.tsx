import { useId } from 'react';

export interface SelectOption<V extends string> {
  readonly value: V;
  readonly label: string;
}

/** A labelled native select. */
export function SelectField<V extends string>({
  label,
  value,
  options,
  onValue,
  disabled,
}: {
  readonly label: string;
  readonly value: V;
  readonly options: readonly SelectOption<V>[];
  readonly onValue: (value: V) => void;
  readonly disabled?: boolean;
}) {
  const id = useId();
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <select
        id={id}
        className="field__input"
        value={value}
        disabled={disabled}
        onChange={(event) => {
          const chosen = options.find((option) => option.value === event.target.value);
          if (chosen !== undefined) onValue(chosen.value);
        }}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}
