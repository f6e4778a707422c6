import { readFile } from 'node:fs/promises';
import { BackupError, errnoCode } from '../errors.js';

export interface PassphraseSources {
  /** From --passphrase-file / --new-passphrase-file. */
  readonly file: string | undefined;
  /** From the environment. */
  readonly env: string | undefined;
  readonly envName: string;
  readonly fileOption: string;
}

export interface Terminal {
  readonly stdin: NodeJS.ReadStream;
  readonly stderr: NodeJS.WriteStream;
}

/** Reads the first line of a passphrase file (a trailing newline is not part of the passphrase). */
async function readPassphraseFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new BackupError(
      'usage.invalid',
      `cannot read the passphrase file ${path} (${errnoCode(error) ?? 'error'})`,
    );
  }
  const line = text.split(/\r?\n/)[0] ?? '';
  if (line === '') throw new BackupError('key.invalid_passphrase', `the passphrase file ${path} is empty`);
  return line;
}

/** Reads a line from the terminal without echoing it. */
export function promptHidden(terminal: Terminal, question: string): Promise<string> {
  const { stdin, stderr } = terminal;
  if (!stdin.isTTY) {
    return Promise.reject(
      new BackupError('passphrase.missing', 'no passphrase given and no terminal to ask for one'),
    );
  }
  stderr.write(question);
  return new Promise<string>((resolve, reject) => {
    let chars: string[] = [];
    const done = (error?: BackupError) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
      if (error) reject(error);
      else resolve(chars.join(''));
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          done();
          return;
        }
        if (char === '\u0003' || char === '\u0004') {
          done(new BackupError('usage.invalid', 'cancelled'));
          return;
        }
        if (char === '\u007f' || char === '\b') chars = chars.slice(0, -1);
        else if (char >= ' ') chars.push(char);
      }
    };
    stdin.setEncoding('utf8');
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

/** The passphrase of an existing repository: file, then environment, then a prompt. */
export async function existingPassphrase(sources: PassphraseSources, terminal: Terminal): Promise<string> {
  if (sources.file !== undefined) return readPassphraseFile(sources.file);
  if (sources.env !== undefined) return sources.env;
  if (!terminal.stdin.isTTY) {
    throw new BackupError(
      'passphrase.missing',
      `no passphrase: set ${sources.envName}, use ${sources.fileOption}, or run in a terminal to be asked`,
    );
  }
  return promptHidden(terminal, 'Repository passphrase: ');
}

const MIN_RECOMMENDED_LENGTH = 12;

/** A new passphrase (init, key add, key passwd): file, environment, or asked twice. */
export async function newPassphrase(
  sources: PassphraseSources,
  terminal: Terminal,
  warn: (message: string) => void,
): Promise<string> {
  let passphrase: string;
  if (sources.file !== undefined) passphrase = await readPassphraseFile(sources.file);
  else if (sources.env !== undefined) passphrase = sources.env;
  else {
    if (!terminal.stdin.isTTY) {
      throw new BackupError(
        'passphrase.missing',
        `no new passphrase: set ${sources.envName}, use ${sources.fileOption}, or run in a terminal to be asked`,
      );
    }
    passphrase = await promptHidden(terminal, 'New passphrase: ');
    const again = await promptHidden(terminal, 'Repeat the new passphrase: ');
    if (again !== passphrase) throw new BackupError('key.invalid_passphrase', 'the passphrases do not match');
  }
  if (passphrase.length === 0)
    throw new BackupError('key.invalid_passphrase', 'the passphrase must not be empty');
  if (Array.from(passphrase).length < MIN_RECOMMENDED_LENGTH) {
    warn(
      `the passphrase is shorter than ${MIN_RECOMMENDED_LENGTH} characters; a longer one is much harder to guess`,
    );
  }
  return passphrase;
}
