import { randomBytes, randomUUID } from 'node:crypto';
import type { accounts, passkeys } from '@tresor/sdk/contract';
import { base64urlToBytes } from '@tresor/crypto';
import { AppError } from '../../platform/app-error.js';
import type { AccountsStore, AccountsTx, LoginContext } from './accounts.store.js';
import type { AuditRecorder } from './audit-recorder.js';
import type { SecurityAlarms } from './security-alarms.js';
import { keyMaterialFrom } from './key-material.js';
import { DeviceKeyCache } from './device-key-cache.js';
import type { LoginThrottle } from './login-throttle.js';
import type { OpaqueServer } from './opaque-server.js';
import { PendingStore } from './pending-logins.js';
import { newToken } from '../../platform/secrets/tokens.js';
import type { PasskeysStore } from './passkeys.store.js';
import type { WebAuthnRelyingParty } from './webauthn.js';
import type { TotpVerifier } from './totp.js';

export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
export const SESSION_IDLE_MS = 30 * 60 * 1000;
const MAX_SECOND_FACTOR_TRIES = 3;

interface Client {
  readonly ip: string;
  readonly userAgent: string | undefined;
}

interface StartedLogin {
  readonly username: string;
  readonly serverLoginState: string;
  readonly user: { id: string; practiceId: string } | undefined;
  /** Set when a signed-in user proves the password again: the session the proof is bound to. */
  readonly reproofFor?: { readonly sessionId: string; readonly deviceId: string };
}

/** The signed-in caller who proves the current password again (e.g. before changing it). */
export interface PasswordProver {
  readonly practiceId: string;
  readonly userId: string;
  readonly sessionId: string;
  readonly deviceId: string;
}

/** Checks a signed-in user's fresh proof of the current password (see LoginService). */
export interface PasswordProofChecker {
  checkPasswordProof(
    prover: PasswordProver,
    proof: { readonly loginId: string; readonly finishLoginRequest: string },
    client: Client,
  ): Promise<void>;
}

interface PasswordVerified {
  readonly userId: string;
  readonly practiceId: string;
  readonly username: string;
  readonly deviceId: string;
  readonly challenge: Uint8Array;
  readonly secondFactor: 'totp' | 'totp_enrolment' | 'none';
  readonly enrolmentSecret: string | undefined;
  /** WebAuthn challenge when the user's passkeys were offered instead of the TOTP code. */
  readonly passkeyChallenge: string | undefined;
  readonly triesLeft: number;
}

/**
 * Login in three steps: OPAQUE start → OPAQUE finish (password proven, device identified) →
 * complete (second factor and device proof) → session. Failures are delayed, audited, and
 * raise an alarm after repeated attempts.
 */
export class LoginService {
  private readonly started = new PendingStore<StartedLogin>(2 * 60 * 1000);
  private readonly verified = new PendingStore<PasswordVerified>(5 * 60 * 1000);
  private readonly deviceKeys = new DeviceKeyCache();

  constructor(
    private readonly store: AccountsStore,
    private readonly opaque: OpaqueServer,
    private readonly totp: TotpVerifier,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditRecorder,
    private readonly alarms: SecurityAlarms,
    private readonly passkeys: { passkeys: PasskeysStore; relyingParty: WebAuthnRelyingParty },
  ) {}

  async start(body: { username: string; startLoginRequest: string }, client: Client) {
    const username = body.username.toLowerCase();
    // OPAQUE lets a client learn locally whether a password is right, without ever calling
    // finish; so every start counts as a failure until finish proves the password. It is counted
    // before the wait, so that parallel starts queue behind each other.
    const outcome = await this.throttle.attempt(username, client.ip);
    const candidate = await this.store.loginCandidate(username);
    const active = candidate?.status === 'active' ? candidate : undefined;
    const user = active && { id: active.id, practiceId: active.practiceId };
    if (outcome.raiseAlarm && user)
      await this.raiseAlarm(username, user, client, outcome.consecutiveFailures);
    return this.startOpaque({ username, user }, active?.opaqueRecord, body.startLoginRequest);
  }

