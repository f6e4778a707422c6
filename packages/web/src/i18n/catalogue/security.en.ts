import type { securityMessagesDe } from './security.de';

/** English: passkeys, second-factor retries, trusting a granter's new practice key. */
export const securityMessagesEn = {
  'passkeys.title': 'Passkeys',
  'passkeys.explain':
    'A passkey replaces the 6-digit code at sign-in: your device (fingerprint, face, PIN or security key) confirms it is you. The password is still needed.',
  'passkeys.none': 'No passkeys set up yet.',
  'passkeys.listLabel': 'Your passkeys',
  'passkeys.created': 'Set up on {when}',
  'passkeys.lastUsed': 'last used on {when}',
  'passkeys.neverUsed': 'not used yet',
  'passkeys.name': 'Passkey name',
  'passkeys.nameHint': 'So you recognise it later, e.g. “Reception PC”.',
  'passkeys.add': 'Add passkey',
  'passkeys.added': 'Passkey “{name}” has been set up.',
  'passkeys.remove': 'Remove',
  'passkeys.removeQuestion': 'Remove passkey “{name}”? It can no longer be used to sign in.',
  'passkeys.removeConfirm': 'Remove passkey',
  'passkeys.unsupported': 'This browser does not support passkeys.',

  'login.usePasskey': 'Use passkey',
  'login.passkeyOr': 'Or confirm the sign-in with one of your passkeys.',
  'login.retryTotp': 'The code was wrong or already used. Please enter the next code.',
  'login.retryPasskey': 'The passkey could not be verified. Please try again or enter the code.',
  'error.passkeyCancelled': 'The passkey was not used (cancelled or timed out).',
  'error.passkeyAlreadyRegistered': 'This device already holds a passkey of yours.',
  'error.passkeyFailed': 'The passkey could not be used on this device.',
  'trust.bannerTitle': 'New practice key from {name} – compare fingerprints',
  'trust.bannerExplain':
    '{name} handed you a practice key. You do not trust this primary user yet; until you have compared the fingerprint, the key stays locked and newer records cannot be read.',
  'trust.compare': 'Compare fingerprint',
  'trust.dialogTitle': 'Compare the fingerprint of {name}',
  'trust.dialogExplain':
    'Ask {name} to look up their own fingerprint under “Users” (the entry marked “You”) and compare it digit by digit with this one – side by side or on the phone, not by e-mail:',
  'trust.dialogWarning':
    'If the digits do not match, cancel: the key then does not come from {name}, and you should report it.',
  'trust.matches': 'The fingerprints match.',
  'trust.confirm': 'Trust and unlock the key',
  'handOver.unlocking': 'The practice key has arrived and is being unlocked …',
} as const satisfies Readonly<Record<keyof typeof securityMessagesDe, string>>;
