import { resolve } from 'node:path';
import type { Command } from 'commander';
import { newProgress } from '../../engine/progress.js';
import { restore } from '../../engine/restore.js';
import { resolveSnapshot } from '../../repository/snapshot-store.js';
import { formatBytes, formatDuration, formatRate } from '../format.js';
import { type CliContext, globalFlags, markPartial, openRepository, outputFor } from '../session.js';

interface RestoreFlags {
  readonly target: string;
  readonly include?: string[];
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerRestore(program: Command, context: CliContext): void {
  program
    .command('restore')
    .description('restore a snapshot (or some paths of it) into a directory, with modes, mtimes and symlinks')
    .argument('<snapshot>', '"latest" or a snapshot id (at least 4 hex digits)')
    .requiredOption(
      '--target <dir>',
      'directory to restore into; the backed-up absolute paths are recreated below it',
    )
    .option(
      '--include <path>',
      'restore only this path (as "ls" shows it) and what is below it; repeatable',
      collect,
    )
    .addHelpText(
      'after',
      '\nFiles whose data is damaged or missing are listed and skipped; all others are restored, exit code 3.',
    )
    .action(async (ref: string, flags: RestoreFlags, command: Command) => {
      const global = globalFlags(command);
      const output = outputFor(context, global);
      const repo = await openRepository(context, global);
      const record = await resolveSnapshot(repo, ref);
      const target = resolve(flags.target);
      const progress = newProgress();
      output.startProgress(progress, 'restore');
      let result;
      try {
        result = await restore(repo, record, {
          target,
          progress,
          ...(flags.include === undefined ? {} : { include: flags.include }),
          ...(global.workers === undefined ? {} : { workers: global.workers }),
        });
      } finally {
        output.stopProgress();
      }
      for (const error of result.errors)
        output.error(`${error.path}: ${error.message}`, { path: error.path });
      const elapsed = Date.now() - progress.startedAt;
      output.text(
        `Restored snapshot ${record.id.slice(0, 8)} to ${target}: ${result.files} files, ${result.dirs} dirs, ` +
          `${result.symlinks} symlinks, ${formatBytes(result.bytes)} in ${formatDuration(elapsed)} (${formatRate(result.bytes, elapsed)})` +
          (result.status === 'partial'
            ? `\nPARTIAL: ${result.errors.length} path(s) could not be restored`
            : ''),
      );
      output.event('summary', {
        command: 'restore',
        snapshot: record.id,
        target,
        status: result.status,
        files: result.files,
        dirs: result.dirs,
        symlinks: result.symlinks,
        bytes: result.bytes,
        durationMs: elapsed,
        errors: result.errors,
      });
      if (result.status === 'partial') markPartial(context);
    });
}
