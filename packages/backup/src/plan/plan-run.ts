import { lstat } from 'node:fs/promises';
import { dirname, isAbsolute, relative } from 'node:path';
import { type BackupResult, backup } from '../engine/backup.js';
import type { Progress } from '../engine/progress.js';
import { BackupError, errnoCode } from '../errors.js';
import type { Repository } from '../repository/repository.js';
import { type PathMatcher, compileGlobs } from './glob.js';
import { type HookLine, type HookOutcome, runHook } from './hook-runner.js';
import type { HookCommand } from './manifest.js';
import type { Plan, PlanSource } from './plan-file.js';

export type HookPhase = 'pre' | 'post';

/** What the caller hears while a plan runs (the CLI logs it). */
export interface PlanRunEvents {
  readonly hookStart?: (source: string, phase: HookPhase, command: string) => void;
  readonly hookLine?: (source: string, phase: HookPhase, stream: 'stdout' | 'stderr', line: string) => void;
  readonly hookDone?: (source: string, phase: HookPhase, outcome: HookOutcome) => void;
  /** Just before the backup of all collected paths starts. */
  readonly backupStart?: (paths: readonly string[]) => void;
}

export interface SourceOutcome {
  readonly id: string;
  /** `skipped`: a pre-command failed, so its paths were not backed up. */
  readonly status: 'backed-up' | 'skipped' | 'disabled' | 'nothing-found';
  readonly hooks: readonly HookOutcome[];
  /** Paths of the plan that do not exist (left out, the run is partial). */
  readonly missingPaths: readonly string[];
  /**
   * Paths of the plan that could not be checked, e.g. a file where a directory is expected on the
   * way (ENOTDIR) or no permission to look (EACCES): left out, the run is partial.
   */
  readonly unusablePaths: readonly UnusablePath[];
}

export interface UnusablePath {
  readonly path: string;
  /** E.g. `"a part of the path is not a directory (ENOTDIR)"`. */
  readonly message: string;
}

export interface PlanRunResult {
  /** `partial` when a command failed, a planned path was missing or a file was unreadable. */
  readonly status: 'complete' | 'partial';
  readonly sources: readonly SourceOutcome[];
  /** The snapshot, unless there was nothing left to back up. */
  readonly backup?: BackupResult;
}

export interface PlanRunOptions {
  readonly events?: PlanRunEvents;
  readonly progress?: Progress;
  readonly scan?: boolean;
  readonly workers?: number;
  readonly hostname?: string;
}

function sourcePaths(source: PlanSource): string[] {
  return [...(source.manifest?.include ?? []), ...source.extraPaths];
}

function sourceExcludes(source: PlanSource): string[] {
  return [...(source.manifest?.exclude ?? []), ...source.extraExclude];
}

function hookVariables(source: PlanSource): Record<string, string> {
  return {
    TRESOR_BACKUP_SOURCE: source.id,
    ...(source.manifest === undefined ? {} : { MANIFEST_DIR: dirname(source.manifest.file) }),
    ...(source.manifest?.home === undefined ? {} : { PRODUCT_HOME: source.manifest.home }),
  };
}

const isInside = (path: string, root: string): boolean => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

const PATH_ERRORS: Readonly<Record<string, string>> = {
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
};

/** `true`/`false` for found/missing, or why the path could not be checked. */
async function exists(path: string): Promise<boolean | string> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') return false;
    if (code === undefined) throw error;
    return `${PATH_ERRORS[code] ?? 'cannot be checked'} (${code})`;
  }
}

interface Working {
  readonly source: PlanSource;
  readonly hooks: HookOutcome[];
  failed: boolean;
  /** The pre-command phase began, so the post-commands must run. */
  started: boolean;
  missingPaths: string[];
  unusablePaths: UnusablePath[];
  paths: string[];
}

/**
 * Why `plan` cannot be run, or undefined when it can: a plan without entries, or with every entry
 * disabled, has nothing to back up. `plan` writes such a plan when it finds no manifests, so it is
 * a valid plan file, but running it is refused as an invalid plan (exit code 1), as for any other
 * plan `run` cannot use.
 */
export function nothingToRun(plan: Plan): string | undefined {
  if (plan.sources.length === 0) {
    return '"sources" is empty: nothing to back up (run "tresor-backup plan" with the products\' manifests, or add an entry with "extraPaths")';
  }
  if (!plan.sources.some((source) => source.enabled)) {
    return '"sources" has no enabled entry (every one has "enabled": false): nothing to back up';
  }
  return undefined;
}

