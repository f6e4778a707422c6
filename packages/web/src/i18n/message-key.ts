import { type MessageKey, messagesDe } from './messages.de';

/** True for a key of the catalogue, e.g. one built from a server code (`auditAction.${code}`). */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(messagesDe, key);
}
