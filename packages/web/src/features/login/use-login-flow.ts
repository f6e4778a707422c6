import {
  type AccountSession,
  deviceFingerprint,
  login,
  type SecondFactorAnswer,
  type SecondFactorPrompt,
} from '@tresor/sdk';
import { useCallback, useRef, useState } from 'react';
import { errorCode } from '../../api/describe-error';
import { tresorClient } from '../../api/tresor-client';
import { deviceKeyStoreFor } from '../../device/indexeddb-device-key-store';
import { keyVersionMemory, recordVersionMemory } from '../../device/version-memory';
import { loadTrustedGranters } from '../../device/pinned-keys';
import { answerWithPasskey } from '../passkeys/webauthn';
import { defaultDeviceName } from '../practice/password-rules';

export type LoginStep =
  | { readonly kind: 'credentials' }
  | { readonly kind: 'working' }
  | {
      readonly kind: 'second-factor';
      readonly prompt: SecondFactorPrompt;
      /** Counts the prompts of this login, so the form starts empty each time it is asked again. */
      readonly round: number;
    }
  | { readonly kind: 'device-pending'; readonly fingerprint: string; readonly deviceName: string };

interface Credentials {
  readonly username: string;
  readonly password: string;
}

interface AnswerRequest {
  readonly resolve: (answer: SecondFactorAnswer) => void;
  readonly reject: (reason: unknown) => void;
}

/**
 * The login as steps the screen shows: password → (TOTP enrolment or code, or a passkey) → signed
 * in, or the device-pending state (told at once, before any code is asked). A wrong code or
 * passkey is asked again on the same login (the SDK does, up to the server's 3 tries), so an
 * enrolment keeps its QR code. Only an expired login starts over by itself, with the same password
 * (kept in memory for the duration of the flow only).
 */
export function useLoginFlow(onSignedIn: (session: AccountSession) => void) {
  const [step, setStep] = useState<LoginStep>({ kind: 'credentials' });
  const [error, setError] = useState<unknown>(undefined);
  const credentials = useRef<Credentials | undefined>(undefined);
  const answerRequest = useRef<AnswerRequest | undefined>(undefined);
  const round = useRef(0);

  const attempt = useCallback(
    async (given: Credentials, keepError: boolean) => {
      credentials.current = given;
      setStep({ kind: 'working' });
      if (!keepError) setError(undefined);
      const devices = deviceKeyStoreFor(given.username);
      try {
        const session = await login(tresorClient.http, {
          username: given.username,
          password: given.password,
          devices,
          deviceName: defaultDeviceName(),
          trustedGranters: await loadTrustedGranters(given.username),
          keyVersions: keyVersionMemory,
          recordVersions: recordVersionMemory,
          secondFactor: (prompt) =>
            new Promise<SecondFactorAnswer>((resolve, reject) => {
              answerRequest.current = { resolve, reject };
              round.current += 1;
              setStep({ kind: 'second-factor', prompt, round: round.current });
            }),
        });
        credentials.current = undefined;
        onSignedIn(session);
      } catch (caught) {
        const code = errorCode(caught);
        if (caught instanceof DOMException && caught.name === 'AbortError') {
          credentials.current = undefined;
          setStep({ kind: 'credentials' });
          return;
        }
        setError(caught);
        if (code === 'auth.login_expired') {
          await attempt(given, true);
          return;
        }
        if (code === 'auth.device_pending') {
          const identity = await devices.load();
          if (identity !== undefined) {
            setStep({
              kind: 'device-pending',
              fingerprint: await deviceFingerprint(identity.publicKey),
              deviceName: identity.name,
            });
            return;
          }
        }
        credentials.current = undefined;
        setStep({ kind: 'credentials' });
      }
    },
    [onSignedIn],
  );

  const start = useCallback(
    (username: string, password: string) => attempt({ username, password }, false),
    [attempt],
  );

  const answer = useCallback((given: SecondFactorAnswer) => {
    const request = answerRequest.current;
    answerRequest.current = undefined;
    setError(undefined);
    setStep({ kind: 'working' });
    request?.resolve(given);
  }, []);

  /** Asks this device's authenticator; a cancelled or failed ceremony leaves the prompt open. */
  const [passkeyBusy, setPasskeyBusy] = useState(false);
  const submitPasskey = useCallback(
    async (options: NonNullable<Extract<SecondFactorPrompt, { kind: 'totp' }>['passkeyOptions']>) => {
      setError(undefined);
      setPasskeyBusy(true);
      try {
        answer(await answerWithPasskey(options));
      } catch (caught) {
        setError(caught);
      } finally {
        setPasskeyBusy(false);
      }
    },
    [answer],
  );

  const cancel = useCallback(() => {
    const request = answerRequest.current;
    answerRequest.current = undefined;
    credentials.current = undefined;
    setError(undefined);
    setStep({ kind: 'credentials' });
    request?.reject(new DOMException('login cancelled', 'AbortError'));
  }, []);

  const retry = useCallback(() => {
    const given = credentials.current;
    if (given === undefined) setStep({ kind: 'credentials' });
    else void attempt(given, false);
  }, [attempt]);

  return {
    step,
    error,
    start,
    submitCode: answer,
    submitPasskey,
    passkeyBusy,
    cancel,
    retry,
  };
}
