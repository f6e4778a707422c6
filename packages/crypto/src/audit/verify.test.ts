import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesToHex } from '../encoding.js';
import {
  type AuditCheckpoint,
  type AuditSigner,
  auditCheckpointMessage,
  auditSignerFromSeed,
  signAuditCheckpoint,
  verifyAuditCheckpointSignature,
  verifyCheckpointConsistency,
} from './checkpoint.js';
import {
  AUDIT_CHAIN_GENESIS,
  type AuditEntry,
  type AuditEntryFields,
  auditChainHash,
  auditEntryBytes,
  auditEntryProblem,
  auditLeafHash,
} from './entry.js';
import { consistencyProof, merkleRoot } from './merkle.js';
import { type AuditProblemKind, type AuditVerification, verifyAuditTrail } from './verify.js';

const PRACTICE = '0a0a0a0a-0000-4000-8000-00000000000a';
const OTHER = '0b0b0b0b-0000-4000-8000-00000000000b';
const USER = '1a1a1a1a-0000-4000-8000-00000000001a';
const SERVER = auditSignerFromSeed(new Uint8Array(32).fill(7));
const ATTACKER = auditSignerFromSeed(new Uint8Array(32).fill(9));

function fields(seq: number, practiceId = PRACTICE): AuditEntryFields {
  return {
    practiceId,
    seq,
    occurredAt: new Date(Date.UTC(2026, 10, 23, 20, 0, seq)).toISOString(),
    actorUserId: USER,
    deviceId: null,
    action: seq % 2 === 0 ? 'record.updated' : 'record.created',
    targetId: `rec-${seq}`,
    ciphertextHash: bytesToHex(new Uint8Array(32).fill(seq % 256)),
  };
}

/** Chains entries as the server does: each entry hash covers its content and its predecessor. */
function chain(all: readonly AuditEntryFields[]): AuditEntry[] {
  let previous = AUDIT_CHAIN_GENESIS;
  return all.map((entry) => {
    previous = auditChainHash(previous, entry);
    return { ...entry, entryHash: previous };
  });
}

function checkpoint(entries: readonly AuditEntry[], size: number, signer: AuditSigner): AuditCheckpoint {
  return signAuditCheckpoint(
    {
      practiceId: PRACTICE,
      treeSize: size,
      rootHash: bytesToHex(merkleRoot(entries.slice(0, size).map(auditLeafHash))),
      chainHead: size === 0 ? AUDIT_CHAIN_GENESIS : entries[size - 1]!.entryHash,
      createdAt: new Date(Date.UTC(2026, 10, 23, 21, 0, size)).toISOString(),
    },
    signer,
  );
}

const ENTRIES = chain(Array.from({ length: 30 }, (_, i) => fields(i + 1)));
const CHECKPOINTS = [10, 20, 30].map((size) => checkpoint(ENTRIES, size, SERVER));

function verify(
  entries: readonly AuditEntry[],
  options: { checkpoints?: AuditCheckpoint[]; remembered?: AuditCheckpoint; head?: number } = {},
): AuditVerification {
  const last = options.head === undefined ? undefined : ENTRIES[options.head - 1];
  return verifyAuditTrail({
    practiceId: PRACTICE,
    entries,
    checkpoints: options.checkpoints ?? CHECKPOINTS,
    serverPublicKey: SERVER.publicKey,
    remembered: options.remembered,
    head: last && { seq: last.seq, headHash: last.entryHash },
  });
}

function kinds(result: AuditVerification): [AuditProblemKind, number][] {
  return result.ok ? [] : result.problems.map((p) => [p.kind, p.seq]);
}

