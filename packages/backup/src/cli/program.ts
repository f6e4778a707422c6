import { readFileSync } from 'node:fs';
import { Command, type CommanderError, Option } from 'commander';
import { registerBackup } from './commands/backup.js';
import { registerCheck } from './commands/check.js';
import { registerDaemon } from './commands/daemon.js';
import { registerInit } from './commands/init.js';
import { registerKey } from './commands/key.js';
import { registerPlan } from './commands/plan.js';
import { registerReplicate } from './commands/replicate.js';
import { registerRestore } from './commands/restore.js';
import { registerRetention } from './commands/retention.js';
import { registerRun } from './commands/run.js';
import { registerSnapshotCommands } from './commands/snapshots.js';
import type { BackupErrorCode } from '../errors.js';
import { ENVIRONMENT_HELP } from './environment.js';
import { EXIT_CODES_HELP } from './exit-codes.js';
import { type CliContext, type GlobalFlags, positiveInteger } from './session.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? '0.0.0';
}

/**
 * Whether `--json` was asked for: parsed already, or among the arguments when parsing stopped
 * before reaching it (`--workers x --json`); the same rule as for the errors of the commands.
 */
function jsonRequested(program: Command): boolean {
  if (program.opts<GlobalFlags>().json === true) return true;
  // Commander keeps the arguments it parses in `rawArgs` (not in its type declarations).
  const raw: unknown = Reflect.get(program, 'rawArgs');
  return Array.isArray(raw) && raw.includes('--json');
}

/**
 * A usage error found by commander (unknown command or option, missing argument, invalid option
 * value, no command) as the `error` line that other errors give with `--json`, with the code of
 * the usage errors the commands find themselves. The text on stderr stays as it is.
 */
function usageErrorLine(error: CommanderError): string {
  const message =
    error.code === 'commander.help' ? 'no command given' : error.message.replace(/^error: /, '');
  return `${JSON.stringify({ type: 'error', code: 'usage.invalid' satisfies BackupErrorCode, message })}\n`;
}

/** The `tresor-backup` command line. Global options work before or after the command name. */
export function buildProgram(context: CliContext): Command {
  const program = new Command('tresor-backup')
    .description('Encrypted, deduplicating, incremental backups for medical practices (repository format v1)')
    .version(version(), '-v, --version', 'print the version')
    .option('-r, --repo <dir>', 'repository directory (default: $TRESOR_BACKUP_REPO)')
    .option('--passphrase-file <file>', 'read the passphrase from the first line of this file')
    .option('--json', 'machine-readable output: one JSON object per line on stdout')
    .option('-q, --quiet', 'no progress display')
    .addOption(
      new Option('--workers <n>', 'worker threads (default: number of CPUs)').argParser(positiveInteger),
    )
    .option('--cloud <url>', 'Tresor server with the cloud copy (default: $TRESOR_BACKUP_CLOUD_URL)')
    .option(
      '--cloud-token-file <file>',
      'read the backup token from this file (default: $TRESOR_BACKUP_CLOUD_TOKEN)',
    )
    .option('--cache-dir <dir>', 'cache for cloud metadata and fetched packs (default: $TRESOR_BACKUP_CACHE)')
    .addHelpText('after', `${ENVIRONMENT_HELP}\n${EXIT_CODES_HELP}`)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
    })
    .exitOverride((error) => {
      if (error.exitCode !== 0 && jsonRequested(program)) context.stdout.write(usageErrorLine(error));
      throw error;
    });
  registerInit(program, context);
  registerBackup(program, context);
  registerPlan(program, context);
  registerRun(program, context);
  registerSnapshotCommands(program, context);
  registerRestore(program, context);
  registerRetention(program, context);
  registerReplicate(program, context);
  registerCheck(program, context);
  registerKey(program, context);
  registerDaemon(program, context);
  const addExitCodes = (command: Command): void => {
    for (const sub of command.commands) {
      sub.configureHelp({ showGlobalOptions: true });
      sub.addHelpText('after', EXIT_CODES_HELP);
      addExitCodes(sub);
    }
  };
  addExitCodes(program);
  return program;
}