/**
 * Backs up per plan (docs/BACKUP_PLAN.md, "Running the plan"): every enabled entry's
 * pre-commands run first, in plan order; an entry whose pre-command fails (or times out) is
 * skipped. Then the paths of all other entries go into one snapshot through the backup engine,
 * each path with its own entry's exclude patterns. Then the post-commands of every enabled entry
 * run, also for a skipped entry (they undo what its pre-commands did, e.g. restart a stopped
 * service) and also when the backup itself failed.
 */
export async function runPlan(
  repo: Repository,
  plan: Plan,
  options: PlanRunOptions = {},
): Promise<PlanRunResult> {
  const events = options.events ?? {};
  const empty = nothingToRun(plan);
  if (empty !== undefined) throw new BackupError('plan.invalid', `the plan's ${empty}`);
  const enabled = plan.sources.filter((source) => source.enabled);
  const working: Working[] = enabled.map((source) => ({
    source,
    hooks: [],
    failed: false,
    started: false,
    missingPaths: [],
    unusablePaths: [],
    paths: [],
  }));
  const runHooks = async (
    work: Working,
    phase: HookPhase,
    hooks: readonly HookCommand[],
  ): Promise<boolean> => {
    for (const hook of hooks) {
      events.hookStart?.(work.source.id, phase, hook.command);
      const onLine: HookLine = (stream, line) => events.hookLine?.(work.source.id, phase, stream, line);
      const outcome = await runHook(hook, hookVariables(work.source), onLine);
      work.hooks.push(outcome);
      events.hookDone?.(work.source.id, phase, outcome);
      if (outcome.status !== 'ok') return false;
    }
    return true;
  };

  let result: BackupResult | undefined;
  let postFailed = false;
  try {
    for (const work of working) {
      work.started = true;
      if (!(await runHooks(work, 'pre', work.source.manifest?.pre ?? []))) {
        work.failed = true;
        continue;
      }
      for (const path of sourcePaths(work.source)) {
        const found = await exists(path);
        if (typeof found === 'string') work.unusablePaths.push({ path, message: found });
        else if (found) work.paths.push(path);
        else work.missingPaths.push(path);
      }
    }

    const included = working.filter((work) => !work.failed && work.paths.length > 0);
    const excludes = included
      .map((work) => ({ roots: work.paths, match: compileGlobs(sourceExcludes(work.source)) }))
      .filter((entry): entry is { roots: string[]; match: PathMatcher } => entry.match !== undefined);
    const exclude =
      excludes.length === 0
        ? undefined
        : (path: string) =>
            excludes.some(({ roots, match }) => roots.some((root) => isInside(path, root)) && match(path));
    const paths = [...new Set(included.flatMap((work) => work.paths))];

    if (paths.length > 0) {
      events.backupStart?.(paths);
      result = await backup(repo, {
        paths,
        ...(exclude === undefined
          ? {}
          : {
              exclude,
              excludeSignature: JSON.stringify(
                included.map((work) => [work.paths, sourceExcludes(work.source)]),
              ),
            }),
        ...(options.progress === undefined ? {} : { progress: options.progress }),
        ...(options.scan === undefined ? {} : { scan: options.scan }),
        ...(options.workers === undefined ? {} : { workers: options.workers }),
        ...(options.hostname === undefined ? {} : { hostname: options.hostname }),
      });
    }
  } finally {
    for (const work of working.filter((entry) => entry.started)) {
      if (!(await runHooks(work, 'post', work.source.manifest?.post ?? []))) postFailed = true;
    }
  }

  const sources: SourceOutcome[] = [
    ...working.map((work): SourceOutcome => ({
      id: work.source.id,
      status: work.failed ? 'skipped' : work.paths.length === 0 ? 'nothing-found' : 'backed-up',
      hooks: work.hooks,
      missingPaths: work.missingPaths,
      unusablePaths: work.unusablePaths,
    })),
    ...plan.sources
      .filter((source) => !source.enabled)
      .map((source): SourceOutcome => ({
        id: source.id,
        status: 'disabled',
        hooks: [],
        missingPaths: [],
        unusablePaths: [],
      })),
  ];
  const partial =
    postFailed ||
    working.some((work) => work.failed || work.missingPaths.length > 0 || work.unusablePaths.length > 0) ||
    result?.status === 'partial' ||
    result === undefined;
  return { status: partial ? 'partial' : 'complete', sources, ...(result ? { backup: result } : {}) };
}
