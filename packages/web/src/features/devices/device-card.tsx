import type { accounts } from '@tresor/sdk/contract';
import { useLocale, useT } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/messages.de';
import { useSession } from '../../session/session-context';
import { ConfirmAction } from '../../ui/confirm-action';
import { formatDateTime } from '../../ui/format';
import { ApproveDevice } from './approve-device';
import { RenameDevice } from './rename-device';
import { useDeviceFingerprint } from './use-device-fingerprint';

const statusLabels: Readonly<Record<accounts.DeviceView['status'], MessageKey>> = {
  pending: 'devices.statusPending',
  approved: 'devices.statusApproved',
  revoked: 'devices.statusRevoked',
};
const statusTones = { pending: 'warning', approved: 'ok', revoked: 'muted' } as const;

/** One device with its fingerprint; approve (pending), rename, revoke. */
export function DeviceCard({
  device,
  owner,
  onChanged,
}: {
  readonly device: accounts.DeviceView;
  readonly owner: string;
  readonly onChanged: () => void;
}) {
  const t = useT();
  const { localeTag } = useLocale();
  const session = useSession();
  const fingerprint = useDeviceFingerprint(device.publicKey);
  const thisDevice = device.id === session.info.deviceId;
  return (
    <li className="card device" data-testid="device" data-status={device.status}>
      <div className="member__head">
        <h3 className="member__name">
          {device.name}
          {thisDevice && <span className="tag">{t('devices.thisDevice')}</span>}
        </h3>
        <span className={`tag tag--${statusTones[device.status]}`}>{t(statusLabels[device.status])}</span>
      </div>
      <dl className="facts">
        <div>
          <dt>{t('devices.owner')}</dt>
          <dd>{owner}</dd>
        </div>
        <div>
          <dt>{t('devices.registered')}</dt>
          <dd>{formatDateTime(device.createdAt, localeTag)}</dd>
        </div>
        <div>
          <dt>{t('devices.lastSeen')}</dt>
          <dd>{device.lastSeenAt === null ? '–' : formatDateTime(device.lastSeenAt, localeTag)}</dd>
        </div>
        <div>
          <dt>{t('common.fingerprint')}</dt>
          <dd className="fingerprint fingerprint--small" data-testid="device-card-fingerprint">
            {fingerprint ?? '…'}
          </dd>
        </div>
      </dl>
      {device.status === 'pending' && <ApproveDevice deviceId={device.id} onApproved={onChanged} />}
      {device.status !== 'revoked' && (
        <div className="actions">
          <RenameDevice deviceId={device.id} name={device.name} onRenamed={onChanged} />
          {!thisDevice && (
            <ConfirmAction
              label={t('devices.revoke')}
              question={t('devices.revokeConfirm', { name: device.name })}
              confirmLabel={t('devices.revokeNow')}
              action={async () => {
                await session.revokeDevice(device.id);
                onChanged();
              }}
            />
          )}
        </div>
      )}
    </li>
  );
}
