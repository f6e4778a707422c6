import type { ReactNode } from 'react';
import { EditPatientPage } from '../records/edit-patient-page';
import { NewPatientPage } from '../records/new-patient-page';
import { PatientDetailPage } from '../records/patient-detail-page';
import { PatientHistoryPage } from '../records/patient-history-page';
import { PatientsPage } from '../records/patients-page';

type Route = readonly [pattern: string, render: (params: Readonly<Record<string, string>>) => ReactNode];

/** The patient screens (records module); keyed by id so switching patients starts fresh. */
export const patientRoutes: readonly Route[] = [
  ['/patients', () => <PatientsPage />],
  ['/patients/new', () => <NewPatientPage />],
  ['/patients/:id', ({ id = '' }) => <PatientDetailPage key={id} patientId={id} />],
  ['/patients/:id/edit', ({ id = '' }) => <EditPatientPage key={id} patientId={id} />],
  ['/patients/:id/history', ({ id = '' }) => <PatientHistoryPage key={id} patientId={id} />],
];
