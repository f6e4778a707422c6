/**
 * Verification of a practice's whole audit trail: the hash chain, the sequence, every signed
 * checkpoint against the entries, and optionally a checkpoint the verifier remembers from
 * earlier. Entries stream through `AuditTrailVerifier` in O(log n) memory; `verifyAuditTrail`
 * does the same for an array.
 */
import { bytesToHex, hexToBytes } from '../encoding.js';
import {
  type AuditCheckpoint,
  type AuditSigningPublicKey,
  verifyAuditCheckpointSignature,
} from './checkpoint.js';
import { AUDIT_CHAIN_GENESIS, type AuditEntry, auditEntryBytes, chainStep } from './entry.js';
import { leafHash, MerkleFrontier } from './merkle.js';

export type AuditProblemKind =
  /** An entry or checkpoint of another practice is in this practice's trail. */
  | 'wrong_practice'
  /** A seq is missing (deleted row) or out of order. */
  | 'seq_gap'
  /** An entry's stored hash is not the hash of its content and its predecessor (edited row). */
  | 'chain_broken'
  /** Entries end before a checkpoint, the remembered checkpoint or the head says they should. */
  | 'truncated'
  /** The head record disagrees with the last entry. */
  | 'head_mismatch'
  /** A checkpoint is not signed by the server key (forged, or signed by another key). */
  | 'checkpoint_signature'
  /** A signed checkpoint's root or chain head is not what the entries give (history rewritten). */
  | 'checkpoint_mismatch'
  /** The entries do not extend the checkpoint the verifier remembered (history rewritten). */
  | 'inconsistent_with_remembered';

export interface AuditProblem {
  readonly kind: AuditProblemKind;
  /** The first seq concerned (for checkpoint problems: the checkpoint's tree size). */
  readonly seq: number;
  readonly detail: string;
}

export type AuditVerification =
  | {
      readonly ok: true;
      /** Entries verified. */
      readonly treeSize: number;
      /** Checkpoints whose signature, root and chain head verified. */
      readonly checkpointsVerified: number;
      /** The newest verified checkpoint (what a client should remember), null if none. */
      readonly checkpoint: AuditCheckpoint | null;
    }
  | {
      readonly ok: false;
      readonly treeSize: number;
      readonly checkpointsVerified: number;
      /** The first problem of each kind, in the order found. */
      readonly problems: readonly AuditProblem[];
    };

export interface AuditTrailExpectations {
  readonly practiceId: string;
  /** The server's checkpoints for this practice, in any order. */
  readonly checkpoints: readonly AuditCheckpoint[];
  readonly serverPublicKey: AuditSigningPublicKey;
  /** A checkpoint the verifier accepted before (a client's memory). */
  readonly remembered?: AuditCheckpoint | undefined;
  /** The server's head record (seq and hash of its newest entry), when available. */
  readonly head?: { readonly seq: number; readonly headHash: string } | undefined;
}

interface PendingCheckpoint {
  readonly checkpoint: AuditCheckpoint;
  readonly remembered: boolean;
}

export class AuditTrailVerifier {
  readonly #expected: AuditTrailExpectations;
  readonly #pending: PendingCheckpoint[];
  readonly #problems = new Map<AuditProblemKind, { problem: AuditProblem; more: number }>();
  readonly #frontier = MerkleFrontier.empty();
  #chain = hexToBytes(AUDIT_CHAIN_GENESIS);
  #lastStoredHash = AUDIT_CHAIN_GENESIS;
  #verified = 0;
  #latest: AuditCheckpoint | null = null;

