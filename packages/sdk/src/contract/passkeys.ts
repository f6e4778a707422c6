import { type Static, Type } from '@sinclair/typebox';

/**
 * Schemas of passkeys (WebAuthn) as a second factor instead of the TOTP code. The JSON forms are
 * those of WebAuthn Level 3 (`PublicKeyCredential.toJSON()`), as browsers and
 * `@simplewebauthn/browser` produce them; the server checks their content.
 */

const B64Url = (maxLength: number) => Type.String({ pattern: '^[A-Za-z0-9_-]*$', maxLength });
const Transports = Type.Array(Type.String({ maxLength: 32 }), { maxItems: 8 });
const Extensions = Type.Record(Type.String(), Type.Unknown());

/** A credential descriptor: which passkey may answer. */
export const PasskeyDescriptor = Type.Object({
  id: B64Url(1400),
  type: Type.String({ maxLength: 32 }),
  transports: Type.Optional(Transports),
});

/** Options for `navigator.credentials.create()` (JSON form). */
export const PasskeyCreationOptions = Type.Object(
  {
    challenge: B64Url(128),
    rp: Type.Object({ id: Type.Optional(Type.String()), name: Type.String() }),
    user: Type.Object({ id: B64Url(128), name: Type.String(), displayName: Type.String() }),
    pubKeyCredParams: Type.Array(Type.Object({ alg: Type.Integer(), type: Type.String() })),
    timeout: Type.Optional(Type.Integer()),
    excludeCredentials: Type.Optional(Type.Array(PasskeyDescriptor)),
    authenticatorSelection: Type.Optional(Type.Unknown()),
    attestation: Type.Optional(Type.String()),
    extensions: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: true },
);
export type PasskeyCreationOptions = Static<typeof PasskeyCreationOptions>;

/** Options for `navigator.credentials.get()` (JSON form). */
export const PasskeyRequestOptions = Type.Object(
  {
    challenge: B64Url(128),
    rpId: Type.Optional(Type.String()),
    timeout: Type.Optional(Type.Integer()),
    allowCredentials: Type.Optional(Type.Array(PasskeyDescriptor)),
    userVerification: Type.Optional(Type.String()),
    extensions: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: true },
);
export type PasskeyRequestOptions = Static<typeof PasskeyRequestOptions>;

/** What `navigator.credentials.create()` answered (JSON form). */
export const PasskeyAttestation = Type.Object({
  id: B64Url(1400),
  rawId: B64Url(1400),
  type: Type.Literal('public-key'),
  response: Type.Object({
    clientDataJSON: B64Url(4096),
    attestationObject: B64Url(65536),
    authenticatorData: Type.Optional(B64Url(65536)),
    transports: Type.Optional(Transports),
    publicKeyAlgorithm: Type.Optional(Type.Integer()),
    publicKey: Type.Optional(B64Url(4096)),
  }),
  authenticatorAttachment: Type.Optional(Type.String({ maxLength: 32 })),
  clientExtensionResults: Extensions,
});
export type PasskeyAttestation = Static<typeof PasskeyAttestation>;

/** What `navigator.credentials.get()` answered (JSON form). */
export const PasskeyAssertion = Type.Object({
  id: B64Url(1400),
  rawId: B64Url(1400),
  type: Type.Literal('public-key'),
  response: Type.Object({
    clientDataJSON: B64Url(4096),
    authenticatorData: B64Url(65536),
    signature: B64Url(1024),
    userHandle: Type.Optional(B64Url(128)),
  }),
  authenticatorAttachment: Type.Optional(Type.String({ maxLength: 32 })),
  clientExtensionResults: Extensions,
});
export type PasskeyAssertion = Static<typeof PasskeyAssertion>;

export const AddPasskeyBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), attestation: PasskeyAttestation },
  { additionalProperties: false },
);
export type AddPasskeyBody = Static<typeof AddPasskeyBody>;

export const PasskeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type PasskeyView = Static<typeof PasskeyView>;

export const PasskeyIdParams = Type.Object({ id: B64Url(1400) });
