export type { Brand } from './brand.js';
export { sha256 } from './digest.js';
export {
  base64urlToBytes,
  bytesToBase64url,
  bytesToHex,
  bytesToUtf8,
  constantTimeEqual,
  hexToBytes,
  utf8ToBytes,
} from './encoding.js';
export { randomBytes } from './random.js';
