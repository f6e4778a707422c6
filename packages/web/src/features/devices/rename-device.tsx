import { type SubmitEvent, useState } from 'react';
import { useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useAsyncAction } from '../../session/use-async-action';
import { Button } from '../../ui/button';
import { ErrorAlert } from '../../ui/error-alert';
import { TextField } from '../../ui/text-field';

/** Renames a device (a button that opens a small form). */
export function RenameDevice({
  deviceId,
  name,
  onRenamed,
}: {
  readonly deviceId: string;
  readonly name: string;
  readonly onRenamed: () => void;
}) {
  const t = useT();
  const session = useSession();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(name);
  const rename = useAsyncAction(async () => {
    await session.renameDevice(deviceId, value.trim());
    setEditing(false);
    onRenamed();
  });
  if (!editing) {
    return (
      <Button
        variant="secondary"
        onClick={() => {
          setEditing(true);
        }}
      >
        {t('devices.rename')}
      </Button>
    );
  }
  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    if (value.trim() !== '') void rename.run();
  };
  return (
    <form className="inline-form" onSubmit={onSubmit}>
      <TextField
        label={t('devices.newName')}
        value={value}
        onValue={setValue}
        maxLength={200}
        required
        autoFocus
      />
      <ErrorAlert error={rename.error} />
      <div className="actions">
        <Button type="submit" busy={rename.busy}>
          {t('common.save')}
        </Button>
        <Button
          variant="secondary"
          onClick={() => {
            setEditing(false);
          }}
        >
          {t('common.cancel')}
        </Button>
      </div>
    </form>
  );
}
