import { type ErrorCode, errorCatalog, errorStatus } from '@tresor/sdk/contract';

/**
 * The one error type domain code throws for expected failures. It carries a stable code from
 * the shared contract; the HTTP edge maps the code to a status. Domain code never picks
 * HTTP statuses itself.
 */
export class AppError extends Error {
  override readonly name = 'AppError';

  constructor(
    readonly code: ErrorCode,
    message: string = errorCatalog[code].en,
  ) {
    super(message);
  }

  get status(): number {
    return errorStatus(this.code);
  }
}
