import type { DocumentInfo } from '@tresor/sdk';
import { useState } from 'react';
import { useLocale, useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useAsyncAction } from '../../session/use-async-action';
import { Button } from '../../ui/button';
import { ErrorAlert, Notice } from '../../ui/error-alert';
import { formatBytes, formatDateTime } from '../../ui/format';
import { canStreamToDisk, chooseSaveTarget, saveStream, STREAM_TO_DISK_FROM } from './save-download';

/**
 * One document: download decrypted on this device. Large files stream to a file the user picks
 * (File System Access API); where the browser lacks it, they are assembled in memory, with a warning.
 */
export function DocumentRow({ document }: { readonly document: DocumentInfo }) {
  const t = useT();
  const { localeTag } = useLocale();
  const session = useSession();
  const [received, setReceived] = useState<number | undefined>(undefined);
  const download = useAsyncAction(async () => {
    // Ask for the file first: the picker needs the click's user gesture.
    const target = await chooseSaveTarget(document.name, document.size);
    setReceived(0);
    const { info, stream } = await session.records.downloadDocument(document.id, {
      onProgress: (bytes) => {
        setReceived(bytes);
      },
    });
    await saveStream(target, stream, info.name, info.type);
  });
  const large = document.size >= STREAM_TO_DISK_FROM;
  return (
    <li className="document-row" data-testid="document" data-name={document.name}>
      <span className="document-row__name">{document.name}</span>
      <span className="document-row__meta">
        {formatBytes(document.size, localeTag)} · {formatDateTime(document.createdAt, localeTag)}
      </span>
      {download.busy && received !== undefined && (
        <span role="status">{t('patients.downloading', { received: formatBytes(received, localeTag) })}</span>
      )}
      <Button
        variant="secondary"
        busy={download.busy}
        aria-label={t('patients.downloadNamed', { name: document.name })}
        onClick={() => {
          void download.run();
        }}
      >
        {t('patients.download')}
      </Button>
      {large && !canStreamToDisk() && <Notice tone="warning">{t('patients.largeDownloadInMemory')}</Notice>}
      <ErrorAlert error={download.error} />
    </li>
  );
}
