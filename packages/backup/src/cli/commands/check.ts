import type { Command } from 'commander';
import { check } from '../../engine/check.js';
import { newProgress } from '../../engine/progress.js';
import {
  type CliContext,
  globalFlags,
  markPartial,
  openCloudCopy,
  openRepository,
  outputFor,
} from '../session.js';

interface CheckFlags {
  readonly readData?: boolean;
  readonly cloudCopy?: boolean;
}

export function registerCheck(program: Command, context: CliContext): void {
  program
    .command('check')
    .description('verify the repository structure; with --read-data also decrypt and verify every blob')
    .option('--cloud-copy', 'check the cloud copy on the Tresor server instead of the local repository')
    .option('--read-data', 'read, decrypt and verify all data (slow: reads the whole repository)')
    .addHelpText(
      'after',
      '\nWith --cloud-copy the copy on the Tresor server is checked instead (agent or retention token):\n' +
        'its config, key slots, index files and snapshots, each fetched again (one that rotted on the\n' +
        'server is reported, though a sound copy is cached), and with --read-data every pack,\n' +
        'downloaded into the cache (packs already cached were checked against their hash when\n' +
        'fetched; empty the cache to fetch all).\n' +
        'Exit code 3 if anything is damaged or missing; affected snapshot paths are listed.',
    )
    .action(async (flags: CheckFlags, command: Command) => {
      const global = globalFlags(command);
      const output = outputFor(context, global);
      let repo;
      let packs: Map<string, number> | undefined;
      let damagedInCloud: readonly string[] = [];
      if (flags.cloudCopy) {
        const copy = await openCloudCopy(context, global, { localPacks: false, refetchMetadata: true });
        repo = copy.repo;
        damagedInCloud = copy.mirror.damaged;
        packs = new Map(
          [...copy.mirror.objects.values()]
            .filter((object) => object.kind === 'data')
            .map((object) => [object.name, object.size]),
        );
      } else repo = await openRepository(context, global);
      const progress = newProgress();
      output.startProgress(progress, 'check');
      let result;
      try {
        result = await check(repo, {
          readData: flags.readData === true,
          progress,
          ...(packs === undefined ? {} : { packs }),
          ...(global.workers === undefined ? {} : { workers: global.workers }),
        });
      } finally {
        output.stopProgress();
      }
      for (const note of result.notes) output.text(`note: ${note}`);
      for (const name of damagedInCloud) {
        output.error(
          `${name} is damaged in the cloud: its content does not match the hash the server recorded ` +
            '("replicate --repair" stores it again from a sound copy in the local repository or the cache)',
        );
      }
      for (const error of result.errors) output.error(error);
      for (const path of result.affected) {
        output.error(`snapshot ${path.snapshot.slice(0, 8)}: ${path.path}: ${path.reason}`, {
          snapshot: path.snapshot,
          path: path.path,
          reason: path.reason,
        });
      }
      const { stats } = result;
      const status = damagedInCloud.length > 0 ? 'problems' : result.status;
      output.text(
        `Checked ${stats.snapshots} snapshots, ${stats.indexFiles} index files, ${stats.packs} packs, ${stats.blobs} blobs` +
          (flags.readData
            ? ` (read and verified ${stats.blobsRead} blobs, ${stats.damagedBlobs} damaged)`
            : '') +
          `: ${status === 'ok' ? 'no problems found' : 'PROBLEMS FOUND'}`,
      );
      output.event('summary', {
        command: 'check',
        status,
        readData: flags.readData === true,
        ...stats,
        errors: result.errors,
        damagedInCloud,
        notes: result.notes,
        affected: result.affected,
      });
      if (status !== 'ok') markPartial(context);
    });
}
