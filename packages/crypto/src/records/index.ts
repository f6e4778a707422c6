export {
  DATA_KEY_PURPOSE,
  pkVersionOfKid,
  practiceKeyKid,
  type RecordContext,
  unwrapDataKey,
  wrapDataKey,
} from './data-key.js';
export { DATA_KEY_KID, type FieldContext, openField, sealField } from './field-cipher.js';
export {
  BLIND_INDEX_BITS,
  BLIND_INDEX_FIELDS,
  type BlindIndexField,
  type BlindIndexKey,
  BlindIndexer,
  type BlindIndexValues,
  blindIndexValue,
  deriveBlindIndexKey,
  nameDobIndexInput,
  normalizeKvnr,
} from './blind-index.js';
export { nameTokens, normalizeGermanName } from './german-names.js';
export { koelnerPhonetik } from './koelner-phonetik.js';
export {
  DOCUMENT_CHUNK_OVERHEAD,
  DOCUMENT_CHUNK_SIZE,
  DocumentCipher,
  type DocumentContext,
  type DocumentKey,
  deriveDocumentKey,
  documentChunkCount,
  MAX_DOCUMENT_SIZE,
  sealedChunkLength,
} from './document-cipher.js';
export { chunkPlaintext, openChunks, type PlainChunk } from './chunk-stream.js';
export { DirectoryCipher, directoryKid, pkVersionOfDirectoryKid } from './directory-cipher.js';
