import type { ReactNode } from 'react';
import { matchPath } from '../../routing/match-path';
import { useRouter } from '../../routing/router';
import { AlarmsPage } from '../alarms/alarms-page';
import { AuditPage } from '../audit/audit-page';
import { BackupPage } from '../backup/backup-page';
import { DevicesPage } from '../devices/devices-page';
import { AcceptInvitePage } from '../invite/accept-invite-page';
import { ErasuresPage } from '../records/erasures-page';
import { SessionsPage } from '../sessions/sessions-page';
import { SettingsPage } from '../settings/settings-page';
import { UsersPage } from '../users/users-page';
import { NotFoundPage } from './not-found-page';
import { patientRoutes } from './patient-routes';

type Route = readonly [pattern: string, render: (params: Readonly<Record<string, string>>) => ReactNode];

const routes: readonly Route[] = [
  ...patientRoutes,
  ['/users', () => <UsersPage />],
  ['/devices', () => <DevicesPage />],
  ['/sessions', () => <SessionsPage />],
  ['/audit', () => <AuditPage />],
  ['/alarms', () => <AlarmsPage />],
  ['/erasures', () => <ErasuresPage />],
  ['/backup', () => <BackupPage />],
  ['/settings', () => <SettingsPage />],
  ['/invite', () => <AcceptInvitePage />],
];

/** Screens of a signed-in user with the practice key. */
export function SignedInRoutes() {
  const { path } = useRouter();
  for (const [pattern, render] of routes) {
    const params = matchPath(pattern, path);
    if (params !== undefined) return <>{render(params)}</>;
  }
  return <NotFoundPage />;
}
