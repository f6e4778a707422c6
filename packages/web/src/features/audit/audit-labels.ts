import type { Translate } from '../../i18n/i18n';
import { isMessageKey } from '../../i18n/message-key';

/** An audit action in the user's language; an action this app does not know (yet) as its code. */
export function auditActionLabel(action: string, t: Translate): string {
  const key = `auditAction.${action}`;
  return isMessageKey(key) ? t(key) : action;
}

/** What an audit-verification problem means, in the user's language; an unknown kind as its code. */
export function auditProblemLabel(kind: string, t: Translate): string {
  const key = `auditProblem.${kind}`;
  return isMessageKey(key) ? t(key) : kind;
}