  /**
   * A signed-in user proves the current password again, by a fresh OPAQUE login of the same
   * account (before a password change): throttled, counted and alarmed like a login start, and
   * usable only by `checkPasswordProof` for the same session.
   */
  async startPasswordProof(prover: PasswordProver, startLoginRequest: string, client: Client) {
    const found = await this.store.inPractice(prover.practiceId, (tx) => tx.user(prover.userId));
    if (found?.status !== 'active') throw new AppError('auth.unauthenticated');
    const username = found.username.toLowerCase();
    const user = { id: found.id, practiceId: found.practiceId };
    const outcome = await this.throttle.attempt(username, client.ip);
    if (outcome.raiseAlarm) await this.raiseAlarm(username, user, client, outcome.consecutiveFailures);
    return this.startOpaque(
      { username, user, reproofFor: { sessionId: prover.sessionId, deviceId: prover.deviceId } },
      found.opaqueRecord,
      startLoginRequest,
    );
  }

  /**
   * The OPAQUE finish of `startPasswordProof`, single use. A wrong password is audited like a
   * failed login (with the session's device) and stays counted by the throttle; a right one
   * takes back the failure counted at the start.
   * @throws AppError `auth.login_expired` for an unknown, used or expired proof or one started by
   *   another session; `auth.login_failed` for a wrong password.
   */
  async checkPasswordProof(
    prover: PasswordProver,
    proof: { readonly loginId: string; readonly finishLoginRequest: string },
    client: Client,
  ): Promise<void> {
    const started = this.started.take(proof.loginId);
    const user = started?.user;
    if (
      started?.reproofFor?.sessionId !== prover.sessionId ||
      user?.id !== prover.userId ||
      user.practiceId !== prover.practiceId
    ) {
      throw new AppError('auth.login_expired');
    }
    if (!this.opaque.finishLogin(started.serverLoginState, proof.finishLoginRequest)) {
      await this.auditFailure(user, 'auth.login_failed', started.reproofFor.deviceId);
      throw new AppError('auth.login_failed');
    }
    this.throttle.forgive(started.username, client.ip);
  }

  /** OPAQUE's server step for a start already counted by the throttle; keeps its state for finish. */
  private startOpaque(
    login: Omit<StartedLogin, 'serverLoginState'>,
    opaqueRecord: string | undefined,
    startLoginRequest: string,
  ): { loginId: string; loginResponse: string } {
    let result: { serverLoginState: string; loginResponse: string };
    try {
      result = this.opaque.startLogin(login.username, opaqueRecord, startLoginRequest);
    } catch {
      throw new AppError('request.invalid', 'Invalid request: startLoginRequest is not an OPAQUE message');
    }
    const loginId = this.started.put({ ...login, serverLoginState: result.serverLoginState });
    return { loginId, loginResponse: result.loginResponse };
  }

  async finish(body: accounts.LoginFinishBody, client: Client): Promise<accounts.LoginFinishReply> {
    const started = this.started.take(body.loginId);
    // A password proof of a signed-in user opens no login.
    if (started === undefined || started.reproofFor !== undefined) throw new AppError('auth.login_expired');
    const passwordOk = this.opaque.finishLogin(started.serverLoginState, body.finishLoginRequest);
    if (!passwordOk || started.user === undefined) {
      if (started.user) await this.auditFailure(started.user, 'auth.login_failed');
      throw new AppError('auth.login_failed');
    }
    this.throttle.forgive(started.username, client.ip);
    const { id: userId, practiceId } = started.user;
    const context = await this.store.loginContext(practiceId, userId, body.deviceId);
    if (context?.user.status !== 'active') throw new AppError('auth.login_failed');
    const deviceStatus = await this.identifyDevice(context.user, context.device, body);
    const { user, practice } = context;
    const outcome = {
      deviceStatus,
      secondFactor:
        user.totpSecretSealed !== null ? 'totp' : practice.requireTwoFactor ? 'totp_enrolment' : 'none',
    } as const;
    const enrolment =
      outcome.secondFactor === 'totp_enrolment' ? this.totp.newEnrolment(started.username) : undefined;
    const passkeyOptions =
      outcome.secondFactor === 'totp' && context.passkeys.length > 0
        ? await this.passkeys.relyingParty.requestOptions(context.passkeys)
        : undefined;
    const challenge = randomBytes(32);
    const loginToken = this.verified.put({
      userId,
      practiceId,
      username: started.username,
      deviceId: body.deviceId,
      challenge,
      secondFactor: outcome.secondFactor,
      enrolmentSecret: enrolment?.secret,
      passkeyChallenge: passkeyOptions?.challenge,
      triesLeft: MAX_SECOND_FACTOR_TRIES,
    });
    return {
      loginToken,
      challenge: challenge.toString('base64url'),
      secondFactor: outcome.secondFactor,
      deviceStatus: outcome.deviceStatus,
      ...(enrolment ? { totpEnrolment: enrolment } : {}),
      ...(passkeyOptions ? { passkeyOptions } : {}),
    };
  }

