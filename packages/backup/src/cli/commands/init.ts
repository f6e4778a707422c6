import type { Command } from 'commander';
import { Repository } from '../../repository/repository.js';
import { newPassphrase } from '../passphrase.js';
import {
  type CliContext,
  KDF_ITERATIONS_HELP,
  KDF_MEMORY_HELP,
  type KdfFlags,
  globalFlags,
  kdfFrom,
  outputFor,
  passphraseSources,
  positiveInteger,
  repoPath,
} from '../session.js';

export const PASSPHRASE_WARNING =
  "The passphrase cannot be recovered or reset. Without it (or another key slot's passphrase) nobody, " +
  'not even Tresor, can decrypt these backups. Keep it safe, e.g. on paper in the practice safe, and ' +
  'consider a second key slot ("tresor-backup key add") for a sealed emergency copy.';

export function registerInit(program: Command, context: CliContext): void {
  program
    .command('init')
    .description('create a new, empty repository in the --repo directory (must not exist or be empty)')
    .option('--kdf-memory <MiB>', KDF_MEMORY_HELP, positiveInteger)
    .option('--kdf-iterations <n>', KDF_ITERATIONS_HELP, positiveInteger)
    .addHelpText('after', `\n${PASSPHRASE_WARNING}`)
    .action(async (flags: KdfFlags, command: Command) => {
      const global = globalFlags(command);
      const output = outputFor(context, global);
      const root = repoPath(context, global);
      const kdf = kdfFrom(flags);
      const passphrase = await newPassphrase(passphraseSources(context, global), context.terminal, (m) => {
        output.warn(m);
      });
      const repo = await Repository.init(root, passphrase, kdf);
      output.text(`Created repository ${repo.config.id} at ${root} (format version ${repo.config.version}).`);
      output.text(`\nIMPORTANT: ${PASSPHRASE_WARNING}`);
      output.event('summary', {
        command: 'init',
        repository: repo.config.id,
        path: root,
        formatVersion: repo.config.version,
        notice: PASSPHRASE_WARNING,
      });
    });
}
