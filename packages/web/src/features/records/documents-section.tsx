import { useCallback } from 'react';
import { useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useLoaded } from '../../session/use-loaded';
import { ErrorAlert } from '../../ui/error-alert';
import { DocumentRow } from './document-row';
import { DocumentUpload } from './document-upload';
import { PendingUploads } from './pending-uploads';

/** Documents of a patient: upload with progress, resume interrupted uploads, download decrypted here. */
export function DocumentsSection({ patientId }: { readonly patientId: string }) {
  const t = useT();
  const session = useSession();
  const load = useCallback(async () => {
    const [documents, pending] = await Promise.all([
      session.records.listDocuments(patientId),
      session.records.pendingUploads(patientId),
    ]);
    return { documents, pending };
  }, [session, patientId]);
  const { state, reload } = useLoaded(load);
  return (
    <section className="card stack" aria-labelledby="documents-title">
      <h2 id="documents-title" className="card__title">
        {t('patients.documents')}
      </h2>
      <DocumentUpload patientId={patientId} onUploaded={reload} onInterrupted={reload} />
      {state.kind === 'failed' && <ErrorAlert error={state.error} />}
      {state.kind === 'loaded' && <PendingUploads uploads={state.value.pending} onResumed={reload} />}
      {state.kind === 'loaded' && state.value.documents.length === 0 && <p>{t('patients.noDocuments')}</p>}
      {state.kind === 'loaded' && state.value.documents.length > 0 && (
        <ul className="card-list" data-testid="documents">
          {state.value.documents.map((document) => (
            <DocumentRow key={document.id} document={document} />
          ))}
        </ul>
      )}
    </section>
  );
}
