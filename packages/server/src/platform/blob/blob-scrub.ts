import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { PeriodicJob } from '../jobs/periodic-job.js';
import type { BlobKey, BlobStore } from './blob-store.js';
import { formatBytes } from './format-bytes.js';

/**
 * What the scrub records (implemented in `platform/db/blob-damage.store.pg.ts`): the keys of
 * blobs whose stored bytes no longer hash to their key. Other modules read it (the backup
 * repository lists its damaged objects so that an agent can store them again).
 */
export interface BlobDamageStore {
  /** Records `key` as damaged (keeps the first detection time if it already is). */
  markDamaged(key: BlobKey): Promise<void>;
  /** Forgets `key` as damaged. */
  clearDamaged(key: BlobKey): Promise<void>;
  /** Every key recorded as damaged. */
  damagedKeys(): Promise<ReadonlySet<string>>;
  /**
   * Damaged keys no alarm was raised for yet, and how many of them each practice refers to
   * (document chunks, backup objects).
   */
  unalarmed(): Promise<{ keys: readonly BlobKey[]; practices: ReadonlyMap<string, number> }>;
  /** Records that the practices referring to `keys` were alarmed. */
  markAlarmed(keys: readonly BlobKey[]): Promise<void>;
}

export interface BlobScrubSummary {
  /** Blobs read and hashed, and their bytes. */
  readonly blobs: number;
  readonly bytes: number;
  /** Blobs whose bytes do not hash to their key (recorded as damaged). */
  readonly damaged: number;
  /** Blobs recorded as damaged before that are sound again (stored anew since). */
  readonly healed: number;
  /** False when the pass was stopped before it read every blob. */
  readonly complete: boolean;
}

export interface BlobScrubOptions {
  /** Asked before each blob: true ends the pass early (the app is closing). */
  readonly stopped?: () => boolean;
  /** Reads at most this many bytes per second on average (pauses between blobs); unlimited if unset. */
  readonly bytesPerSecond?: number;
  /** For tests: the clock (ms) and the pause. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The hex SHA-256 of a blob's stored bytes, or undefined when it is gone. */
async function storedDigest(
  blobs: BlobStore,
  key: BlobKey,
): Promise<{ digest: string; size: number } | undefined> {
  const content = await blobs.get(key);
  if (content === undefined) return undefined;
  const hash = createHash('sha256');
  let size = 0;
  for await (const piece of content) {
    hash.update(piece as Uint8Array);
    size += (piece as Uint8Array).length;
  }
  return { digest: hash.digest('hex'), size };
}

/**
 * Reads every stored blob and checks that its bytes still hash to its key (blobs are addressed by
 * the SHA-256 of their content): bit rot, a damaged disk or a file changed behind the server's
 * back shows up here instead of when someone needs the data. Damaged blobs are recorded, blobs
 * recorded before that are sound again (the same bytes stored anew) are forgotten. Only
 * ciphertext is read; nothing is decrypted or repaired here: the owners hold the sound copies.
 */
export async function scrubBlobs(
  blobs: BlobStore,
  damage: BlobDamageStore,
  options: BlobScrubOptions = {},
): Promise<BlobScrubSummary> {
  const counts = { blobs: 0, bytes: 0, damaged: 0, healed: 0 };
  const recorded = await damage.damagedKeys();
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const started = now();
  let read = 0;
  for await (const key of blobs.list()) {
    if (options.stopped?.() === true) return { ...counts, complete: false };
    const stored = await storedDigest(blobs, key);
    if (stored === undefined) continue; // deleted since it was listed
    counts.blobs++;
    counts.bytes += stored.size;
    // A mismatch is read again before it is recorded: the same bytes stored anew meanwhile (a
    // repair) replace the file, and the second read sees them.
    const again = stored.digest === key ? stored : await storedDigest(blobs, key);
    read += stored.size + (again === stored ? 0 : (again?.size ?? 0));
    if (options.bytesPerSecond !== undefined) {
      // Ahead of the allowed rate: wait until the bytes read so far are due, in short steps so
      // that a stop (the app closing) is not held up.
      const due = started + (read / options.bytesPerSecond) * 1000;
      while (due > now() && options.stopped?.() !== true) await sleep(Math.min(due - now(), 250));
    }
    if (again === undefined) continue;
    if (again.digest === key) {
      if (recorded.has(key)) {
        await damage.clearDamaged(key);
        counts.healed++;
      }
    } else {
      counts.damaged++;
      await damage.markDamaged(key);
    }
  }
  return { ...counts, complete: true };
}

/** One line for an operator (the CLI), e.g. "Checked 12 blobs (3.0 MiB): 1 damaged, …". */
export function describeBlobScrub(summary: BlobScrubSummary): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const repair =
    summary.damaged > 0
      ? ' Damaged blobs are recorded; cloud backup agents store them again with `tresor-backup replicate --repair`.'
      : '';
  return (
    `Checked ${plural(summary.blobs, 'blob')} (${formatBytes(summary.bytes)}): ` +
    `${summary.damaged} damaged, ${summary.healed} found sound again since the last scrub.${repair}` +
    `${summary.complete ? '' : ' Stopped before the end.'}\n`
  );
}

