import type { PendingUpload } from '@tresor/sdk';
import { type ChangeEvent, useId, useRef, useState } from 'react';
import { useLocale, useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useAsyncAction } from '../../session/use-async-action';
import { Button } from '../../ui/button';
import { ErrorAlert } from '../../ui/error-alert';
import { formatBytes, formatDateTime } from '../../ui/format';

/**
 * Uploads that were started but not completed (tab closed, network gone): choose the same file
 * again and only the chunks the server lacks are sent.
 */
export function PendingUploads({
  uploads,
  onResumed,
}: {
  readonly uploads: readonly PendingUpload[];
  readonly onResumed: () => void;
}) {
  const t = useT();
  if (uploads.length === 0) return null;
  return (
    <section className="stack" aria-labelledby="pending-uploads-title" data-testid="pending-uploads">
      <h3 id="pending-uploads-title" className="member__name">
        {t('patients.pendingUploadsTitle')}
      </h3>
      <p>{t('patients.pendingUploadsExplain')}</p>
      <ul className="card-list">
        {uploads.map((upload) => (
          <PendingUploadRow key={upload.id} upload={upload} onResumed={onResumed} />
        ))}
      </ul>
    </section>
  );
}

function PendingUploadRow({
  upload,
  onResumed,
}: {
  readonly upload: PendingUpload;
  readonly onResumed: () => void;
}) {
  const t = useT();
  const { localeTag } = useLocale();
  const session = useSession();
  const inputId = useId();
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [sent, setSent] = useState<number | undefined>(undefined);
  const abort = useRef<AbortController | undefined>(undefined);
  const resume = useAsyncAction(async (file: File) => {
    const controller = new AbortController();
    abort.current = controller;
    try {
      await session.records.resumeUpload(upload.id, file, {
        signal: controller.signal,
        onProgress: (bytes) => {
          setSent(bytes);
        },
      });
      onResumed();
    } finally {
      abort.current = undefined;
    }
  });
  const onChoose = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (file === undefined) return;
    if (file.size !== upload.size) {
      setProblem(t('patients.resumeWrongFile', { name: upload.name }));
      return;
    }
    setProblem(undefined);
    void resume.run(file);
  };
  const have = upload.receivedChunks.length;
  return (
    <li className="document-row" data-testid="pending-upload" data-name={upload.name}>
      <span className="document-row__name">{upload.name}</span>
      <span className="document-row__meta">
        {formatBytes(upload.size, localeTag)} · {formatDateTime(upload.createdAt, localeTag)} ·{' '}
        {t('patients.pendingChunks', { have, total: upload.chunkCount })}
      </span>
      {resume.busy && sent !== undefined && (
        <span role="status">
          {t('patients.resuming', {
            sent: formatBytes(sent, localeTag),
            total: formatBytes(upload.size, localeTag),
          })}
        </span>
      )}
      <div className="field">
        <label className="field__label" htmlFor={inputId}>
          {t('patients.resumeChoose', { name: upload.name })}
        </label>
        <input
          id={inputId}
          type="file"
          className="field__input"
          onChange={onChoose}
          disabled={resume.busy}
          aria-invalid={problem === undefined ? undefined : true}
          aria-describedby={problem === undefined ? undefined : `${inputId}-problem`}
        />
        {problem !== undefined && (
          <p id={`${inputId}-problem`} className="field__problem">
            {problem}
          </p>
        )}
      </div>
      {resume.busy && (
        <Button
          variant="secondary"
          onClick={() => {
            abort.current?.abort();
          }}
        >
          {t('common.cancel')}
        </Button>
      )}
      <ErrorAlert error={resume.error} />
    </li>
  );
}