describe('audit entry format', () => {
  it('has the documented canonical bytes and chain hash (hash checked with node:crypto)', () => {
    const first = fields(1);
    assert.equal(
      new TextDecoder().decode(auditEntryBytes(first)),
      '["tresor/audit/v1","0a0a0a0a-0000-4000-8000-00000000000a",1,"2026-11-23T20:00:01.000Z",' +
        '"1a1a1a1a-0000-4000-8000-00000000001a",null,"record.created","rec-1",' +
        '"0101010101010101010101010101010101010101010101010101010101010101"]',
    );
    assert.equal(ENTRIES[0]!.entryHash, '6e593a0116071c8e274e2d4e0993b26596c5bdfa1c7e7ea2285f7ebacf63c9db');
  });

  it('refuses plaintext-looking or malformed fields', () => {
    assert.equal(auditEntryProblem(fields(1)), undefined);
    const bad: Partial<AuditEntryFields>[] = [
      { practiceId: PRACTICE.toUpperCase() },
      { seq: 0 },
      { occurredAt: '2026-11-23 20:00:00' },
      { actorUserId: 'dr.mueller' },
      { action: 'Record Updated' },
      { action: 'updated' },
      { targetId: 'Erika Mustermann' },
      { targetId: 'x'.repeat(201) },
      { ciphertextHash: 'ABC' },
    ];
    for (const change of bad)
      assert.ok(auditEntryProblem({ ...fields(1), ...change }), JSON.stringify(change));
  });
});

describe('audit checkpoints', () => {
  it('sign deterministically over the documented message (regression vector)', () => {
    const [first] = CHECKPOINTS;
    assert.ok(first);
    assert.equal(
      new TextDecoder().decode(auditCheckpointMessage(first)),
      `["tresor/audit-checkpoint/v1","${PRACTICE}",10,"${first.rootHash}","${first.chainHead}","2026-11-23T21:00:10.000Z"]`,
    );
    assert.equal(first.signature, checkpoint(ENTRIES, 10, SERVER).signature);
    assert.ok(verifyAuditCheckpointSignature(first, SERVER.publicKey));
    assert.equal(verifyAuditCheckpointSignature({ ...first, treeSize: 11 }, SERVER.publicKey), false);
    assert.equal(verifyAuditCheckpointSignature(first, ATTACKER.publicKey), false);
    assert.equal(verifyAuditCheckpointSignature({ ...first, signature: 'AA' }, SERVER.publicKey), false);
  });

  it('agree with an independent Ed25519 implementation (vector from node:crypto)', () => {
    const body = {
      practiceId: PRACTICE,
      treeSize: 1,
      rootHash: 'ab'.repeat(32),
      chainHead: 'cd'.repeat(32),
      createdAt: '2026-11-23T21:00:00.000Z',
    };
    assert.equal(
      signAuditCheckpoint(body, SERVER).signature,
      'u2WPYYWzQwA9Pi9yXe-Y28HyQRE1AkmQFa5ObSoY-AE2TA2FW1uNbs4UGlNqBmPv8jkp6TEoVlxvQlBEw_vPAQ',
    );
  });
});

