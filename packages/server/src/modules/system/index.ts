export { systemRoutes } from './system.routes.js';
export { type SystemFacts, SystemService } from './system.service.js';
export type { SystemStore } from './system.store.js';
export { PgSystemStore } from './system.store.pg.js';
