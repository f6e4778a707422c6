#!/usr/bin/env node
import { CommanderError } from 'commander';
import { readEnvironment } from './cli/environment.js';
import { ExitCode } from './cli/exit-codes.js';
import { buildProgram } from './cli/program.js';
import type { CliContext } from './cli/session.js';
import { BackupError, type BackupErrorCode, errnoCode } from './errors.js';

function exitCodeFor(code: BackupErrorCode): ExitCode {
  switch (code) {
    case 'usage.invalid':
    case 'passphrase.missing':
      return ExitCode.usage;
    case 'repo.not_found':
    case 'repo.already_exists':
    case 'repo.newer_format':
    case 'repo.invalid':
    case 'repo.damaged':
    case 'repo.locked':
    case 'key.wrong_passphrase':
    case 'key.invalid_passphrase':
    case 'key.last_slot':
    case 'snapshot.not_found':
    case 'snapshot.ambiguous':
    case 'plan.invalid':
    case 'plan.not_found':
    case 'cloud.unreachable':
    case 'cloud.unauthorized':
    case 'cloud.refused':
    case 'cloud.quota':
    case 'cloud.busy':
    case 'cloud.other_repository':
    case 'cloud.damaged':
    case 'cloud.empty':
      return ExitCode.error;
  }
}

/** A system error's message, with what to do about the ones a practice can fix itself. */
function explainSystemError(code: string | undefined, message: string): string {
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return (
      `the disk is full (${message}). Nothing half-written was kept: the repository is as it was ` +
      'before this run. Free some space (or "forget --prune" old snapshots) and run the command again.'
    );
  }
  return message;
}

/** Output piped into a reader that stops early (e.g. `| head`) is not an error. */
function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

/**
 * Ends the process with `code` as soon as all output has been handed to stdout and stderr.
 * `process.exit` skips V8's teardown of the heap, which took ~40–60 ms after every command on
 * the benchmark machine (some 200 unmaps of heap pages) with the work long done; the commands
 * await everything they start, so nothing else is cut short. Writes to pipes and files are
 * synchronous on Linux; where one is still pending (a slow pipe elsewhere), the process ends the
 * normal way once the event loop is empty.
 */
function endProcess(code: ExitCode): void {
  if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit(code);
  process.exitCode = code;
}

async function main(argv: string[]): Promise<ExitCode> {
  const context: CliContext = {
    env: readEnvironment(process.env),
    terminal: { stdin: process.stdin, stderr: process.stderr },
    stdout: process.stdout,
    stderr: process.stderr,
    exitCode: ExitCode.ok,
  };
  const json = argv.includes('--json');
  try {
    await buildProgram(context).parseAsync(argv);
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    if (error instanceof BackupError) {
      if (json)
        process.stdout.write(
          `${JSON.stringify({ type: 'error', code: error.code, message: error.message })}\n`,
        );
      process.stderr.write(`tresor-backup: ${error.message}\n`);
      return exitCodeFor(error.code);
    }
    const code = errnoCode(error);
    const message = explainSystemError(code, error instanceof Error ? error.message : String(error));
    if (json)
      process.stdout.write(`${JSON.stringify({ type: 'error', code: code ?? 'internal', message })}\n`);
    process.stderr.write(`tresor-backup: ${message}\n`);
    // System errors (disk full, permissions) are the message; anything else is a bug: show where.
    if (code === undefined && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return ExitCode.error;
  }
}

exitQuietlyOnClosedPipe(process.stdout);
endProcess(await main(process.argv));
