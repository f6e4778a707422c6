import type { Command } from 'commander';
import { newProgress } from '../../engine/progress.js';
import { BackupError } from '../../errors.js';
import { type Plan, requirePlan } from '../../plan/plan-file.js';
import { type PlanRunEvents, nothingToRun, runPlan } from '../../plan/plan-run.js';
import { formatBytes, formatDuration } from '../format.js';
import type { Repository } from '../../repository/repository.js';
import type { Output } from '../output.js';
import { type CliContext, globalFlags, markPartial, openRepository, outputFor } from '../session.js';
import { planPath } from './plan.js';

interface RunFlags {
  readonly plan?: string;
  readonly host?: string;
}

function logEvents(output: Output): PlanRunEvents {
  return {
    hookStart: (source, phase, command) => {
      output.text(`[${source}] ${phase}-command: ${command}`);
      output.event('hook-start', { source, phase, command });
    },
    hookLine: (source, phase, stream, line) => {
      output.text(`[${source}] ${phase} ${stream === 'stderr' ? '!' : '|'} ${line}`);
      output.event('hook-output', { source, phase, stream, line });
    },
    hookDone: (source, phase, outcome) => {
      const fields = { source, phase, ...outcome };
      if (outcome.status === 'ok') {
        output.text(`[${source}] ${phase}-command finished in ${formatDuration(outcome.durationMs)}`);
        output.event('hook-done', fields);
        return;
      }
      const why =
        outcome.status === 'timeout'
          ? 'timed out and was stopped'
          : outcome.signal
            ? `was killed by ${outcome.signal}`
            : `failed with exit code ${outcome.exitCode ?? '?'}`;
      const consequence = phase === 'pre' ? ": this product's paths are NOT backed up" : '';
      output.error(`[${source}] ${phase}-command ${why}${consequence}`, fields);
    },
    backupStart: (paths) => {
      output.text(`Backing up ${paths.length} path(s) …`);
      output.event('backup-start', { paths });
    },
  };
}

export interface RunOptions {
  readonly host?: string;
  readonly workers?: number;
}

/** Runs `plan` and reports it on `output` (used by `run` and `daemon`). */
export async function executeRun(
  output: Output,
  repo: Repository,
  plan: Plan,
  options: RunOptions,
): Promise<'complete' | 'partial'> {
  const progress = newProgress();
  const events = logEvents(output);
  let result;
  try {
    result = await runPlan(repo, plan, {
      progress,
      scan: output.showsProgress,
      events: {
        ...events,
        backupStart: (paths) => {
          events.backupStart?.(paths);
          output.startProgress(progress, 'backup');
        },
      },
      ...(options.host === undefined ? {} : { hostname: options.host }),
      ...(options.workers === undefined ? {} : { workers: options.workers }),
    });
  } finally {
    output.stopProgress();
  }
  const snapshot = result.backup?.snapshot;
  for (const warning of snapshot?.warnings ?? [])
    output.warn(`${warning.path}: ${warning.message}`, { path: warning.path });
  for (const error of snapshot?.errors ?? [])
    output.error(`${error.path}: ${error.message}`, { path: error.path });
  for (const source of result.sources) {
    for (const path of source.missingPaths) {
      output.error(`[${source.id}] ${path} does not exist (left out)`, { source: source.id, path });
    }
    for (const { path, message } of source.unusablePaths) {
      output.error(`[${source.id}] ${path}: ${message} (left out)`, { source: source.id, path });
    }
  }
  const lines = result.sources.map((source) => `  ${source.id.padEnd(20)} ${source.status}`);
  if (snapshot && result.backup) {
    const s = snapshot.summary;
    lines.push(
      `Files:     ${s.filesNew} new, ${s.filesChanged} changed, ${s.filesUnchanged} unchanged (${s.files} in total, ${formatBytes(s.bytes)})`,
      `Added:     ${formatBytes(s.dataAdded)} of new data, ${formatBytes(s.packBytesAdded)} stored`,
      `snapshot ${result.backup.snapshotId.slice(0, 8)} saved`,
    );
  } else lines.push('nothing was backed up: no planned path was left');
  if (result.status === 'partial') lines.push('PARTIAL: see the errors above');
  output.text(['Entries:', ...lines].join('\n'));
  output.event('summary', {
    command: 'run',
    status: result.status,
    snapshot: result.backup?.snapshotId ?? null,
    sources: result.sources.map((source) => ({
      id: source.id,
      status: source.status,
      missingPaths: source.missingPaths,
      unusablePaths: source.unusablePaths,
      hooks: source.hooks,
    })),
    ...(snapshot ? snapshot.summary : {}),
    warnings: snapshot?.warnings.length ?? 0,
    errors: snapshot?.errors.length ?? 0,
  });
  return result.status;
}

export function registerRun(program: Command, context: CliContext): void {
  program
    .command('run')
    .description(
      "back up everything the plan names into one snapshot, with the products' pre- and post-commands",
    )
    .option('--plan <file>', 'the plan file (default: $TRESOR_BACKUP_PLAN)')
    .option('--host <name>', 'host name recorded in the snapshot (default: this machine)')
    .addHelpText(
      'after',
      '\nOrder: the pre-commands of every enabled entry (e.g. a database dump), then one backup of\n' +
        'all their paths (each with its own excludes), then every post-command. An entry whose\n' +
        'pre-command fails or times out is skipped (its paths are not backed up) and the exit code\n' +
        'is 3 (partial); so are planned paths that do not exist, failing post-commands and\n' +
        'unreadable files. Command output is logged line by line, prefixed with the entry id.',
    )
    .action(async (flags: RunFlags, command: Command) => {
      const global = globalFlags(command);
      const output = outputFor(context, global);
      const file = planPath(context, flags);
      const plan = await requirePlan(file);
      const empty = nothingToRun(plan);
      if (empty !== undefined) throw new BackupError('plan.invalid', `${file}: ${empty}`);
      const repo = await openRepository(context, global);
      const status = await executeRun(output, repo, plan, {
        ...(flags.host === undefined ? {} : { host: flags.host }),
        ...(global.workers === undefined ? {} : { workers: global.workers }),
      });
      if (status === 'partial') markPartial(context);
    });
}
