import {
  AUDIT_CHAIN_GENESIS,
  type AuditCheckpoint,
  type AuditEntry,
  type AuditProblem,
  type AuditSigner,
  type AuditSigningPublicKey,
  AuditTrailVerifier,
  type AuditVerification,
  auditChainHash,
  auditLeafHash,
  bytesToBase64url,
  bytesToHex,
  consistencyProofRanges,
  hexToBytes,
  MerkleFrontier,
  RangeHasher,
  signAuditCheckpoint,
  verifyAuditCheckpointSignature,
} from '@tresor/crypto';
import { AppError } from '../../platform/app-error.js';
import type { PracticeScope } from '../../platform/db/tenant.js';
import type { AuditStore, StoredCheckpoint } from './audit.store.js';

export type CheckpointOutcome =
  | { readonly status: 'created'; readonly checkpoint: AuditCheckpoint }
  | { readonly status: 'unchanged'; readonly checkpoint: AuditCheckpoint | undefined }
  /** The log does not extend the previous checkpoint: nothing is signed. */
  | { readonly status: 'refused'; readonly problem: AuditProblem };

const PAGE = 1000;

/** Reading, proving and checkpointing audit logs. Appends go through `AuditLog`. */
export class AuditService {
  private readonly clock: () => Date;
  /** The last checkpoint this process signed per practice: deleting or replacing it is noticed. */
  private readonly signed = new Map<string, AuditCheckpoint>();

  constructor(
    private readonly store: AuditStore,
    private readonly signer: AuditSigner,
    options: { readonly clock?: () => Date } = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
  }

  signingKey(): { algorithm: 'Ed25519'; publicKey: string } {
    return { algorithm: 'Ed25519', publicKey: bytesToBase64url(this.signer.publicKey) };
  }

  entries(
    practiceId: string,
    afterSeq: number,
    limit: number,
  ): Promise<{ entries: AuditEntry[]; treeSize: number }> {
    return this.store.inPractice(practiceId, async (scope) => ({
      entries: await this.store.entries(scope, practiceId, afterSeq, limit),
      treeSize: (await this.store.head(scope, practiceId))?.seq ?? 0,
    }));
  }

  checkpoints(practiceId: string, afterTreeSize: number, limit: number): Promise<AuditCheckpoint[]> {
    return this.store.inPractice(practiceId, (scope) =>
      this.store.checkpoints(scope, practiceId, afterTreeSize, limit),
    );
  }

  async latestCheckpoint(practiceId: string): Promise<AuditCheckpoint> {
    const stored = await this.store.inPractice(practiceId, (scope) =>
      this.store.latestCheckpoint(scope, practiceId),
    );
    if (stored === undefined) throw new AppError('audit.no_checkpoint');
    return withoutFrontier(stored);
  }

  /** RFC 6962 consistency proof between the log's first `from` and first `to` entries. */
  async consistencyProof(
    practiceId: string,
    from: number,
    to: number,
  ): Promise<{ from: number; to: number; proof: string[] }> {
    if (from < 1 || to < from) throw new AppError('audit.invalid_range');
    return this.store.inPractice(practiceId, async (scope) => {
      const size = (await this.store.head(scope, practiceId))?.seq ?? 0;
      if (to > size) throw new AppError('audit.beyond_tree_size');
      const hasher = new RangeHasher(consistencyProofRanges(from, to));
      for await (const entry of this.walk(scope, practiceId, 0, hasher.needed)) {
        hasher.push(auditLeafHash(entry));
      }
      return { from, to, proof: hasher.hashes().map(bytesToHex) };
    });
  }

  /**
   * Signs the practice's current head. The entries since the previous checkpoint are checked
   * first (sequence, chain, and the stored frontier against the signed root), so the server never
   * signs a log that does not extend what it signed before; while it runs, it also notices its own
   * checkpoints being deleted or replaced. No-op when nothing was appended.
   */
  async createCheckpoint(practiceId: string): Promise<CheckpointOutcome> {
    const outcome = await this.store.inPractice(practiceId, (scope) => this.checkpointIn(scope, practiceId));
    // Remembered only once committed.
    if (outcome.status === 'created') this.signed.set(practiceId, outcome.checkpoint);
    return outcome;
  }