/** The part of a pino logger the scrubber uses. */
export interface ScrubberLogger {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface BlobScrubberOptions {
  readonly logger: ScrubberLogger;
  /**
   * Raises the alarm for a practice that refers to `files` damaged blobs (after each pass, once
   * per damaged blob, whichever scrub found it: this one or `tresor blobs scrub`).
   */
  readonly alarm?: (practiceId: string, files: number) => Promise<void>;
  /** Time between passes (default one week). */
  readonly intervalMs?: number;
  /** Delay of the first pass after `start` (default one hour, so a start stays quick). */
  readonly firstRunAfterMs?: number;
  /** Read rate limit of a pass in bytes per second (default: none). */
  readonly bytesPerSecond?: number;
}

const HOUR_MS = 60 * 60 * 1000;

/**
 * Runs {@link scrubBlobs} on a timer (weekly by default). Passes never overlap; each logs a
 * summary, at error level when it found damage. A failed pass is logged and tried again with the
 * next one.
 */
export class BlobScrubber {
  readonly #job: PeriodicJob<BlobScrubSummary>;

  constructor(
    private readonly blobs: BlobStore,
    private readonly damage: BlobDamageStore,
    private readonly options: BlobScrubberOptions,
  ) {
    this.#job = new PeriodicJob({
      pass: (stopped) => this.#pass(stopped),
      logger: options.logger,
      failureMessage: 'blob scrub failed; will retry',
      firstRunAfterMs: options.firstRunAfterMs ?? HOUR_MS,
      intervalMs: options.intervalMs ?? 7 * 24 * HOUR_MS,
    });
  }

  start(): void {
    this.#job.start();
  }

  /** Stops the timer and waits for a pass in progress (which ends at its next blob). */
  stop(): Promise<void> {
    return this.#job.stop();
  }

  /** One pass now (after any pass in progress); rejects if it fails. */
  runOnce(): Promise<BlobScrubSummary> {
    return this.#job.runOnce();
  }

  async #pass(stopped: () => boolean): Promise<BlobScrubSummary> {
    const started = Date.now();
    const rate = this.options.bytesPerSecond;
    const summary = await scrubBlobs(this.blobs, this.damage, {
      stopped,
      ...(rate === undefined ? {} : { bytesPerSecond: rate }),
    });
    await this.#alarm();
    const details = { ...summary, durationMs: Date.now() - started };
    if (summary.damaged > 0) {
      this.options.logger.error(
        details,
        'blob scrub found damaged blobs (their owners can store them again)',
      );
    } else {
      this.options.logger.info(details, 'blob scrub done');
    }
    return summary;
  }

  /** Alarms the practices whose stored data was found damaged since the last alarm. */
  async #alarm(): Promise<void> {
    const alarm = this.options.alarm;
    if (alarm === undefined) return;
    const { keys, practices } = await this.damage.unalarmed();
    if (keys.length === 0) return;
    for (const [practiceId, files] of practices) await alarm(practiceId, files);
    await this.damage.markAlarmed(keys);
  }
}
