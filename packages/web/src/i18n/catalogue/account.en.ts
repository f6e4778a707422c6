import type { accountMessagesDe } from './account.de';

/** English: creating a practice, signing in, joining by invite, the session. */
export const accountMessagesEn = {
  'common.cancel': 'Cancel',
  'common.save': 'Save',
  'common.loading': 'Loading …',
  'common.refresh': 'Refresh',
  'common.actions': 'Actions',
  'common.fingerprint': 'Fingerprint',

  'home.signIn': 'Sign in',
  'home.createPractice': 'Create a practice',

  'form.username': 'Login name',
  'form.usernameHint': 'At least 3 characters: lower-case letters, digits and . _ @ -',
  'form.usernameInvalid': 'Please choose a login name of at least 3 characters (a–z, 0–9, . _ @ -).',
  'form.password': 'Password',
  'form.passwordHint': 'At least {min} characters. A passphrase of several words is easy to remember.',
  'form.passwordRepeat': 'Repeat password',
  'form.passwordTooShort': 'The password is too short.',
  'form.passwordMismatch': 'The two passwords do not match.',
  'form.required': 'Please fill in.',

  'createPractice.title': 'Create a practice',
  'createPractice.intro':
    'The practice key, your user key and a recovery code are made on this device now. The server only receives encrypted keys.',
  'createPractice.practiceName': 'Practice name',
  'createPractice.submit': 'Create practice',
  'createPractice.creating': 'Making keys …',
  'createPractice.createdTitle': 'Practice created',
  'createPractice.createdIntro': 'Now store your recovery code safely.',

  'recovery.heading': 'Your recovery code',
  'recovery.explain':
    'This code gets you back to your data if you forget your password. It is shown only this once and never sent to the server.',
  'recovery.practice': 'Practice',
  'recovery.username': 'Login name',
  'recovery.codeLabel': 'Recovery code in groups of four',
  'recovery.warning':
    'Print it or copy it by hand and keep it locked away. Without the password and without this code the data cannot be recovered.',
  'recovery.print': 'Print emergency sheet',
  'recovery.confirmStored': 'I have stored the recovery code safely.',
  'recovery.continue': 'Continue',
  'recovery.leaveQuestion':
    'The recovery code is shown only now and cannot be shown again. Leave the page anyway?',

  'login.title': 'Sign in',
  'login.unlockTitle': 'Unlock',
  'login.intro':
    'Your password never leaves this device (OPAQUE); a one-time code and a device check follow.',
  'login.submit': 'Sign in',
  'login.working': 'Signing in …',
  'login.noPractice': 'No practice yet?',
  'login.createPractice': 'Create a practice',
  'login.forgotPassword': 'Forgot your password?',
  'login.useRecoveryCode': 'Use your recovery code',
  'login.enrolTitle': 'Set up two-factor sign-in',
  'login.enrolExplain':
    'Scan the QR code with an authenticator app (e.g. FreeOTP, Google Authenticator) or type in the key by hand. It is shown only now.',
  'login.qrLabel': 'QR code for the authenticator app',
  'login.enrolSecretLabel': 'Key for typing in by hand:',
  'login.codeTitle': 'Enter your one-time code',
  'login.code': 'Six-digit code',
  'login.codeHint': 'The code from your authenticator app; it changes every 30 seconds.',
  'login.codeInvalidFormat': 'Please enter the six digits of the code.',
  'login.confirmCode': 'Confirm',
  'login.pendingTitle': 'Device waiting for approval',
  'login.pendingExplain':
    'This device (“{device}”) is new. Ask a colleague with the primary role – or yourself on an already approved device – to approve it under “Devices”. Compare this fingerprint while doing so:',
  'login.pendingNext': 'After the approval, sign in here again.',
  'login.pendingRetry': 'Sign in again',

  'recoverAccount.title': 'Recover your account',
  'recoverAccount.intro':
    'The recovery code from your emergency sheet lets you set a new password; your data stays as it is. The code does not leave this device: it decrypts your user key here and is proven to the server only by a signature.',
  'recoverAccount.code': 'Recovery code',
  'recoverAccount.codeHint':
    '32 characters in eight groups of four, as on your emergency sheet. Dashes, spaces and upper or lower case do not matter.',
  'recoverAccount.codeInvalidFormat': 'A recovery code consists of 32 letters and digits.',
  'recoverAccount.newPassword': 'New password',
  'recoverAccount.submit': 'Set new password',
  'recoverAccount.working': 'Recovering your account …',
  'recoverAccount.failed': 'Login name or recovery code is wrong. Nothing was changed; please check both.',
  'recoverAccount.remembered': 'Remembered your password?',
  'recoverAccount.signIn': 'Go to sign-in',
  'recoverAccount.doneTitle': 'New password set',
  'recoverAccount.doneIntro': 'Your account is recovered.',
  'recoverAccount.doneSessions':
    'All your sessions were ended, on other devices too. The old password no longer works.',
  'recoverAccount.doneNext':
    'Sign in with the new password now. Then comes two-factor sign-in as usual (one-time code or passkey; the first time, you set it up) and, on a new device, its approval.',
  'recoverAccount.doneCodeKept': 'Your recovery code stays valid. Keep the emergency sheet stored safely.',

  'invite.title': 'Accept invitation',
  'invite.intro':
    'Choose your login name and password. Your keys are made on this device; the person who invited you then hands over the practice key.',
  'invite.submit': 'Create account',
  'invite.joining': 'Making keys …',
  'invite.joinedTitle': 'Account created',
  'invite.joinedIntro': 'Now store your recovery code safely.',
  'invite.practiceUnnamed': 'Practice of the invitation',
  'invite.compareTitle': 'Compare fingerprints',
  'invite.fingerprintTitle': 'Your fingerprint',
  'invite.fingerprintExplain':
    'The person who invited you sees a fingerprint for you on their screen. Compare both sequences of digits together (side by side or on the phone). Only if they match do they hand over the practice key.',
  'invite.waitForGrant':
    'Sign in (the first time you set up two-factor sign-in). As soon as the hand-over is confirmed, the practice key is unlocked without signing in again.',
  'invite.signIn': 'Go to sign-in',
  'invite.pinsNotSaved':
    'The inviting colleague’s key could not be stored on this device; your account has been created anyway. When the practice key is handed over, Tresor will therefore ask whether you trust the colleague handing it over: compare the fingerprint together with them then.',

  'handOver.waitingTitle': 'Waiting for the practice key',
  'handOver.waitingIntro':
    'You are signed in but have not received the practice key yet. A primary user hands it over after you both compared the fingerprint.',

  'session.expiredNotice': 'Your session has expired or was ended. Please sign in again.',
  'session.lockedIdle':
    'Locked after 10 minutes without input: the keys were removed from memory. Sign in again to unlock.',
  'session.lockedManually': 'Locked: the keys were removed from memory. Sign in again to unlock.',
  'session.signedOut': 'You have been signed out.',
  'session.endedTitle': 'Not saved: your session has ended.',
  'session.endedInputKept':
    'The server ended your session (e.g. after a long time without contact to the server). What you typed is still here. Copy it if you need it before signing in again – afterwards the form is empty.',
  'session.endedCopy': 'Copy input',
  'session.endedCopied': 'Copied',
  'session.endedCopyFailed': 'Copying was not possible. Please select and copy the text yourself.',
  'session.endedSignIn': 'Sign in again',
  'session.leaveUnsaved': 'Your input is not saved and will be lost if you leave this page. Leave anyway?',

  'nav.label': 'Main navigation',
  'nav.patients': 'Patients',
  'nav.users': 'Users',
  'nav.devices': 'Devices',
  'nav.sessions': 'Sessions',
  'nav.audit': 'Audit trail',
  'nav.alarms': 'Alarms',
  'nav.settings': 'Settings',
  'nav.lock': 'Lock',
  'nav.signOut': 'Sign out',

  'role.primary': 'Primary user',
  'role.secondary': 'Staff',

  'notFound.title': 'Page not found',
  'notFound.intro': 'There is no such address in Tresor.',
  'notFound.home': 'To the start page',

  'error.grantUntrusted':
    'The key hand-over does not come from anyone this device trusts. For safety the sign-in was ended. Please contact the primary user who invited you.',
  'error.storageQuota': 'This browser’s storage is full. Please free some space and try again.',
  'error.aborted': 'Cancelled.',
} as const satisfies Readonly<Record<keyof typeof accountMessagesDe, string>>;
