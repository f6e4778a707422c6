import { resolve } from 'node:path';
import type { Command } from 'commander';
import { fetchForPartialRestore } from '../../cloud/partial-restore.js';
import { openRestoreSource } from '../../cloud/smart-restore.js';
import { newProgress } from '../../engine/progress.js';
import { restore } from '../../engine/restore.js';
import { formatBytes, formatDuration, formatRate } from '../format.js';
import {
  type CliContext,
  cloudAccess,
  globalFlags,
  markPartial,
  optionalRepoPath,
  outputFor,
  passphraseOnce,
} from '../session.js';

interface RestoreFlags {
  readonly target: string;
  readonly include?: string[];
  readonly verify?: boolean;
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
    .option(
      '--verify',
      "also recompute every blob's keyed hash from its plaintext (as check --read-data does); the\n" +
        'encryption tag already proves each blob untampered, this also catches one sealed wrongly',
    )
    .addHelpText(
      'after',
      '\nSmart restore: with a cloud (--cloud or $TRESOR_BACKUP_CLOUD_URL) the snapshot is taken from the\n' +
        'local repository when it holds it, else from the cloud; packs missing on one side are read from\n' +
        'the other (cloud packs are fetched into the cache; with --include, only the needed blobs of\n' +
        'packs of which at most half is needed, as byte ranges). Without a local repository\n' +
        'everything comes from the cloud: the passphrase opens the key slots stored there.\n' +
        'Files whose data is damaged or missing are listed and skipped; all others are restored, exit code 3.',
    )
    .action(async (ref: string, flags: RestoreFlags, command: Command) => {
      const global = globalFlags(command);
      const output = outputFor(context, global);
      const cloud = cloudAccess(context, global);
      const source = await openRestoreSource(
        optionalRepoPath(context, global),
        passphraseOnce(context, global),
        cloud,
        ref,
        (message) => {
          output.warn(message);
        },
      );
      const { repo, record, cloudPacks } = source;
      const target = resolve(flags.target);
      // A few paths: their blobs in packs from the cloud come as byte ranges, not whole packs.
      const ranged =
        flags.include?.length && cloud !== undefined && cloudPacks !== undefined
          ? await fetchForPartialRestore({ ...source, cloudPacks }, cloud, flags.include)
          : undefined;
      const index = ranged?.index ?? source.index;
      const progress = newProgress();
      output.startProgress(progress, 'restore');
      let result;
      try {
        result = await restore(repo, record, {
          target,
          progress,
          ...(flags.include === undefined ? {} : { include: flags.include }),
          ...(flags.verify ? { verify: true } : {}),
          ...(global.workers === undefined ? {} : { workers: global.workers }),
          ...(index === undefined ? {} : { index }),
        });
      } finally {
        output.stopProgress();
        await ranged?.cleanup();
      }
      for (const error of result.errors)
        output.error(`${error.path}: ${error.message}`, { path: error.path });
      const elapsed = Date.now() - progress.startedAt;
      const fetched = source.cloudPacks;
      const fromLocal = source.localPacks?.used ?? 0;
      output.text(
        `Snapshot ${record.id.slice(0, 8)} from the ${source.from === 'local' ? 'local repository' : 'cloud'}` +
          (fetched
            ? `; ${fetched.fetched} pack(s) fetched from the cloud (${formatBytes(fetched.fetchedBytes)})`
            : '') +
          (ranged !== undefined && ranged.packs > 0
            ? `, ${ranged.packs} read in part (${formatBytes(ranged.bytes)} in ${ranged.requests} range request(s))`
            : '') +
          (source.from === 'cloud' && source.localPacks
            ? `, ${fromLocal} read from the local repository`
            : ''),
      );
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
        source: source.from,
        packsFetched: fetched?.fetched ?? 0,
        bytesFetched: fetched?.fetchedBytes ?? 0,
        packsReadInPart: ranged?.packs ?? 0,
        rangeRequests: ranged?.requests ?? 0,
        bytesFetchedInRanges: ranged?.bytes ?? 0,
        packsFromLocal: fromLocal,
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
