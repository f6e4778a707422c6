import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The only reader of the process environment (house style: one place validates the settings
 * and passes them on). Values are taken as they are; empty strings count as unset.
 */
export interface CliEnvironment {
  /** TRESOR_BACKUP_REPO: the repository directory when --repo is not given. */
  readonly repo: string | undefined;
  /** TRESOR_BACKUP_PASSPHRASE: the repository passphrase when --passphrase-file is not given. */
  readonly passphrase: string | undefined;
  /** TRESOR_BACKUP_NEW_PASSPHRASE: the new passphrase for `key add` and `key passwd`. */
  readonly newPassphrase: string | undefined;
  /** TRESOR_BACKUP_PLAN: the plan file when --plan is not given. */
  readonly plan: string | undefined;
  /** TRESOR_BACKUP_MANIFESTS: manifest directories (separated by ":") instead of the default ones. */
  readonly manifestDirs: readonly string[] | undefined;
  /** TRESOR_BACKUP_CLOUD_URL: the Tresor server holding the cloud copy, when --cloud is not given. */
  readonly cloudUrl: string | undefined;
  /** TRESOR_BACKUP_CLOUD_TOKEN: the backup token (tbk_…) when --cloud-token-file is not given. */
  readonly cloudToken: string | undefined;
  /**
   * Where cloud metadata and fetched packs are cached: TRESOR_BACKUP_CACHE, else
   * `$XDG_CACHE_HOME/tresor-backup`, else `~/.cache/tresor-backup`.
   */
  readonly cache: string;
}

export const ENVIRONMENT_HELP = `
Environment:
  TRESOR_BACKUP_REPO            repository directory (instead of --repo)
  TRESOR_BACKUP_PASSPHRASE      repository passphrase (instead of --passphrase-file or the prompt)
  TRESOR_BACKUP_NEW_PASSPHRASE  new passphrase for "key add" and "key passwd"
  TRESOR_BACKUP_PLAN            backup plan file for "plan" and "run" (instead of --plan)
  TRESOR_BACKUP_MANIFESTS       manifest directories for "plan", separated by ":" (instead of the defaults)
  TRESOR_BACKUP_CLOUD_URL       Tresor server for "replicate" and the cloud side of restore, forget, prune
                                (instead of --cloud)
  TRESOR_BACKUP_CLOUD_TOKEN     backup token made by a primary user (instead of --cloud-token-file)
  TRESOR_BACKUP_CACHE           cache directory for cloud metadata and fetched packs
                                (default: $XDG_CACHE_HOME/tresor-backup or ~/.cache/tresor-backup)`;

const value = (text: string | undefined) => (text === undefined || text === '' ? undefined : text);

export function readEnvironment(env: NodeJS.ProcessEnv): CliEnvironment {
  return Object.freeze({
    repo: value(env.TRESOR_BACKUP_REPO),
    passphrase: value(env.TRESOR_BACKUP_PASSPHRASE),
    newPassphrase: value(env.TRESOR_BACKUP_NEW_PASSPHRASE),
    plan: value(env.TRESOR_BACKUP_PLAN),
    manifestDirs: value(env.TRESOR_BACKUP_MANIFESTS)
      ?.split(':')
      .filter((dir) => dir !== ''),
    cloudUrl: value(env.TRESOR_BACKUP_CLOUD_URL),
    cloudToken: value(env.TRESOR_BACKUP_CLOUD_TOKEN),
    cache:
      value(env.TRESOR_BACKUP_CACHE) ??
      join(value(env.XDG_CACHE_HOME) ?? join(homedir(), '.cache'), 'tresor-backup'),
  });
}