  async complete(body: accounts.LoginCompleteBody, client: Client): Promise<accounts.SessionReply> {
    const expiresAt = this.verified.expiryOf(body.loginToken);
    const state = this.verified.take(body.loginToken);
    if (state === undefined || expiresAt === undefined) throw new AppError('auth.login_expired');
    const result = await this.store.inPractice(state.practiceId, async (tx) => {
      const context = await tx.loginContext(state.userId, state.deviceId);
      const device = context?.device;
      if (context?.user.status !== 'active' || device?.userId !== context.user.id) {
        throw new AppError('auth.login_failed');
      }
      const { user, practice } = context;
      const proof = safeBytes(body.deviceSignature);
      if (proof === undefined || !(await this.deviceKeys.verify(device, state.challenge, proof))) {
        return { failure: 'auth.device_proof_invalid' } as const;
      }
      if (device.status === 'revoked') throw new AppError('auth.device_revoked');
      if (device.status === 'pending') throw new AppError('auth.device_pending');
      const factor =
        body.passkey === undefined
          ? await this.checkSecondFactor(tx, user, state, body.totpCode)
          : await this.checkPasskey(tx, context, state, body.passkey);
      if (!factor.ok) return { failure: factor.failure } as const;

      const now = new Date();
      const sessionId = randomUUID();
      const { token, hash } = newToken();
      const sessionExpires = new Date(now.getTime() + SESSION_ABSOLUTE_MS);
      const recorded = await tx.recordLogin({
        sessionId,
        tokenHash: hash,
        userId: user.id,
        deviceId: device.id,
        expiresAt: sessionExpires,
        at: now,
        clientIp: client.ip,
        userAgent: client.userAgent,
        totpStep: factor.step,
      });
      // Another login used the same TOTP code a moment ago.
      if (!recorded) return { failure: 'auth.totp_invalid' } as const;
      await this.audit.append(tx.scope, {
        practiceId: practice.id,
        actorUserId: user.id,
        deviceId: device.id,
        action: 'auth.login_succeeded',
        targetId: sessionId,
      });
      const reply: accounts.SessionReply = {
        sessionToken: token,
        sessionId,
        expiresAt: sessionExpires.toISOString(),
        practice: { id: practice.id, name: practice.name, requireTwoFactor: practice.requireTwoFactor },
        user: { id: user.id, username: user.username, role: user.role },
        deviceId: device.id,
        keys: keyMaterialFrom(user, practice.currentPkVersion, context.grantBodies),
      };
      return { reply } as const;
    });
    if ('failure' in result) {
      const user = { id: state.userId, practiceId: state.practiceId };
      const outcome = this.throttle.recordFailure(state.username, client.ip);
      await this.auditFailure(user, 'auth.login_failed');
      if (outcome.raiseAlarm)
        await this.raiseAlarm(state.username, user, client, outcome.consecutiveFailures);
      if (result.failure !== 'auth.device_proof_invalid' && state.triesLeft > 1) {
        this.verified.restore(body.loginToken, { ...state, triesLeft: state.triesLeft - 1 }, expiresAt);
      }
      throw new AppError(result.failure);
    }
    this.throttle.recordSuccess(state.username);
    return result.reply;
  }

