import { PeriodicJob } from '../../platform/jobs/periodic-job.js';
import type { MaintenanceService, PracticeMaintenance } from './maintenance.service.js';

/** The part of a pino logger the job uses. */
export interface JobLogger {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface MaintenanceJobOptions {
  readonly logger: JobLogger;
  /** Every practice's id (the accounts module knows them). */
  readonly practiceIds: () => Promise<string[]>;
  /** Time between passes (default one day). */
  readonly intervalMs?: number;
  /** Delay of the first pass after start, so startup stays quick (default one minute). */
  readonly firstRunAfterMs?: number;
}

export interface MaintenanceSummary {
  readonly practices: number;
  readonly expiredRecords: number;
  readonly abandonedUploads: number;
  readonly failedPractices: number;
}

/**
 * Runs the records maintenance for every practice on a timer (daily by default). Passes never
 * overlap; one practice failing is logged and does not stop the others.
 */
export class MaintenanceJob {
  readonly #job: PeriodicJob<MaintenanceSummary>;

  constructor(
    private readonly service: MaintenanceService,
    private readonly options: MaintenanceJobOptions,
  ) {
    this.#job = new PeriodicJob({
      pass: (stopped) => this.#pass(stopped),
      logger: options.logger,
      failureMessage: 'records maintenance failed',
      firstRunAfterMs: options.firstRunAfterMs ?? 60_000,
      intervalMs: options.intervalMs ?? 24 * 60 * 60 * 1000,
    });
  }

  start(): void {
    this.#job.start();
  }

  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void> {
    return this.#job.stop();
  }

  /** One pass over every practice now (after any pass in progress). */
  runOnce(): Promise<MaintenanceSummary> {
    return this.#job.runOnce();
  }

  async #pass(stopped: () => boolean): Promise<MaintenanceSummary> {
    const results: PracticeMaintenance[] = [];
    let failedPractices = 0;
    for (const practiceId of await this.options.practiceIds()) {
      if (stopped()) break;
      try {
        results.push(await this.service.run(practiceId));
      } catch (error) {
        failedPractices++;
        this.options.logger.error({ err: error, practiceId }, 'records maintenance failed for a practice');
      }
    }
    const summary: MaintenanceSummary = {
      practices: results.length,
      expiredRecords: results.reduce((sum, r) => sum + r.expiredRecords.length, 0),
      abandonedUploads: results.reduce((sum, r) => sum + r.abandonedUploads.length, 0),
      failedPractices,
    };
    for (const result of results.filter(
      (r) => r.expiredRecords.length > 0 || r.abandonedUploads.length > 0,
    )) {
      this.options.logger.info(
        {
          practiceId: result.practiceId,
          expiredRecords: result.expiredRecords.length,
          abandonedUploads: result.abandonedUploads.length,
        },
        'records maintenance: retention ended or uploads abandoned',
      );
    }
    this.options.logger.info({ ...summary }, 'records maintenance pass done');
    return summary;
  }
}
