import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommanderError } from 'commander';
import { readEnvironment } from './environment.js';
import { ExitCode } from './exit-codes.js';
import { buildProgram } from './program.js';
import type { CliContext } from './session.js';

interface Parsed {
  readonly error: unknown;
  readonly stdout: string;
  readonly stderr: string;
}

/** Parses `args` as `tresor-backup args…` would, with stdout and stderr captured. */
async function parse(args: readonly string[]): Promise<Parsed> {
  let stdout = '';
  let stderr = '';
  const stream = (write: (text: string) => void) =>
    ({
      isTTY: false,
      write: (text: string) => {
        write(text);
        return true;
      },
    }) as unknown as NodeJS.WriteStream;
  const context: CliContext = {
    env: readEnvironment({}),
    terminal: { stdin: process.stdin, stderr: stream(() => undefined) },
    stdout: stream((text) => (stdout += text)),
    stderr: stream((text) => (stderr += text)),
    exitCode: ExitCode.ok,
  };
  const error = await buildProgram(context)
    .parseAsync(['node', 'tresor-backup', ...args])
    .then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
  return { error, stdout, stderr };
}

describe('usage errors with --json', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown command', ['--json', 'frobnicate'], /^unknown command 'frobnicate'/],
    ['an unknown option', ['snapshots', '--json', '--bogus'], /^unknown option '--bogus'/],
    ['a missing argument', ['ls', '--json'], /^missing required argument 'snapshot'/],
    ['a missing required option', ['restore', 'latest', '--json'], /^required option '--target <dir>'/],
    ['an invalid option value', ['forget', '--keep-daily', '0', '--json'], /^option '--keep-daily <n>'/],
    ['an option without its value', ['--json', 'snapshots', '--repo'], /^option '-r, --repo <dir>'/],
    ['an invalid value before --json', ['--workers', 'x', '--json', 'snapshots'], /^option '--workers <n>'/],
    ['no command', ['--json'], /^no command given$/],
    ['no subcommand', ['key', '--json'], /^no command given$/],
  ];
  for (const [what, args, message] of cases) {
    it(`reports ${what} as one JSON error line on stdout (exit code 2): ${args.join(' ')}`, async () => {
      const { error, stdout, stderr } = await parse(args);
      assert.ok(error instanceof CommanderError, String(error));
      assert.notEqual(error.exitCode, 0, 'the CLI maps a non-zero CommanderError to exit code 2 (usage)');
      const lines = stdout.split('\n').filter((line) => line !== '');
      assert.equal(lines.length, 1, stdout);
      const line = JSON.parse(lines[0]!) as Record<string, unknown>;
      assert.deepEqual(Object.keys(line), ['type', 'code', 'message'], 'the shape of every --json error');
      assert.equal(line.type, 'error');
      assert.equal(line.code, 'usage.invalid');
      assert.match(String(line.message), message);
      assert.match(stderr, /error|Usage/, 'the text for people stays on stderr');
    });
  }

  it('prints plain text only without --json, and no error line for --help', async () => {
    const plain = await parse(['frobnicate']);
    assert.ok(plain.error instanceof CommanderError);
    assert.equal(plain.stdout, '');
    assert.match(plain.stderr, /^error: unknown command 'frobnicate'/);

    const help = await parse(['snapshots', '--help', '--json']);
    assert.ok(help.error instanceof CommanderError);
    assert.equal(help.error.exitCode, 0);
    assert.doesNotMatch(help.stdout, /"type":"error"/);
    assert.match(help.stdout, /Exit codes/);
  });
});