  /** The device's state; an unknown device is registered as pending (a new device of this user). */
  private async identifyDevice(
    user: LoginContext['user'],
    device: LoginContext['device'],
    body: accounts.LoginFinishBody,
  ): Promise<'pending' | 'approved'> {
    if (device !== undefined) {
      if (device.userId !== user.id) throw new AppError('auth.device_unknown');
      if (device.status === 'revoked') throw new AppError('auth.device_revoked');
      return device.status;
    }
    const newDevice = body.newDevice;
    if (newDevice?.deviceId !== body.deviceId) throw new AppError('auth.device_unknown');
    await this.store.inPractice(user.practiceId, async (tx) => {
      const added = await tx.addDeviceIfNew({
        id: body.deviceId,
        practiceId: user.practiceId,
        userId: user.id,
        name: newDevice.name,
        publicKey: newDevice.publicKey,
        status: 'pending',
      });
      if (!added) throw new AppError('auth.device_unknown');
      await this.audit.append(tx.scope, {
        practiceId: user.practiceId,
        actorUserId: user.id,
        deviceId: body.deviceId,
        action: 'device.registered',
        targetId: body.deviceId,
      });
    });
    return 'pending';
  }

  /** Checks the code; on success, the TOTP step to record (none when just enrolled). */
  private async checkSecondFactor(
    tx: AccountsTx,
    user: LoginContext['user'],
    state: PasswordVerified,
    code: string | undefined,
  ): Promise<
    | { ok: true; step: number | undefined }
    | { ok: false; failure: 'auth.totp_invalid' | 'auth.totp_required' }
  > {
    if (state.secondFactor === 'none') return { ok: true, step: undefined };
    if (code === undefined) return { ok: false, failure: 'auth.totp_required' };
    if (state.secondFactor === 'totp_enrolment') {
      const secret = state.enrolmentSecret ?? '';
      const step = this.totp.matchStep(secret, code);
      if (step === undefined) return { ok: false, failure: 'auth.totp_invalid' };
      await tx.updateUser(user.id, {
        totpSecretSealed: this.totp.seal(secret),
        totpLastStep: step,
        totpEnrolledAt: new Date(),
      });
      await this.audit.append(tx.scope, {
        practiceId: user.practiceId,
        actorUserId: user.id,
        deviceId: state.deviceId,
        action: 'auth.totp_enrolled',
        targetId: user.id,
      });
      return { ok: true, step: undefined };
    }
    if (user.totpSecretSealed === null) return { ok: false, failure: 'auth.totp_invalid' };
    const step = this.totp.matchStep(this.totp.unseal(user.totpSecretSealed), code);
    if (step === undefined || (user.totpLastStep !== null && step <= user.totpLastStep))
      return { ok: false, failure: 'auth.totp_invalid' };
    return { ok: true, step };
  }

  /** A passkey's answer instead of the TOTP code: one of the user's passkeys, counter moving on. */
  private async checkPasskey(
    tx: AccountsTx,
    context: LoginContext,
    state: PasswordVerified,
    assertion: passkeys.PasskeyAssertion,
  ): Promise<{ ok: true; step: undefined } | { ok: false; failure: 'auth.passkey_invalid' }> {
    const credential = context.passkeys.find((passkey) => passkey.id === assertion.id);
    if (state.passkeyChallenge === undefined || credential === undefined) {
      return { ok: false, failure: 'auth.passkey_invalid' };
    }
    const { relyingParty, passkeys: store } = this.passkeys;
    const signCount = await relyingParty.verifyAssertion(assertion, state.passkeyChallenge, credential);
    if (signCount === undefined || !(await store.recordUse(tx.scope, credential.id, signCount, new Date()))) {
      return { ok: false, failure: 'auth.passkey_invalid' };
    }
    return { ok: true, step: undefined };
  }

  private async auditFailure(
    user: { id: string; practiceId: string },
    action: string,
    deviceId?: string,
  ): Promise<void> {
    await this.store.inPractice(user.practiceId, (tx) =>
      this.audit.append(tx.scope, {
        practiceId: user.practiceId,
        actorUserId: user.id,
        ...(deviceId === undefined ? {} : { deviceId }),
        action,
        targetId: user.id,
      }),
    );
  }

  /** Repeated failures: an audit entry, a notice for the practice's primary users, the webhook. */
  private async raiseAlarm(
    username: string,
    user: { id: string; practiceId: string },
    client: Client,
    failures: number,
  ): Promise<void> {
    await this.alarms.raise(user.practiceId, {
      userId: user.id,
      kind: 'auth.repeated_failures',
      detail: `${failures} failed login attempts for ${username} within 15 minutes (last from ${client.ip})`,
      action: 'auth.alarm',
    });
  }
}

function safeBytes(value: string): Uint8Array | undefined {
  try {
    return base64urlToBytes(value);
  } catch {
    return undefined;
  }
}
