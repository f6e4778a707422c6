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
}

export const ENVIRONMENT_HELP = `
Environment:
  TRESOR_BACKUP_REPO            repository directory (instead of --repo)
  TRESOR_BACKUP_PASSPHRASE      repository passphrase (instead of --passphrase-file or the prompt)
  TRESOR_BACKUP_NEW_PASSPHRASE  new passphrase for "key add" and "key passwd"`;

const value = (text: string | undefined) => (text === undefined || text === '' ? undefined : text);

export function readEnvironment(env: NodeJS.ProcessEnv): CliEnvironment {
  return Object.freeze({
    repo: value(env.TRESOR_BACKUP_REPO),
    passphrase: value(env.TRESOR_BACKUP_PASSPHRASE),
    newPassphrase: value(env.TRESOR_BACKUP_NEW_PASSPHRASE),
  });
}
