import type { MessageKey } from '../../i18n/messages.de';

const SYMBOLS = 32;

/**
 * The problem with a recovery code as typed, if any: it must be 32 letters and digits; dashes,
 * spaces and case do not matter (the SDK's parser reads it the same way). Only the shape is
 * checked here: whether it is the right code only the recovery itself can tell.
 */
export function recoveryCodeProblem(code: string): MessageKey | undefined {
  const symbols = code.replace(/[\s-]/gu, '');
  return symbols.length === SYMBOLS && /^[0-9a-z]+$/iu.test(symbols)
    ? undefined
    : 'recoverAccount.codeInvalidFormat';
}