  constructor(expected: AuditTrailExpectations) {
    this.#expected = expected;
    const candidates: PendingCheckpoint[] = expected.checkpoints.map((checkpoint) => ({
      checkpoint,
      remembered: false,
    }));
    if (expected.remembered) candidates.push({ checkpoint: expected.remembered, remembered: true });
    this.#pending = [];
    for (const candidate of candidates) {
      if (this.#admit(candidate)) this.#pending.push(candidate);
    }
    // Largest tree size last, so the next one due is popped from the end.
    this.#pending.sort((a, b) => b.checkpoint.treeSize - a.checkpoint.treeSize);
    this.#settleDue();
  }

  /** Number of entries added so far. */
  get size(): number {
    return this.#frontier.size;
  }

  /** Adds the next entry; entries must come in the order the server returns them (by seq). */
  add(entry: AuditEntry): void {
    const position = this.#frontier.size + 1;
    if (entry.practiceId !== this.#expected.practiceId) {
      this.#report('wrong_practice', position, `entry ${entry.seq} belongs to practice ${entry.practiceId}`);
    }
    if (entry.seq !== position) {
      this.#report('seq_gap', position, `expected seq ${position}, found ${entry.seq}`);
    }
    const bytes = auditEntryBytes(entry);
    const chain = chainStep(this.#chain, bytes);
    if (chain !== entry.entryHash) {
      this.#report('chain_broken', entry.seq, `entry ${entry.seq} does not hash to its stored entry hash`);
    }
    // Checkpoints are compared with the true chain over the content, whatever hashes are stored.
    this.#chain = hexToBytes(chain);
    this.#lastStoredHash = entry.entryHash;
    this.#frontier.push(leafHash(bytes));
    this.#settleDue();
  }

  /** The verdict over everything added. */
  finish(): AuditVerification {
    const size = this.#frontier.size;
    for (const { checkpoint, remembered } of this.#pending) {
      this.#report(
        'truncated',
        size + 1,
        `${remembered ? 'the remembered checkpoint' : 'a signed checkpoint'} covers ${checkpoint.treeSize} entries, only ${size} exist`,
      );
    }
    const head = this.#expected.head;
    if (head !== undefined) {
      if (head.seq > size) {
        this.#report('truncated', size + 1, `the head says ${head.seq} entries, only ${size} exist`);
      } else if (head.seq !== size || head.headHash !== this.#lastStoredHash) {
        this.#report('head_mismatch', head.seq, `the head (seq ${head.seq}) is not the last entry (${size})`);
      }
    }
    const problems = [...this.#problems.values()].map(({ problem, more }) =>
      more === 0 ? problem : { ...problem, detail: `${problem.detail} (and ${more} more)` },
    );
    const counts = { treeSize: size, checkpointsVerified: this.#verified };
    return problems.length === 0
      ? { ok: true, ...counts, checkpoint: this.#latest }
      : { ok: false, ...counts, problems };
  }

  /** Signature and practice checks that need no entries; false drops the checkpoint. */
  #admit({ checkpoint, remembered }: PendingCheckpoint): boolean {
    if (checkpoint.practiceId !== this.#expected.practiceId) {
      this.#report('wrong_practice', checkpoint.treeSize, 'a checkpoint of another practice was served');
      return false;
    }
    if (!verifyAuditCheckpointSignature(checkpoint, this.#expected.serverPublicKey)) {
      const which = remembered ? 'the remembered checkpoint' : 'checkpoint';
      this.#report(
        'checkpoint_signature',
        checkpoint.treeSize,
        `${which} at tree size ${checkpoint.treeSize} is not signed by the server key`,
      );
      return false;
    }
    return true;
  }

  /** Compares every checkpoint whose tree size has been reached with the entries so far. */
  #settleDue(): void {
    const size = this.#frontier.size;
    for (let due = this.#pending.at(-1); due && due.checkpoint.treeSize <= size; due = this.#pending.at(-1)) {
      this.#pending.pop();
      const { checkpoint, remembered } = due;
      const matches =
        bytesToHex(this.#frontier.root()) === checkpoint.rootHash &&
        bytesToHex(this.#chain) === checkpoint.chainHead;
      if (matches) {
        if (!remembered) this.#verified++;
        if (this.#latest === null || checkpoint.treeSize >= this.#latest.treeSize) this.#latest = checkpoint;
      } else if (remembered) {
        this.#report(
          'inconsistent_with_remembered',
          checkpoint.treeSize,
          `the first ${checkpoint.treeSize} entries are not the ones the remembered checkpoint covers`,
        );
      } else {
        this.#report(
          'checkpoint_mismatch',
          checkpoint.treeSize,
          `the signed checkpoint at tree size ${checkpoint.treeSize} does not match the entries`,
        );
      }
    }
  }

  #report(kind: AuditProblemKind, seq: number, detail: string): void {
    const seen = this.#problems.get(kind);
    if (seen) seen.more++;
    else this.#problems.set(kind, { problem: { kind, seq, detail }, more: 0 });
  }
}

/** Verifies a whole trail held in memory; see `AuditTrailVerifier` for large trails. */
export function verifyAuditTrail(
  input: AuditTrailExpectations & { readonly entries: Iterable<AuditEntry> },
): AuditVerification {
  const verifier = new AuditTrailVerifier(input);
  for (const entry of input.entries) verifier.add(entry);
  return verifier.finish();
}
