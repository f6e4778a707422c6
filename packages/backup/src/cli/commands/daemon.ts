import type { Command } from 'commander';
import { nextRun } from '../../daemon/schedule.js';
import { BackupError } from '../../errors.js';
import { type Plan, requirePlan } from '../../plan/plan-file.js';
import { hasAnyRule } from '../../retention/rules.js';
import type { Output } from '../output.js';
import { type CliContext, cloudAccess, globalFlags, openRepository, outputFor } from '../session.js';
import { executeReplicate } from './replicate.js';
import { planPath } from './plan.js';
import { executeForget } from './retention.js';
import { executeRun } from './run.js';

interface DaemonFlags {
  readonly plan?: string;
  readonly host?: string;
  readonly runNow?: boolean;
}

/** Re-checks the clock at least this often while waiting (clock changes, suspend, DST). */
const MAX_WAIT_MS = 60_000;

function log(output: Output, message: string, fields: object = {}): void {
  const time = new Date().toISOString();
  output.text(`${time}  ${message}`);
  output.event('daemon', { time, message, ...fields });
}

function requireSchedule(plan: Plan, file: string): NonNullable<Plan['schedule']> {
  if (!plan.schedule) {
    throw new BackupError(
      'plan.invalid',
      `${file} has no "schedule" (e.g. "schedule": {"times": ["19:00"]})`,
    );
  }
  return plan.schedule;
}

/** Waits until `at` or until `stopped` resolves. @returns false if stopped. */
async function waitUntil(at: Date, stopped: Promise<void>): Promise<boolean> {
  const state = { stop: false };
  void stopped.then(() => {
    state.stop = true;
  });
  while (!state.stop && Date.now() < at.getTime()) {
    const ms = Math.min(MAX_WAIT_MS, at.getTime() - Date.now());
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise((done) => (timer = setTimeout(done, ms))), stopped]);
    clearTimeout(timer);
  }
  return !state.stop;
}

export function registerDaemon(program: Command, context: CliContext): void {
  program
    .command('daemon')
    .description('run the plan on its schedule (e.g. daily at 19:00) until SIGTERM')
    .option('--plan <file>', 'the plan file (default: $TRESOR_BACKUP_PLAN)')
    .option('--host <name>', 'host name recorded in the snapshots (default: this machine)')
    .option('--run-now', 'run once right at start, then follow the schedule')
    .addHelpText(
      'after',
      '\nThe plan\'s "schedule" says when: {"times": ["19:00"], "retention": true} runs every day at\n' +
        '19:00 local time and afterwards applies the plan\'s "retention" (forget, then prune). The plan\n' +
        'is read again before every run, so edits take effect without a restart. A failed run is\n' +
        'logged and the daemon waits for the next time. SIGTERM or SIGINT: a running backup is\n' +
        'finished first (a second signal ends at once; the repository stays consistent either\n' +
        'way), then the exit code is 0. Logs go to stdout (--json: one object per line).\n' +
        'With a cloud (--cloud and an agent token) every run is followed by "replicate".\n' +
        'A systemd unit is in docs/BACKUP_PLAN.md ("Daemon").',
    )
    .action(async (flags: DaemonFlags, command: Command) => {
      const global = globalFlags(command);
      const output = outputFor(context, { ...global, quiet: true });

      // Signals are taken over first: a SIGTERM while the plan is read and the repository opened
      // (the key derivation takes seconds) stops the daemon cleanly too, with exit code 0, instead
      // of the default death by signal (exit code 143). A second signal still ends it at once.
      let stopRequested = (): void => undefined;
      const stopped = new Promise<void>((resolve) => {
        stopRequested = resolve;
      });
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals): void => {
        signals++;
        if (signals > 1) {
          log(output, `${signal} again: stopping at once`);
          process.exit(1);
        }
        log(output, `${signal}: stopping after the current run, if any`);
        stopRequested();
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      try {
        const file = planPath(context, flags);
        /** The last good plan: read and with a schedule. */
        let plan = await requirePlan(file);
        requireSchedule(plan, file);
        const repo = await openRepository(context, global);
        const cloud = cloudAccess(context, global);
        if (signals > 0) {
          log(output, 'stopped');
          return;
        }
        log(output, `started for ${repo.root} with plan ${file}`, { repo: repo.root, plan: file });
        let runNow = flags.runNow === true;
        for (;;) {
          if (!runNow) {
            const at = nextRun(new Date(), requireSchedule(plan, file).times);
            log(output, `next run at ${at.toString()}`, { next: at.toISOString() });
            if (!(await waitUntil(at, stopped))) break;
          }
          runNow = false;
          try {
            const reread = await requirePlan(file);
            requireSchedule(reread, file);
            plan = reread;
          } catch (error) {
            // Invalid, unreadable or without a schedule: keep running on the last good plan.
            log(
              output,
              `warning: the plan cannot be used, the last good one is used: ${(error as Error).message}`,
              {
                level: 'warning',
              },
            );
          }
          log(output, 'run started');
          try {
            const status = await executeRun(output, repo, plan, {
              ...(flags.host === undefined ? {} : { host: flags.host }),
              ...(global.workers === undefined ? {} : { workers: global.workers }),
            });
            log(output, `run finished: ${status}`, { status });
            if (plan.schedule?.retention && plan.retention && hasAnyRule(plan.retention)) {
              const unmet = await executeForget(output, repo, plan.retention, { dryRun: false, prune: true });
              log(output, `retention applied${unmet ? ': the size limit could not be met' : ''}`, {
                sizeLimitUnmet: unmet,
              });
            }
            if (cloud !== undefined) {
              const verified = await executeReplicate(output, repo, cloud);
              log(output, `replication ${verified ? 'finished and verified' : 'finished with problems'}`, {
                replicated: verified,
              });
            }
          } catch (error) {
            log(output, `run failed: ${error instanceof Error ? error.message : String(error)}`, {
              status: 'failed',
            });
          }
          if (signals > 0) break;
        }
        log(output, 'stopped');
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    });
}
