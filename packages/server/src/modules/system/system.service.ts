import type { Readiness, ServerInfo } from '@tresor/sdk/contract';
import { AppError } from '../../platform/app-error.js';
import type { SystemStore } from './system.store.js';

export interface SystemFacts {
  readonly version: string;
  readonly storage: ServerInfo['storage'];
  readonly knownMigrations: readonly string[];
}

export class SystemService {
  constructor(
    private readonly store: SystemStore,
    private readonly facts: SystemFacts,
  ) {}

  async readiness(): Promise<Readiness> {
    if (!(await this.store.ping())) {
      return { status: 'not_ready', database: 'unreachable', migrations: 'pending' };
    }
    const applied = new Set(await this.store.appliedMigrations());
    const current = this.facts.knownMigrations.every((name) => applied.has(name));
    return {
      status: current ? 'ready' : 'not_ready',
      database: 'ok',
      migrations: current ? 'current' : 'pending',
    };
  }

  async info(): Promise<ServerInfo> {
    const applied = await this.store.appliedMigrations().catch(() => {
      throw new AppError('server.unavailable');
    });
    return {
      name: 'Tresor',
      version: this.facts.version,
      storage: this.facts.storage,
      schemaVersion: applied.at(-1) ?? 'none',
    };
  }
}
