export { diagnosticsRoutes } from './diagnostics.routes.js';
export type { Probe, ProbeStore } from './diagnostics.store.js';
export { PgProbeStore } from './diagnostics.store.pg.js';
