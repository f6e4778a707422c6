import { useT } from '../../i18n/i18n';
import { TextField } from '../../ui/text-field';
import { MIN_PASSWORD_LENGTH } from './password-rules';

/** The login name a new user chooses, with its rules as hint. */
export function UsernameField(props: {
  readonly value: string;
  readonly onValue: (value: string) => void;
  readonly problem: string | undefined;
}) {
  const t = useT();
  return (
    <TextField
      label={t('form.username')}
      value={props.value}
      onValue={props.onValue}
      autoComplete="username"
      autoCapitalize="none"
      spellCheck={false}
      required
      hint={t('form.usernameHint')}
      problem={props.problem}
    />
  );
}

/** A new password and its repetition; the problem (e.g. too short, not equal) shows under the second. */
export function NewPasswordFields(props: {
  readonly password: string;
  readonly repeated: string;
  readonly onPassword: (value: string) => void;
  readonly onRepeated: (value: string) => void;
  readonly problem: string | undefined;
  /** Label of the first field; "Password" unless given. */
  readonly label?: string;
}) {
  const t = useT();
  return (
    <>
      <TextField
        label={props.label ?? t('form.password')}
        type="password"
        value={props.password}
        onValue={props.onPassword}
        autoComplete="new-password"
        required
        hint={t('form.passwordHint', { min: MIN_PASSWORD_LENGTH })}
      />
      <TextField
        label={t('form.passwordRepeat')}
        type="password"
        value={props.repeated}
        onValue={props.onRepeated}
        autoComplete="new-password"
        required
        problem={props.problem}
      />
    </>
  );
}
