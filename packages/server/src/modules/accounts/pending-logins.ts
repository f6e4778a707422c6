import { randomBytes } from 'node:crypto';

/**
 * Short-lived, single-use state between the login steps, held in memory (one server process):
 * OPAQUE's server state between start and finish, then the second-factor state until complete.
 */
export class PendingStore<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  put(value: T): string {
    this.sweep();
    const id = randomBytes(24).toString('base64url');
    this.entries.set(id, { value, expiresAt: this.now() + this.ttlMs });
    return id;
  }

  /** Puts a value under a caller-chosen id (e.g. a session id), replacing what was there. */
  set(id: string, value: T): void {
    this.sweep();
    this.entries.set(id, { value, expiresAt: this.now() + this.ttlMs });
  }

  /** Removes and returns the entry: a second take of the same id finds nothing. */
  take(id: string): T | undefined {
    const entry = this.entries.get(id);
    this.entries.delete(id);
    return entry && entry.expiresAt > this.now() ? entry.value : undefined;
  }

  /** Puts a value back under the same id, keeping its expiry (for a retry of a wrong code). */
  restore(id: string, value: T, expiresAt: number): void {
    if (expiresAt > this.now()) this.entries.set(id, { value, expiresAt });
  }

  expiryOf(id: string): number | undefined {
    return this.entries.get(id)?.expiresAt;
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(id);
  }
}
