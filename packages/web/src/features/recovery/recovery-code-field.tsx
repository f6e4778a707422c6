import { useT } from '../../i18n/i18n';
import { TextField } from '../../ui/text-field';

/**
 * The recovery code as typed from the emergency sheet: monospace, so 0/O and 1/I/L are told
 * apart, and never remembered, autocompleted or spell-checked by the browser.
 */
export function RecoveryCodeField(props: {
  readonly value: string;
  readonly onValue: (value: string) => void;
  readonly problem: string | undefined;
}) {
  const t = useT();
  return (
    <TextField
      label={t('recoverAccount.code')}
      className="field__input field__input--mono"
      value={props.value}
      onValue={props.onValue}
      autoComplete="off"
      autoCapitalize="characters"
      autoCorrect="off"
      spellCheck={false}
      required
      maxLength={256}
      hint={t('recoverAccount.codeHint')}
      problem={props.problem}
    />
  );
}
