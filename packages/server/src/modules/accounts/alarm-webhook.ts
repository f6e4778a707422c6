import type { FastifyBaseLogger } from 'fastify';
import type { AlarmNotifier } from './audit-recorder.js';

/** Posts alarms as JSON to an operator's webhook; failures are logged, never block a login. */
export class WebhookAlarmNotifier implements AlarmNotifier {
  constructor(
    private readonly url: string | undefined,
    private readonly logger: FastifyBaseLogger,
  ) {}

  notify(alarm: { practiceId: string; userId: string | undefined; kind: string; detail: string }): void {
    this.logger.warn({ alarm: { practiceId: alarm.practiceId, kind: alarm.kind } }, 'security alarm raised');
    if (this.url === undefined) return;
    fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'tresor.security_alarm', ...alarm, at: new Date().toISOString() }),
      signal: AbortSignal.timeout(5000),
    }).catch((error: unknown) => {
      this.logger.error({ err: error }, 'alarm webhook failed');
    });
  }
}
