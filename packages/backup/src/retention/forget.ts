import { unlink } from 'node:fs/promises';
import { errnoCode } from '../errors.js';
import { fsyncDirectory } from '../repository/atomic-file.js';
import { layout } from '../repository/layout.js';
import type { Repository } from '../repository/repository.js';
import { type PolicyResult, applyRetention } from './policy.js';
import type { RetentionRules } from './rules.js';
import { type ForeignFile, type UsageOptions, repositoryUsage, storedSize } from './usage.js';

export interface RetentionPlan extends PolicyResult {
  /** Files left out as no holder of the repository key wrote them (see {@link UsageOptions}). */
  readonly foreign: readonly ForeignFile[];
}

/** Decides per `rules` what would go, without changing anything. */
export async function planRetention(
  repo: Repository,
  rules: RetentionRules,
  now = new Date(),
  usageOptions: UsageOptions = {},
): Promise<RetentionPlan> {
  const { index, snapshots, foreign } = await repositoryUsage(repo, usageOptions);
  return { ...applyRetention(snapshots, rules, storedSize(index), now), foreign };
}

/**
 * Removes the snapshot files of `ids` (their data stays until `prune`). Each removal is one
 * unlink, so a crash leaves every snapshot either complete or gone.
 */
export async function removeSnapshots(repo: Repository, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    try {
      await unlink(layout.file(repo.root, 'snapshot', id));
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
    }
  }
  if (ids.length > 0) await fsyncDirectory(layout.dir(repo.root, 'snapshot'));
}
