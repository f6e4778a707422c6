import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { BackupError, errnoCode } from '../errors.js';
import { fsyncDirectory } from '../repository/atomic-file.js';
import { type Schedule, invalidSchedule } from '../daemon/schedule.js';
import { type RetentionRules, invalidRule } from '../retention/rules.js';
import {
  CONSISTENCY_HINTS,
  type ConsistencyHint,
  type HookCommand,
  MAX_HOOK_TIMEOUT_SECONDS,
} from './manifest.js';

export const PLAN_FORMAT = 'tresor-backup-plan';
export const PLAN_VERSION = 1;

/** What `plan` copied from a product's manifest; replaced on every `plan` run. */
export interface ManifestPart {
  readonly file: string;
  readonly name: string;
  readonly vendor: string;
  readonly version: string;
  readonly home?: string;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly pre: readonly HookCommand[];
  readonly post: readonly HookCommand[];
  readonly hints: readonly ConsistencyHint[];
  /** Set when the last `plan` run found no manifest for this product any more. */
  readonly missing?: boolean;
}

/**
 * One entry of the plan. `enabled`, `extraPaths` and `extraExclude` belong to the user and are
 * never changed by `plan`; `manifest` belongs to `plan` (absent for the user's own entries).
 */
export interface PlanSource {
  readonly id: string;
  readonly enabled: boolean;
  readonly extraPaths: readonly string[];
  readonly extraExclude: readonly string[];
  readonly manifest?: ManifestPart;
}

export interface Plan {
  readonly format: typeof PLAN_FORMAT;
  readonly version: typeof PLAN_VERSION;
  readonly sources: readonly PlanSource[];
  /** Rules for `forget` (docs/BACKUP_PLAN.md, "Retention"); yours, never changed by `plan`. */
  readonly retention?: RetentionRules;
  /** Rules for the cloud copy (`forget --cloud-copy`, retention token); yours, never changed by `plan`. */
  readonly cloudRetention?: RetentionRules;
  /** When `daemon` runs the plan; yours, never changed by `plan`. */
  readonly schedule?: Schedule;
}

export function emptyPlan(): Plan {
  return { format: PLAN_FORMAT, version: PLAN_VERSION, sources: [] };
}

class PlanShapeError extends Error {}

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function record(value: unknown, where: string): Json {
  if (!isRecord(value)) throw new PlanShapeError(`${where} must be an object`);
  return value;
}

function string(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '')
    throw new PlanShapeError(`${where} must be a non-empty string`);
  return value;
}

function strings(value: unknown, where: string, absolute = false): string[] {
  if (!Array.isArray(value)) throw new PlanShapeError(`${where} must be a list of strings`);
  return value.map((item, i) => {
    const text = string(item, `${where}[${i}]`);
    if (absolute && !isAbsolute(text)) throw new PlanShapeError(`${where}[${i}] must be an absolute path`);
    return text;
  });
}

function hooks(value: unknown, where: string): HookCommand[] {
  if (!Array.isArray(value)) throw new PlanShapeError(`${where} must be a list`);
  return value.map((item, i) => {
    const entry = record(item, `${where}[${i}]`);
    const timeoutSeconds = entry.timeoutSeconds;
    if (
      !Number.isSafeInteger(timeoutSeconds) ||
      (timeoutSeconds as number) < 1 ||
      (timeoutSeconds as number) > MAX_HOOK_TIMEOUT_SECONDS
    ) {
      throw new PlanShapeError(
        `${where}[${i}].timeoutSeconds must be a whole number of seconds, 1..${MAX_HOOK_TIMEOUT_SECONDS}`,
      );
    }
    return {
      command: string(entry.command, `${where}[${i}].command`),
      timeoutSeconds: timeoutSeconds as number,
    };
  });
}

function hintList(value: unknown, where: string): ConsistencyHint[] {
  if (!Array.isArray(value)) throw new PlanShapeError(`${where} must be a list`);
  return value.map((item, i) => {
    const entry = record(item, `${where}[${i}]`);
    const kind = entry.kind;
    if (!CONSISTENCY_HINTS.includes(kind as ConsistencyHint['kind'])) {
      throw new PlanShapeError(`${where}[${i}].kind must be one of ${CONSISTENCY_HINTS.join(', ')}`);
    }
    const note = typeof entry.note === 'string' ? entry.note : '';
    const service = typeof entry.service === 'string' ? entry.service : undefined;
    return { kind: kind as ConsistencyHint['kind'], ...(service ? { service } : {}), note };
  });
}

