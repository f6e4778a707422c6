import { createHmac } from 'node:crypto';
import type { Brand } from '@tresor/crypto';
import type { IdKey } from './keys.js';

/** A blob id: HMAC-SHA-256 of the blob's plaintext under the repository's id key, 64 hex digits. */
export type BlobId = Brand<string, 'BlobId'>;

const BLOB_ID_PATTERN = /^[0-9a-f]{64}$/;

/** Keyed, so an id says nothing about the content to anyone without the repository key. */
export function computeBlobId(key: IdKey, plaintext: Uint8Array): BlobId {
  return createHmac('sha256', key).update(plaintext).digest('hex') as BlobId;
}

export function isBlobId(value: unknown): value is BlobId {
  return typeof value === 'string' && BLOB_ID_PATTERN.test(value);
}

export function parseBlobId(value: unknown): BlobId {
  if (!isBlobId(value)) throw new TypeError('not a blob id');
  return value;
}
