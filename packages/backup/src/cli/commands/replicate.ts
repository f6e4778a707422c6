import type { Command } from 'commander';
import { type ReplicateResult, replicate } from '../../cloud/replicate.js';
import { newProgress } from '../../engine/progress.js';
import type { Repository } from '../../repository/repository.js';
import type { CloudAccess } from '../../cloud/smart-restore.js';
import { formatBytes, formatDuration, formatRate } from '../format.js';
import type { Output } from '../output.js';
import {
  type CliContext,
  globalFlags,
  markPartial,
  openRepository,
  outputFor,
  requiredCloud,
} from '../session.js';

const REPLICATE_HELP = `
Sends the cloud copy the snapshots it lacks and the data they need that it does not hold yet:
packs, then an index naming them, key slots and the config, then the snapshots, so the cloud
never names data it does not hold. Each upload is checked against the hash the server computed,
and the cloud's listing is compared at the end. An interrupted run (network, kill) is resumed by
running it again: only the rest is sent.
The agent token can add but never delete or overwrite: a stolen token cannot destroy backups.
The cloud has its own retention ("forget --cloud-copy" with a retention token): snapshots it
deleted are not sent again, and snapshots removed locally by "forget" stay in the cloud.`;

/** Replicates and reports; used by `replicate` and `daemon`. @returns whether all is verified. */
export async function executeReplicate(
  output: Output,
  repo: Repository,
  cloud: CloudAccess,
): Promise<boolean> {
  const progress = newProgress();
  output.startProgress(progress, 'replicate');
  let result: ReplicateResult;
  try {
    result = await replicate(repo, cloud.client, { progress, cacheRoot: cloud.cacheRoot });
  } finally {
    output.stopProgress();
  }
  const elapsed = Date.now() - progress.startedAt;
  for (const problem of result.problems) output.error(problem);
  output.text(
    `Replicated to ${cloud.client.url}: ${result.uploaded.objects} object(s) uploaded, ${formatBytes(result.uploaded.bytes)} ` +
      `in ${formatDuration(elapsed)} (${formatRate(result.uploaded.bytes, elapsed)}); ${result.alreadyThere} already there; ` +
      (result.forgottenInCloud > 0
        ? `${result.forgottenInCloud} snapshot(s) the cloud's retention deleted not sent again; `
        : '') +
      (result.problems.length === 0 ? 'verified' : `PROBLEMS: ${result.problems.length}`),
  );
  output.event('summary', {
    command: 'replicate',
    status: result.problems.length === 0 ? 'complete' : 'partial',
    uploadedObjects: result.uploaded.objects,
    uploadedBytes: result.uploaded.bytes,
    alreadyThere: result.alreadyThere,
    forgottenInCloud: result.forgottenInCloud,
    durationMs: elapsed,
    problems: result.problems,
  });
  return result.problems.length === 0;
}

export function registerReplicate(program: Command, context: CliContext): void {
  program
    .command('replicate')
    .description(
      "copy the repository to the practice's cloud backup on the Tresor server (only what is missing)",
    )
    .addHelpText('after', `${REPLICATE_HELP}\nExit code 3 if something could not be verified in the cloud.`)
    .action(async (_flags: object, command: Command) => {
      const global = globalFlags(command);
      const output = outputFor(context, global);
      const cloud = requiredCloud(context, global);
      const repo = await openRepository(context, global);
      if (!(await executeReplicate(output, repo, cloud))) markPartial(context);
    });
}
