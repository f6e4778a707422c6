import { useState } from 'react';
import { loadRememberedAudit, saveRememberedAudit } from '../../device/pinned-keys';
import { useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useAsyncAction } from '../../session/use-async-action';
import { Button } from '../../ui/button';
import { ErrorAlert } from '../../ui/error-alert';
import { auditProblemLabel } from './audit-labels';

type Verification = Awaited<ReturnType<ReturnType<typeof useSession>['verifyAuditTrail']>>;

/**
 * "Verify": downloads the whole trail and checks, on this device, the hash chain, every signed
 * checkpoint, and consistency with the checkpoint (and server key) this device accepted last time.
 */
export function AuditVerifyPanel() {
  const t = useT();
  const session = useSession();
  const [result, setResult] = useState<Verification | undefined>(undefined);
  const verify = useAsyncAction(async () => {
    // A result from an earlier run must not stand next to this run's failure.
    setResult(undefined);
    const remembered = await loadRememberedAudit(session.practiceId);
    const outcome = await session.verifyAuditTrail(remembered ?? {});
    if (outcome.ok && outcome.checkpoint !== null) {
      await saveRememberedAudit(session.practiceId, {
        remembered: outcome.checkpoint,
        pinnedServerKey: outcome.serverKey,
      });
    }
    setResult(outcome);
  });
  return (
    <section className="card" aria-labelledby="verify-title">
      <h2 id="verify-title" className="card__title">
        {t('audit.verifyTitle')}
      </h2>
      <p>{t('audit.verifyExplain')}</p>
      <div className="actions">
        <Button
          busy={verify.busy}
          onClick={() => {
            void verify.run();
          }}
        >
          {verify.busy ? t('audit.verifying') : t('audit.verify')}
        </Button>
      </div>
      <ErrorAlert error={verify.error} />
      <div role="status" aria-live="polite" data-testid="audit-result">
        {result?.ok === true && (
          <div className="alert alert--ok" data-result="ok">
            <p>
              <strong>{t('audit.ok')}</strong>
            </p>
            <p>
              {t('audit.okDetail', { entries: result.treeSize, checkpoints: result.checkpointsVerified })}
            </p>
          </div>
        )}
        {result?.ok === false && (
          <div className="alert alert--error" data-result="failed">
            <p>
              <strong>{t('audit.failed')}</strong>
            </p>
            <ul>
              {result.problems.map((problem) => (
                <li key={`${problem.kind}-${problem.seq}`} data-problem={problem.kind}>
                  {auditProblemLabel(problem.kind, t)} · {t('audit.problemAt', { seq: problem.seq })}
                  <br />
                  <span className="alert__detail">
                    {t('audit.problemDetail')} <span lang="en">{problem.detail}</span>
                  </span>
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </section>
  );
}
