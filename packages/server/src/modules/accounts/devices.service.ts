import type { accounts } from '@tresor/sdk/contract';
import { AppError } from '../../platform/app-error.js';
import type { AuthContext } from '../../platform/http/auth-guard.js';
import type { AccountsStore } from './accounts.store.js';
import type { Device } from './accounts.types.js';
import type { AuditRecorder } from './audit-recorder.js';

/**
 * Registered devices. A new device stays pending until an approved device of the same user or
 * a primary user approves it (after comparing fingerprints on both screens). Revoking a device
 * ends its sessions at once.
 */
export class DevicesService {
  constructor(
    private readonly store: AccountsStore,
    private readonly audit: AuditRecorder,
  ) {}

  /** Own devices; primary users see every device of the practice. */
  list(auth: AuthContext): Promise<accounts.DeviceView[]> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      const devices = await tx.devices(auth.role === 'primary' ? undefined : auth.userId);
      return devices.map(toView);
    });
  }

  approve(auth: AuthContext, deviceId: string): Promise<accounts.DeviceView> {
    return this.change(auth, deviceId, 'device.approved', async (device, tx) => {
      if (device.status === 'revoked') throw new AppError('auth.device_revoked');
      await tx.updateDevice(device.id, { status: 'approved', by: auth.userId });
    });
  }

  rename(auth: AuthContext, deviceId: string, name: string): Promise<accounts.DeviceView> {
    return this.change(auth, deviceId, 'device.renamed', async (device, tx) => {
      await tx.updateDevice(device.id, { name });
    });
  }

  revoke(auth: AuthContext, deviceId: string): Promise<accounts.DeviceView> {
    return this.change(auth, deviceId, 'device.revoked', async (device, tx) => {
      await tx.updateDevice(device.id, { status: 'revoked' });
      await tx.revokeSessions({ deviceId: device.id }, new Date());
    });
  }

  private change(
    auth: AuthContext,
    deviceId: string,
    action: string,
    apply: (device: Device, tx: Parameters<Parameters<AccountsStore['inPractice']>[1]>[0]) => Promise<void>,
  ): Promise<accounts.DeviceView> {
    return this.store.inPractice(auth.practiceId, async (tx) => {
      const device = await tx.device(deviceId);
      if (device === undefined || (device.userId !== auth.userId && auth.role !== 'primary')) {
        throw new AppError('devices.not_found');
      }
      await apply(device, tx);
      await this.audit.append(tx.scope, {
        practiceId: auth.practiceId,
        actorUserId: auth.userId,
        deviceId: auth.deviceId,
        action,
        targetId: deviceId,
      });
      const updated = await tx.device(deviceId);
      if (updated === undefined) throw new AppError('devices.not_found');
      return toView(updated);
    });
  }
}

function toView(device: Device): accounts.DeviceView {
  return {
    id: device.id,
    userId: device.userId,
    name: device.name,
    status: device.status,
    publicKey: device.publicKey,
    createdAt: device.createdAt.toISOString(),
    lastSeenAt: device.lastSeenAt?.toISOString() ?? null,
  };
}
