import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

const PERIOD_SECONDS = 30;

export interface TotpEnrolment {
  readonly secret: string;
  readonly uri: string;
}

/**
 * TOTP (RFC 6238, SHA-1, 6 digits, 30 s) as authenticator apps expect it. Secrets are sealed at
 * rest with a server key (AES-256-GCM), so rows never hold them in clear; a used time step is
 * remembered so a code cannot be replayed.
 */
export class TotpVerifier {
  constructor(
    private readonly sealingKey: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  newEnrolment(accountName: string): TotpEnrolment {
    const secret = new Secret({ size: 20 });
    const totp = new TOTP({ issuer: 'Tresor', label: accountName, secret, period: PERIOD_SECONDS });
    return { secret: secret.base32, uri: totp.toString() };
  }

  /** The time step a code is valid for (±1 step of clock drift), or undefined. */
  matchStep(secretBase32: string, code: string, now: number = this.now()): number | undefined {
    if (!/^\d{6}$/.test(code)) return undefined;
    const totp = new TOTP({ secret: Secret.fromBase32(secretBase32), period: PERIOD_SECONDS });
    const delta = totp.validate({ token: code, timestamp: now, window: 1 });
    return delta === null ? undefined : Math.floor(now / 1000 / PERIOD_SECONDS) + delta;
  }

  seal(secretBase32: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealingKey, nonce);
    const ct = Buffer.concat([cipher.update(secretBase32, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `v1.${nonce.toString('base64url')}.${ct.toString('base64url')}`;
  }

  unseal(sealed: string): string {
    const [version, nonce, ct] = sealed.split('.');
    if (version !== 'v1' || nonce === undefined || ct === undefined) throw new Error('unknown TOTP seal');
    const bytes = Buffer.from(ct, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.sealingKey, Buffer.from(nonce, 'base64url'));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString(
      'utf8',
    );
  }
}
