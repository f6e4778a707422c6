import { type ChangeEvent, useId, useRef, useState } from 'react';
import { useLocale, useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useAsyncAction } from '../../session/use-async-action';
import { Button } from '../../ui/button';
import { ErrorAlert } from '../../ui/error-alert';
import { formatBytes } from '../../ui/format';

interface Progress {
  readonly sent: number;
  readonly total: number;
}

/** Picks a file and uploads it encrypted in chunks while reading it, with progress and cancel. */
export function DocumentUpload({
  patientId,
  onUploaded,
  onInterrupted,
}: {
  readonly patientId: string;
  readonly onUploaded: () => void;
  /** A started upload failed or was cancelled: it is now listed as pending, to be resumed. */
  readonly onInterrupted: () => void;
}) {
  const t = useT();
  const { localeTag } = useLocale();
  const session = useSession();
  const inputId = useId();
  const [file, setFile] = useState<File | undefined>(undefined);
  const [progress, setProgress] = useState<Progress | undefined>(undefined);
  const abort = useRef<AbortController | undefined>(undefined);
  const upload = useAsyncAction(async (chosen: File) => {
    const controller = new AbortController();
    abort.current = controller;
    setProgress({ sent: 0, total: chosen.size });
    try {
      await session.records.uploadDocument(patientId, chosen, {
        signal: controller.signal,
        onProgress: (sent, total) => {
          setProgress({ sent, total });
        },
      });
      setFile(undefined);
      onUploaded();
    } catch (error) {
      onInterrupted();
      throw error;
    } finally {
      abort.current = undefined;
    }
  });
  const onChoose = (event: ChangeEvent<HTMLInputElement>) => {
    setFile(event.target.files?.[0]);
    setProgress(undefined);
    upload.clearError();
  };
  const percent =
    progress === undefined || progress.total === 0 ? 0 : Math.round((progress.sent / progress.total) * 100);
  return (
    <div className="stack">
      <div className="field">
        <label className="field__label" htmlFor={inputId}>
          {t('patients.chooseFile')}
        </label>
        <input id={inputId} type="file" className="field__input" onChange={onChoose} />
      </div>
      {progress !== undefined && (
        <div className="upload-progress">
          <progress max={100} value={percent} aria-label={t('patients.uploadProgress')} />
          <span role="status" data-testid="upload-progress">
            {t('patients.uploaded', {
              percent,
              sent: formatBytes(progress.sent, localeTag),
              total: formatBytes(progress.total, localeTag),
            })}
          </span>
        </div>
      )}
      <ErrorAlert error={upload.error} />
      <div className="actions">
        <Button
          disabled={file === undefined}
          busy={upload.busy}
          onClick={() => {
            if (file !== undefined) void upload.run(file);
          }}
        >
          {t('patients.upload')}
        </Button>
        {upload.busy && (
          <Button
            variant="secondary"
            onClick={() => {
              abort.current?.abort();
            }}
          >
            {t('common.cancel')}
          </Button>
        )}
      </div>
    </div>
  );
}
