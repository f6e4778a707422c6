// The three backup tools of the benchmark and the command line of each step.
import { fileURLToPath } from 'node:url';

const TRESOR_CLI = fileURLToPath(new URL('../../packages/backup/bin/tresor-backup.js', import.meta.url));
const PASSPHRASE = 'benchmark passphrase, not a real one 42';

export type ToolName = 'tresor' | 'restic' | 'borg';

export interface Command {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd?: string;
}

export interface Tool {
  readonly name: ToolName;
  readonly label: string;
  readonly env: NodeJS.ProcessEnv;
  init(): Command;
  /** `n` counts the backups of this run (1, 2, 3); borg needs a new archive name each time. */
  backup(source: string, n: number): Command;
  /** Restores the latest backup so that the source's absolute path appears below `target`. */
  restore(target: string, n: number): Command;
  check(): Command;
  /** A command that only opens the repository (key derivation, index/cache load). */
  list(): Command;
}

/** Our CLI with the cheapest Argon2id it accepts (8 MiB, 1 pass; see docs/BENCHMARKS.md). */
export function tresorTool(repo: string): Tool {
  const node = (...args: string[]): Command => ({ file: process.execPath, args: [TRESOR_CLI, ...args] });
  return {
    name: 'tresor',
    label: 'tresor-backup',
    env: { TRESOR_BACKUP_REPO: repo, TRESOR_BACKUP_PASSPHRASE: PASSPHRASE },
    init: () => node('init', '--kdf-memory', '8', '--kdf-iterations', '1'),
    backup: (source) => node('backup', '-q', source),
    restore: (target) => node('restore', '-q', 'latest', '--target', target),
    check: () => node('check', '-q', '--read-data'),
    list: () => node('snapshots'),
  };
}

export function resticTool(repo: string, cache: string): Tool {
  const restic = (...args: string[]): Command => ({ file: 'restic', args: ['--quiet', ...args] });
  return {
    name: 'restic',
    label: 'restic 0.14',
    env: { RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: PASSPHRASE, RESTIC_CACHE_DIR: cache },
    init: () => restic('init'),
    backup: (source) => restic('backup', '--compression', 'auto', source),
    restore: (target) => restic('restore', 'latest', '--target', target),
    check: () => restic('check', '--read-data'),
    list: () => restic('snapshots'),
  };
}

export function borgTool(repo: string, base: string): Tool {
  const borg = (args: string[], cwd?: string): Command => ({ file: 'borg', args, ...(cwd ? { cwd } : {}) });
  return {
    name: 'borg',
    label: 'borg 1.2 (zstd,3)',
    env: {
      BORG_PASSPHRASE: PASSPHRASE,
      BORG_BASE_DIR: base,
      BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes',
      BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'no',
    },
    init: () => borg(['init', '--encryption', 'repokey', repo]),
    backup: (source, n) => borg(['create', '--compression', 'zstd,3', `${repo}::backup-${n}`, source]),
    restore: (target, n) => borg(['extract', `${repo}::backup-${n}`], target),
    check: () => borg(['check', '--verify-data', repo]),
    list: () => borg(['list', repo]),
  };
}
