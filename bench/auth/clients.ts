// Simulated clients, each with its own loopback IP address, and CPU readings of the processes involved.
import { performance } from 'node:perf_hooks';
import { HttpClient } from '@tresor/sdk';
import { machineBusyMs } from '../lib/cpu.js';
import { fetchFrom } from '../lib/loopback-fetch.js';
import { processCpuMs, processTreeCpuMs } from '../lib/proc-stat.js';

export interface BenchClient {
  /** The client's IP address as the server sees it. */
  readonly address: string;
  readonly http: HttpClient;
  close(): void;
}

/** Address groups keep the kinds of clients apart: 127.<group>.x.y. */
export const ADDRESS_GROUP = { setup: 1, sequential: 2, load: 3, hammer: 4 } as const;

export function clientAddress(group: number, index: number): string {
  return `127.${group}.${Math.floor(index / 250)}.${(index % 250) + 1}`;
}

export function openClient(baseUrl: string, address: string): BenchClient {
  const bound = fetchFrom(address);
  return {
    address,
    http: new HttpClient({ baseUrl, fetch: bound.fetch }),
    close: () => {
      bound.close();
    },
  };
}

export function openClients(baseUrl: string, group: number, count: number): BenchClient[] {
  return Array.from({ length: count }, (_, index) => openClient(baseUrl, clientAddress(group, index)));
}

export function closeClients(clients: readonly BenchClient[]): void {
  for (const client of clients) client.close();
}

/**
 * CPU time used so far (ms) by the server process, the database (PostgreSQL only), this process,
 * and the whole machine.
 */
export interface CpuReading {
  readonly atMs: number;
  readonly serverMs: number;
  readonly databaseMs: number | undefined;
  readonly benchMs: number;
  readonly machineMs: number;
}

export type CpuMeter = () => CpuReading;

/** `databasePid`: the postmaster, whose backends are counted with it. */
export function cpuMeter(serverPid: number, databasePid: number | undefined): CpuMeter {
  return () => {
    const { user, system } = process.cpuUsage();
    return {
      atMs: performance.now(),
      serverMs: processCpuMs(serverPid),
      databaseMs: databasePid === undefined ? undefined : processTreeCpuMs(databasePid),
      benchMs: (user + system) / 1000,
      machineMs: machineBusyMs(),
    };
  };
}

/** CPU used between two readings, per process, as ms of CPU. */
export interface CpuUsed {
  readonly wallMs: number;
  readonly serverMs: number;
  readonly databaseMs: number | undefined;
  readonly benchMs: number;
  /** Everything else on the machine: other engineers' tests, the system. */
  readonly otherMs: number;
}

export function cpuUsed(before: CpuReading, after: CpuReading): CpuUsed {
  const serverMs = after.serverMs - before.serverMs;
  const databaseMs =
    after.databaseMs === undefined || before.databaseMs === undefined
      ? undefined
      : after.databaseMs - before.databaseMs;
  const benchMs = after.benchMs - before.benchMs;
  const machineMs = after.machineMs - before.machineMs;
  return {
    wallMs: after.atMs - before.atMs,
    serverMs,
    databaseMs,
    benchMs,
    otherMs: Math.max(0, machineMs - serverMs - (databaseMs ?? 0) - benchMs),
  };
}
