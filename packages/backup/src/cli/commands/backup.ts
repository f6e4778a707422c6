import type { Command } from 'commander';
import { backup, startStatAhead } from '../../engine/backup.js';
import { newProgress } from '../../engine/progress.js';
import { formatBytes, formatDuration, formatRate } from '../format.js';
import {
  type CliContext,
  globalFlags,
  markPartial,
  openRepository,
  outputFor,
  repoPath,
} from '../session.js';

interface BackupFlags {
  readonly host?: string;
  readonly force?: boolean;
}

export function registerBackup(program: Command, context: CliContext): void {
  program
    .command('backup')
    .description('back up files and directories into a new snapshot (only changed files are read)')
    .argument('<path...>', 'files or directories to back up')
    .option('--host <name>', 'host name recorded in the snapshot (default: this machine)')
    .option('--force', 'read every file, even if its size, mtime, ctime and inode are unchanged')
    .addHelpText(
      'after',
      '\nFiles that vanish or change while being read are warnings; the snapshot stays consistent.\n' +
        'Files that cannot be read (permissions) are listed and the exit code is 3 (partial).',
    )
    .action(async (paths: string[], flags: BackupFlags, command: Command) => {
      const global = globalFlags(command);
      const output = outputFor(context, global);
      // Listing the sources starts first: the kernel reads their inodes while the key is derived.
      const statAhead = await startStatAhead(paths, repoPath(context, global));
      let repo;
      try {
        repo = await openRepository(context, global);
      } catch (error) {
        await statAhead?.close();
        throw error;
      }
      const progress = newProgress();
      output.startProgress(progress, 'backup');
      let result;
      try {
        result = await backup(repo, {
          paths,
          ...(statAhead === undefined ? {} : { statAhead }),
          progress,
          scan: output.showsProgress,
          ...(flags.host === undefined ? {} : { hostname: flags.host }),
          ...(flags.force === undefined ? {} : { force: flags.force }),
          ...(global.workers === undefined ? {} : { workers: global.workers }),
        });
      } finally {
        output.stopProgress();
      }
      const { snapshot, snapshotId } = result;
      const s = snapshot.summary;
      for (const warning of snapshot.warnings)
        output.warn(`${warning.path}: ${warning.message}`, { path: warning.path });
      for (const error of snapshot.errors)
        output.error(`${error.path}: ${error.message}`, { path: error.path });
      if (result.recoveredPacks > 0) {
        output.text(`Indexed ${result.recoveredPacks} pack(s) left by an interrupted backup.`);
      }
      output.text(
        [
          `Files:     ${s.filesNew} new, ${s.filesChanged} changed, ${s.filesUnchanged} unchanged (${s.files} in total, ${formatBytes(s.bytes)})`,
          `Dirs:      ${s.dirs} (${result.dirsReused} unchanged since the last backup), symlinks: ${s.symlinks}`,
          `Added:     ${formatBytes(s.dataAdded)} of new data, ${formatBytes(s.packBytesAdded)} stored (compressed, encrypted)`,
          `Duration:  ${formatDuration(s.durationMs)} (${formatRate(progress.bytesProcessed, s.durationMs)} read)`,
          `snapshot ${snapshotId.slice(0, 8)} saved${result.status === 'partial' ? `, PARTIAL: ${snapshot.errors.length} file(s) could not be read` : ''}`,
        ].join('\n'),
      );
      output.event('summary', {
        command: 'backup',
        snapshot: snapshotId,
        status: result.status,
        ...s,
        bytesRead: progress.bytesProcessed,
        warnings: snapshot.warnings.length,
        errors: snapshot.errors.length,
        recoveredPacks: result.recoveredPacks,
        dirsReused: result.dirsReused,
      });
      if (result.status === 'partial') markPartial(context);
    });
}
