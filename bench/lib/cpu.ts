import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/** Fraction (0..1) of the machine's CPU time that was not idle during the next `ms` milliseconds. */
export async function sampleCpuBusy(ms = 1000): Promise<number> {
  const before = cpuTimes();
  await sleep(ms);
  const after = cpuTimes();
  const total = after.total - before.total;
  return total > 0 ? 1 - (after.idle - before.idle) / total : 0;
}

function cpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const { times } of cpus()) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total };
}

/** CPU time (ms) all cores of the machine have spent not idle since boot, by every process. */
export function machineBusyMs(): number {
  const { idle, total } = cpuTimes();
  return total - idle;
}
