/**
 * A condition that stops the server from starting: a clear one-line message for the operator,
 * a stable code for tests and scripts. Never includes secrets (passwords in URLs are redacted).
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';

  constructor(
    readonly code:
      | 'database.unreachable'
      | 'database.migration_failed'
      | 'database.migrations_pending'
      | 'database.open_failed'
      | 'data_dir.not_writable'
      | 'data_dir.in_use',
    message: string,
  ) {
    super(message);
  }
}
