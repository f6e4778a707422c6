import type { MessageKey } from '../../i18n/messages.de';

export const MIN_PASSWORD_LENGTH = 10;
const USERNAME = /^[a-z0-9][a-z0-9._@-]{2,127}$/;

/** The problem with a login name as typed, if any (the server stores it in lower case). */
export function usernameProblem(username: string): MessageKey | undefined {
  return USERNAME.test(username.trim().toLowerCase()) ? undefined : 'form.usernameInvalid';
}

/** The problem with a new password and its repetition, if any. */
export function newPasswordProblem(password: string, repeated: string): MessageKey | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return 'form.passwordTooShort';
  if (password !== repeated) return 'form.passwordMismatch';
  return undefined;
}

/** A name for this browser as a device, e.g. "Chrome · Linux"; users can rename it later. */
export function defaultDeviceName(): string {
  const agent = navigator.userAgent;
  const browser = firstMatch(agent, [
    ['Edg/', 'Edge'],
    ['Firefox/', 'Firefox'],
    ['Chrome/', 'Chrome'],
    ['Chromium/', 'Chrome'],
    ['Safari/', 'Safari'],
  ]);
  const system = firstMatch(agent, [
    ['Windows', 'Windows'],
    ['Android', 'Android'],
    ['iPhone', 'iOS'],
    ['iPad', 'iOS'],
    ['Macintosh', 'macOS'],
    ['Linux', 'Linux'],
  ]);
  return [browser ?? 'Browser', system].filter(Boolean).join(' · ');
}

function firstMatch(
  text: string,
  table: readonly (readonly [needle: string, name: string])[],
): string | undefined {
  return table.find(([needle]) => text.includes(needle))?.[1];
}
