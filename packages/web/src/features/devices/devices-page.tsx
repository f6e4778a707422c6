import { useCallback } from 'react';
import { useT } from '../../i18n/i18n';
import { useSession } from '../../session/session-context';
import { useLoaded } from '../../session/use-loaded';
import { ErrorAlert } from '../../ui/error-alert';
import { PageHeading } from '../../ui/page-heading';
import { DeviceCard } from './device-card';

/** Own devices (primaries: all of the practice), pending ones first. */
export function DevicesPage() {
  const t = useT();
  const session = useSession();
  const load = useCallback(async () => {
    const [{ devices }, { members }] = await Promise.all([session.devices(), session.members()]);
    const names = new Map(members.map((member) => [member.userId, member.username]));
    const order = { pending: 0, approved: 1, revoked: 2 } as const;
    return [...devices]
      .sort((a, b) => order[a.status] - order[b.status])
      .map((device) => ({ device, owner: names.get(device.userId) ?? device.userId }));
  }, [session]);
  const { state, reload } = useLoaded(load);
  return (
    <>
      <PageHeading intro={t('devices.intro')}>{t('devices.title')}</PageHeading>
      {state.kind === 'failed' && <ErrorAlert error={state.error} />}
      {state.kind === 'loading' && <p role="status">{t('common.loading')}</p>}
      {state.kind === 'loaded' && (
        <ul className="card-list">
          {state.value.map(({ device, owner }) => (
            <DeviceCard key={device.id} device={device} owner={owner} onChanged={reload} />
          ))}
        </ul>
      )}
    </>
  );
}