  private async checkpointIn(scope: PracticeScope, practiceId: string): Promise<CheckpointOutcome> {
    const head = await this.store.lockExistingHead(scope, practiceId);
    const latest = await this.store.latestCheckpoint(scope, practiceId);
    const signedBefore = this.signed.get(practiceId);
    if (signedBefore !== undefined && !stillThere(signedBefore, latest)) {
      return refused(
        'inconsistent_with_remembered',
        signedBefore.treeSize,
        'a checkpoint this server signed is gone or was replaced',
      );
    }
    if (head === undefined || head.seq === 0 || latest?.treeSize === head.seq) {
      return { status: 'unchanged', checkpoint: latest && withoutFrontier(latest) };
    }
    const start = latest === undefined ? fresh() : this.resume(latest);
    if ('problem' in start) return { status: 'refused', problem: start.problem };
    const { frontier } = start;
    let chain = start.chain;
    for await (const entry of this.walk(scope, practiceId, frontier.size, head.seq)) {
      if (entry.seq !== frontier.size + 1) {
        return refused('seq_gap', frontier.size + 1, 'an entry is missing');
      }
      chain = auditChainHash(chain, entry);
      if (chain !== entry.entryHash) return refused('chain_broken', entry.seq, 'an entry was changed');
      frontier.push(auditLeafHash(entry));
    }
    if (frontier.size !== head.seq) {
      return refused('truncated', Math.min(frontier.size, head.seq) + 1, `the head says ${head.seq} entries`);
    }
    if (chain !== head.headHash) {
      return refused('head_mismatch', head.seq, 'the head is not the last entry');
    }
    const checkpoint = signAuditCheckpoint(
      {
        practiceId,
        treeSize: head.seq,
        rootHash: bytesToHex(frontier.root()),
        chainHead: chain,
        createdAt: this.clock().toISOString(),
      },
      this.signer,
    );
    await this.store.insertCheckpoint(scope, { ...checkpoint, frontier: frontier.nodes().map(bytesToHex) });
    return { status: 'created', checkpoint };
  }

  /**
   * Verifies the practice's whole trail as stored, reading as the owning role (so neither a
   * missing privilege nor an added policy can hide rows from the check).
   */
  verify(
    practiceId: string,
    serverPublicKey: AuditSigningPublicKey,
    remembered?: AuditCheckpoint,
  ): Promise<AuditVerification> {
    return this.store.inPractice(
      practiceId,
      async (scope) => {
        const checkpoints: AuditCheckpoint[] = [];
        for (let page = await this.store.checkpoints(scope, practiceId, 0, PAGE); page.length > 0;) {
          checkpoints.push(...page);
          page = await this.store.checkpoints(scope, practiceId, page.at(-1)!.treeSize, PAGE);
        }
        const head = (await this.store.head(scope, practiceId)) ?? { seq: 0, headHash: AUDIT_CHAIN_GENESIS };
        const verifier = new AuditTrailVerifier({
          practiceId,
          checkpoints,
          serverPublicKey,
          remembered,
          head,
        });
        for await (const entry of this.walk(scope, practiceId, 0, Number.MAX_SAFE_INTEGER)) {
          verifier.add(entry);
        }
        return verifier.finish();
      },
      { asOwner: true },
    );
  }

  /** The signed root and chain head of the previous checkpoint, with its frontier checked against them. */
  private resume(
    latest: StoredCheckpoint,
  ): { frontier: MerkleFrontier; chain: string } | { problem: AuditProblem } {
    if (!verifyAuditCheckpointSignature(latest, this.signer.publicKey)) {
      return problem(
        'checkpoint_signature',
        latest.treeSize,
        'the latest checkpoint is not signed by this server',
      );
    }
    try {
      const frontier = MerkleFrontier.restore(latest.treeSize, latest.frontier.map(hexToBytes));
      if (bytesToHex(frontier.root()) === latest.rootHash) return { frontier, chain: latest.chainHead };
    } catch {
      // A malformed frontier is reported like a wrong one.
    }
    return problem(
      'checkpoint_mismatch',
      latest.treeSize,
      'the stored frontier does not give the signed root',
    );
  }

  /** Entries with afterSeq < seq ≤ untilSeq, ascending, read page by page. */
  private async *walk(
    scope: PracticeScope,
    practiceId: string,
    afterSeq: number,
    untilSeq: number,
  ): AsyncGenerator<AuditEntry> {
    let after = afterSeq;
    while (after < untilSeq) {
      const page = await this.store.entries(scope, practiceId, after, Math.min(PAGE, untilSeq - after));
      for (const entry of page) {
        if (entry.seq > untilSeq) return;
        yield entry;
      }
      if (page.length === 0) return;
      after = page.at(-1)!.seq;
    }
  }
}

function fresh(): { frontier: MerkleFrontier; chain: string } {
  return { frontier: MerkleFrontier.empty(), chain: AUDIT_CHAIN_GENESIS };
}

function problem(kind: AuditProblem['kind'], seq: number, detail: string): { problem: AuditProblem } {
  return { problem: { kind, seq, detail } };
}

function refused(kind: AuditProblem['kind'], seq: number, detail: string): CheckpointOutcome {
  return { status: 'refused', ...problem(kind, seq, detail) };
}

/** Is the checkpoint signed earlier still the latest, or followed by newer ones? */
function stillThere(signed: AuditCheckpoint, latest: AuditCheckpoint | undefined): boolean {
  if (latest === undefined || latest.treeSize < signed.treeSize) return false;
  return latest.treeSize > signed.treeSize || latest.rootHash === signed.rootHash;
}

function withoutFrontier(stored: StoredCheckpoint): AuditCheckpoint {
  const { practiceId, treeSize, rootHash, chainHead, createdAt, signature } = stored;
  return { practiceId, treeSize, rootHash, chainHead, createdAt, signature };
}
