import { useT } from '../../i18n/i18n';
import { CopyableField } from '../../ui/copyable-field';

/** A one-time token or a command line, selectable, with a copy button. */
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
  return (
    <CopyableField
      label={label}
      value={value}
      copyLabel={copyLabel}
      copiedLabel={t('backup.copied')}
      testId={testId}
    />
  );
}