function manifestPart(value: unknown, where: string): ManifestPart {
  const m = record(value, where);
  return {
    file: string(m.file, `${where}.file`),
    name: string(m.name, `${where}.name`),
    vendor: string(m.vendor, `${where}.vendor`),
    version: string(m.version, `${where}.version`),
    ...(m.home === undefined ? {} : { home: string(m.home, `${where}.home`) }),
    include: strings(m.include, `${where}.include`, true),
    exclude: strings(m.exclude, `${where}.exclude`),
    pre: hooks(m.pre, `${where}.pre`),
    post: hooks(m.post, `${where}.post`),
    hints: hintList(m.hints ?? [], `${where}.hints`),
    ...(m.missing === true ? { missing: true } : {}),
  };
}

/** Validates a parsed plan file. @throws BackupError plan.invalid naming the bad field. */
export function decodePlan(value: unknown, file: string): Plan {
  try {
    const root = record(value, 'the plan');
    if (root.format !== PLAN_FORMAT) throw new PlanShapeError(`"format" must be "${PLAN_FORMAT}"`);
    if (root.version !== PLAN_VERSION) {
      throw new PlanShapeError(
        `plan version ${String(root.version)} is not supported (this tresor-backup reads ${PLAN_VERSION})`,
      );
    }
    if (!Array.isArray(root.sources)) throw new PlanShapeError('"sources" must be a list');
    const ids = new Set<string>();
    const sources = root.sources.map((item, i): PlanSource => {
      const where = `sources[${i}]`;
      const s = record(item, where);
      const id = string(s.id, `${where}.id`);
      if (ids.has(id)) throw new PlanShapeError(`${where}.id "${id}" appears twice`);
      ids.add(id);
      if (typeof s.enabled !== 'boolean') throw new PlanShapeError(`${where}.enabled must be true or false`);
      const manifest = s.manifest === undefined ? undefined : manifestPart(s.manifest, `${where}.manifest`);
      const extraPaths = strings(s.extraPaths ?? [], `${where}.extraPaths`, true);
      if (!manifest && extraPaths.length === 0) {
        throw new PlanShapeError(`${where} has no manifest and no extraPaths: nothing to back up`);
      }
      return {
        id,
        enabled: s.enabled,
        extraPaths,
        extraExclude: strings(s.extraExclude ?? [], `${where}.extraExclude`),
        ...(manifest ? { manifest } : {}),
      };
    });
    let retention: RetentionRules | undefined;
    if (root.retention !== undefined) {
      const problem = invalidRule(root.retention);
      if (problem) throw new PlanShapeError(`"retention" ${problem}`);
      retention = root.retention as RetentionRules;
    }
    let cloudRetention: RetentionRules | undefined;
    if (root.cloudRetention !== undefined) {
      const problem = invalidRule(root.cloudRetention);
      if (problem) throw new PlanShapeError(`"cloudRetention" ${problem}`);
      cloudRetention = root.cloudRetention as RetentionRules;
    }
    let schedule: Schedule | undefined;
    if (root.schedule !== undefined) {
      const problem = invalidSchedule(root.schedule);
      if (problem) throw new PlanShapeError(`"schedule" ${problem}`);
      schedule = root.schedule as Schedule;
    }
    return {
      format: PLAN_FORMAT,
      version: PLAN_VERSION,
      sources,
      ...(retention ? { retention } : {}),
      ...(cloudRetention ? { cloudRetention } : {}),
      ...(schedule ? { schedule } : {}),
    };
  } catch (error) {
    if (error instanceof PlanShapeError) throw new BackupError('plan.invalid', `${file}: ${error.message}`);
    throw error;
  }
}

/** Reads the plan at `file`; `undefined` if there is none yet. @throws BackupError plan.invalid */
export async function readPlan(file: string): Promise<Plan | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BackupError(
      'plan.invalid',
      `${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  return decodePlan(value, file);
}

/** Like readPlan, but a missing plan is an error. */
export async function requirePlan(file: string): Promise<Plan> {
  const plan = await readPlan(file);
  if (!plan)
    throw new BackupError('plan.not_found', `no plan at ${file}: create it with "tresor-backup plan"`);
  return plan;
}

export function encodePlan(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

/** Replaces `file` atomically (temporary file next to it, fsync, rename, fsync of the directory). */
export async function writePlan(file: string, plan: Plan): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(encodePlan(plan));
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  await rename(temp, file);
  await fsyncDirectory(dirname(file));
}
