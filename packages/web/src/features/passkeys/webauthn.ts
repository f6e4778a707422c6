import type { passkeys } from '@tresor/sdk/contract';
import {
  browserSupportsWebAuthn,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  startAuthentication,
  startRegistration,
} from '@simplewebauthn/browser';

/** True when this browser can use passkeys at all (WebAuthn present, secure context). */
export function passkeysSupported(): boolean {
  return browserSupportsWebAuthn();
}

/**
 * Creates a passkey on this device's authenticator. The server's options are the WebAuthn JSON
 * form the SDK validated; the answer is checked again by the server (origin, RP ID, challenge).
 */
export async function createPasskey(
  options: passkeys.PasskeyCreationOptions,
): Promise<passkeys.PasskeyAttestation> {
  const answer = await startRegistration({
    optionsJSON: options as unknown as PublicKeyCredentialCreationOptionsJSON,
  });
  return answer as unknown as passkeys.PasskeyAttestation;
}

/** Signs the login challenge with one of the user's passkeys. */
export async function answerWithPasskey(
  options: passkeys.PasskeyRequestOptions,
): Promise<{ readonly passkey: passkeys.PasskeyAssertion }> {
  const answer = await startAuthentication({
    optionsJSON: options as unknown as PublicKeyCredentialRequestOptionsJSON,
  });
  return { passkey: answer as unknown as passkeys.PasskeyAssertion };
}
