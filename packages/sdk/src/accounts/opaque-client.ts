import * as opaque from '@serenity-kit/opaque';

/**
 * OPAQUE's password stretching on the client. The default is the library's recommended Argon2id;
 * a weaker setting only makes sense for load tests of the server, never for real accounts.
 */
export type KeyStretching = NonNullable<Parameters<typeof opaque.client.finishLogin>[0]['keyStretching']>;

/** The client half of OPAQUE: the password never leaves this device. */
export async function opaqueClient(): Promise<typeof opaque.client> {
  await opaque.ready;
  return opaque.client;
}
