import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`, 100 on common Linux systems). */
export const CLOCK_TICKS_PER_SECOND = clockTicksPerSecond();

interface ProcStat {
  readonly ppid: number;
  /** utime + stime of the process itself, in clock ticks. */
  readonly ownTicks: number;
  /** cutime + cstime: its children that it has waited for, in clock ticks. */
  readonly reapedChildrenTicks: number;
}

/** CPU time (user + system) that process `pid` has used so far, in milliseconds. */
export function processCpuMs(pid: number): number {
  const stat = readStat(pid);
  if (stat === undefined) throw new Error(`process ${pid} is gone (no /proc/${pid}/stat)`);
  return ticksToMs(stat.ownTicks);
}

/**
 * CPU time used so far by process `pid`, its live children and the children it has reaped, in
 * milliseconds: for PostgreSQL, the postmaster and its backends.
 */
export function processTreeCpuMs(pid: number): number {
  const root = readStat(pid);
  if (root === undefined) throw new Error(`process ${pid} is gone (no /proc/${pid}/stat)`);
  let ticks = root.ownTicks + root.reapedChildrenTicks;
  for (const child of processIds()) {
    const stat = readStat(child);
    if (stat?.ppid === pid) ticks += stat.ownTicks;
  }
  return ticksToMs(ticks);
}

/** The process whose command line has `-p <port>`, e.g. a postmaster started by pg_ctl. */
export function findProcessByPortArgument(port: number): number | undefined {
  for (const pid of processIds()) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const flag = args.indexOf('-p');
    if (flag >= 0 && args[flag + 1] === String(port)) return pid;
  }
  return undefined;
}

function processIds(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so split after the last ")".
  // Fields from "state" on: [0] state, [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime.
  const fields = text
    .slice(text.lastIndexOf(')') + 2)
    .split(' ')
    .map((field) => Number(field));
  const field = (index: number) => fields[index] ?? 0;
  return {
    ppid: field(1),
    ownTicks: field(11) + field(12),
    reapedChildrenTicks: field(13) + field(14),
  };
}

function ticksToMs(ticks: number): number {
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}
