/**
 * Every expected failure of the backup engine carries one of these codes. The CLI maps them to
 * exit codes and one-line messages; nothing else is thrown on purpose.
 */
export type BackupErrorCode =
  | 'repo.not_found'
  | 'repo.already_exists'
  | 'repo.newer_format'
  | 'repo.invalid'
  | 'repo.damaged'
  | 'repo.locked'
  | 'key.wrong_passphrase'
  | 'key.invalid_passphrase'
  | 'key.last_slot'
  | 'snapshot.not_found'
  | 'snapshot.ambiguous'
  | 'passphrase.missing'
  | 'plan.invalid'
  | 'plan.not_found'
  | 'usage.invalid'
  | 'cloud.unreachable'
  | 'cloud.unauthorized'
  | 'cloud.refused'
  | 'cloud.quota'
  | 'cloud.busy'
  | 'cloud.other_repository'
  | 'cloud.damaged'
  | 'cloud.empty';

export class BackupError extends Error {
  override readonly name = 'BackupError';

  constructor(
    readonly code: BackupErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isBackupError(error: unknown, code?: BackupErrorCode): error is BackupError {
  return error instanceof BackupError && (code === undefined || error.code === code);
}

/** The `code` of a Node.js system error (`ENOENT`, `EACCES`, …), if it is one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
