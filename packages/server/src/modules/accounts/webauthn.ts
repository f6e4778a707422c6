import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type WebAuthnCredential,
} from '@simplewebauthn/server';
import type { passkeys } from '@tresor/sdk/contract';

/** A stored passkey as the relying party needs it. */
export interface PasskeyCredential {
  readonly id: string;
  /** COSE public key, base64url. */
  readonly publicKey: string;
  readonly signCount: number;
  readonly transports: readonly string[];
}

const TIMEOUT_MS = 120_000;

/**
 * The WebAuthn relying party: this server at its public URL (the passkey's RP ID is the host
 * name, the origin must match exactly). Passkeys are a second factor next to the password, so
 * user presence is required and user verification preferred.
 */
export class WebAuthnRelyingParty {
  readonly rpId: string;
  readonly origin: string;

  constructor(publicUrl: string) {
    const url = new URL(publicUrl);
    this.rpId = url.hostname;
    this.origin = url.origin;
  }

  async creationOptions(
    user: { id: string; username: string },
    existing: readonly PasskeyCredential[],
  ): Promise<passkeys.PasskeyCreationOptions> {
    return generateRegistrationOptions({
      rpName: 'Tresor',
      rpID: this.rpId,
      userName: user.username,
      userID: new TextEncoder().encode(user.id),
      attestationType: 'none',
      timeout: TIMEOUT_MS,
      excludeCredentials: existing.map((credential) => ({
        id: credential.id,
        transports: [...credential.transports],
      })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
    });
  }

  /** The new passkey, or undefined when the answer does not check out. */
  async verifyAttestation(
    attestation: passkeys.PasskeyAttestation,
    challenge: string,
  ): Promise<PasskeyCredential | undefined> {
    try {
      const result = await verifyRegistrationResponse({
        response: attestation as RegistrationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: this.origin,
        expectedRPID: this.rpId,
        requireUserVerification: false,
      });
      if (!result.verified) return undefined;
      const { credential } = result.registrationInfo;
      return {
        id: credential.id,
        publicKey: Buffer.from(credential.publicKey).toString('base64url'),
        signCount: credential.counter,
        transports: credential.transports ?? [],
      };
    } catch {
      return undefined;
    }
  }

  async requestOptions(credentials: readonly PasskeyCredential[]): Promise<passkeys.PasskeyRequestOptions> {
    return generateAuthenticationOptions({
      rpID: this.rpId,
      timeout: TIMEOUT_MS,
      userVerification: 'preferred',
      allowCredentials: credentials.map((credential) => ({
        id: credential.id,
        transports: [...credential.transports],
      })),
    });
  }

  /** The new signature counter, or undefined when the assertion does not check out. */
  async verifyAssertion(
    assertion: passkeys.PasskeyAssertion,
    challenge: string,
    credential: PasskeyCredential,
  ): Promise<number | undefined> {
    try {
      const result = await verifyAuthenticationResponse({
        response: assertion as AuthenticationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: this.origin,
        expectedRPID: this.rpId,
        requireUserVerification: false,
        credential: {
          id: credential.id,
          publicKey: Buffer.from(credential.publicKey, 'base64url'),
          counter: credential.signCount,
          transports: [...credential.transports] as NonNullable<WebAuthnCredential['transports']>,
        },
      });
      return result.verified ? result.authenticationInfo.newCounter : undefined;
    } catch {
      return undefined;
    }
  }
}
