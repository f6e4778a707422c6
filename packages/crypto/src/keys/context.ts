/**
 * Where a ciphertext belongs. Bound into the AAD of every envelope and sealed box, so a
 * ciphertext copied into another practice, another owner's row or another purpose fails to open.
 */
export interface EnvelopeContext {
  /** The practice the ciphertext belongs to. */
  readonly practiceId: string;
  /** The row/entity it belongs to, e.g. the user id for a user key, the record id for a data key. */
  readonly owner: string;
  /** What it is, e.g. `'uk.by-password'`, `'uk.by-recovery'`, `'user.private-keys'`, `'dk'`. */
  readonly purpose: string;
}

/** Longest accepted context field, in UTF-16 code units. */
const MAX_CONTEXT_FIELD_LENGTH = 512;

/**
 * Internal: the context fields in AAD order, after checking each is a non-empty string (a
 * programming error otherwise, hence a TypeError rather than a DecryptionError).
 */
export function contextFields(context: EnvelopeContext): [string, string, string] {
  const { practiceId, owner, purpose } = context;
  for (const [name, value] of [
    ['practiceId', practiceId],
    ['owner', owner],
    ['purpose', purpose],
  ] as const) {
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_CONTEXT_FIELD_LENGTH) {
      throw new TypeError(`envelope context: ${name} must be a non-empty string of at most 512 characters`);
    }
  }
  return [practiceId, owner, purpose];
}