describe('verifyAuditTrail', () => {
  it('accepts an intact trail and names the newest checkpoint', () => {
    const result = verify(ENTRIES, { head: 30, remembered: CHECKPOINTS[0]! });
    assert.deepEqual(result, { ok: true, treeSize: 30, checkpointsVerified: 3, checkpoint: CHECKPOINTS[2] });
    assert.ok(verify([], { checkpoints: [] }).ok);
  });

  it('detects an edited row', () => {
    const edited = ENTRIES.map((e) => (e.seq === 15 ? { ...e, action: 'record.deleted' } : e));
    assert.deepEqual(kinds(verify(edited)), [
      ['chain_broken', 15],
      ['checkpoint_mismatch', 20],
    ]);
  });

  it('detects an edited row whose hash was recomputed', () => {
    const row = { ...ENTRIES[14]!, targetId: 'rec-999' };
    const edited = ENTRIES.map((e) =>
      e.seq === 15 ? { ...row, entryHash: auditChainHash(ENTRIES[13]!.entryHash, row) } : e,
    );
    assert.deepEqual(kinds(verify(edited)), [
      ['chain_broken', 16],
      ['checkpoint_mismatch', 20],
    ]);
  });

  it('detects a deleted row', () => {
    const result = verify(ENTRIES.filter((e) => e.seq !== 12));
    assert.deepEqual(kinds(result).slice(0, 3), [
      ['seq_gap', 12],
      ['chain_broken', 13],
      ['checkpoint_mismatch', 20],
    ]);
    assert.ok(kinds(result).some(([kind]) => kind === 'truncated'));
  });

  it('detects a truncated tail by the checkpoint, the head and the remembered checkpoint', () => {
    const tail = ENTRIES.slice(0, 25);
    assert.deepEqual(kinds(verify(tail)), [['truncated', 26]]);
    assert.deepEqual(kinds(verify(tail, { checkpoints: CHECKPOINTS.slice(0, 2), head: 30 })), [
      ['truncated', 26],
    ]);
    assert.deepEqual(kinds(verify(tail, { checkpoints: [], remembered: CHECKPOINTS[2]! })), [
      ['truncated', 26],
    ]);
    // With the checkpoints and the head also cut back, only a remembered checkpoint can tell.
    assert.ok(verify(ENTRIES.slice(0, 20), { checkpoints: CHECKPOINTS.slice(0, 2), head: 20 }).ok);
  });

  describe('a whole chain rebuilt with consistent hashes', () => {
    const forged = chain(ENTRIES.map((e) => (e.seq === 5 ? { ...fields(5), action: 'record.viewed' } : e)));

    it('is detected by the old checkpoints when they are kept', () => {
      assert.deepEqual(kinds(verify(forged)), [['checkpoint_mismatch', 10]]);
    });

    it('is detected by the signatures when the attacker lacks the server key', () => {
      const resigned = [10, 20, 30].map((size) => checkpoint(forged, size, ATTACKER));
      assert.deepEqual(kinds(verify(forged, { checkpoints: resigned })), [['checkpoint_signature', 10]]);
    });

    it('is detected only by a remembered checkpoint when the attacker holds the server key', () => {
      const resigned = [10, 20, 30].map((size) => checkpoint(forged, size, SERVER));
      assert.ok(verify(forged, { checkpoints: resigned }).ok);
      assert.deepEqual(kinds(verify(forged, { checkpoints: resigned, remembered: CHECKPOINTS[0]! })), [
        ['inconsistent_with_remembered', 10],
      ]);
      // A light client that only fetches the newest checkpoint and a consistency proof sees it too.
      const proof = consistencyProof(forged.map(auditLeafHash), 10).map(bytesToHex);
      const check = verifyCheckpointConsistency({
        serverPublicKey: SERVER.publicKey,
        remembered: CHECKPOINTS[0]!,
        latest: resigned[2]!,
        proof,
      });
      assert.equal(check.ok ? 'ok' : check.reason, 'inconsistent_with_remembered');
    });
  });

  it('refuses entries and checkpoints of another practice', () => {
    const foreign = chain(Array.from({ length: 3 }, (_, i) => fields(i + 1, OTHER)));
    assert.deepEqual(kinds(verify(foreign, { checkpoints: [] }))[0], ['wrong_practice', 1]);
  });
});

describe('verifyCheckpointConsistency', () => {
  const proof = (from: number, to: number) =>
    consistencyProof(ENTRIES.slice(0, to).map(auditLeafHash), from).map(bytesToHex);
  const [c10, c20, c30] = CHECKPOINTS as [AuditCheckpoint, AuditCheckpoint, AuditCheckpoint];
  const check = (remembered: AuditCheckpoint, latest: AuditCheckpoint, p: string[]) => {
    const result = verifyCheckpointConsistency({
      serverPublicKey: SERVER.publicKey,
      remembered,
      latest,
      proof: p,
    });
    return result.ok ? 'ok' : result.reason;
  };

  it('accepts an honest extension and an unchanged log', () => {
    assert.equal(check(c10, c30, proof(10, 30)), 'ok');
    assert.equal(check(c20, c20, []), 'ok');
  });

  it('refuses a shrunk log, a wrong proof and a forged signature', () => {
    assert.equal(check(c30, c20, []), 'truncated');
    assert.equal(check(c10, c30, proof(20, 30)), 'inconsistent_with_remembered');
    assert.equal(check(c10, c30, ['zz']), 'inconsistent_with_remembered');
    assert.equal(check(c10, { ...c30, rootHash: c20.rootHash }, proof(10, 30)), 'checkpoint_signature');
    assert.equal(check(c10, checkpoint(ENTRIES, 30, ATTACKER), proof(10, 30)), 'checkpoint_signature');
  });
});
