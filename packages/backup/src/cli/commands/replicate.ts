import type { Command } from 'commander';
import { type CloudRepairResult, repairCloud } from '../../cloud/cloud-repair.js';
import { type ReplicateResult, replicate } from '../../cloud/replicate.js';
import { newProgress } from '../../engine/progress.js';
import type { Repository } from '../../repository/repository.js';
import type { CloudAccess } from '../../cloud/smart-restore.js';
import { formatBytes, formatDuration, formatRate } from '../format.js';
import { BackupError } from '../../errors.js';
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
deleted are not sent again, and snapshots removed locally by "forget" stay in the cloud.
With --repair, every metadata file of the cloud copy (with --read-data every pack too) is
fetched first and compared with the hash the server recorded when it was stored: a file that
rotted on the server's disk is stored again from a sound copy in the local repository or the
cache (the same bytes under the same name, which the agent token may send) and fetched once more
to verify. What cannot be replaced from here is listed ("check --cloud-copy" shows what it affects).`;

/** Repairs the cloud copy from the local repository and reports. @returns whether all is sound. */
async function executeRepair(
  output: Output,
  repo: Repository,
  cloud: CloudAccess,
  readData: boolean,
): Promise<boolean> {
  const progress = newProgress();
  output.startProgress(progress, 'repair');
  let result: CloudRepairResult;
  try {
    result = await repairCloud(repo, cloud.client, { readData, progress, cacheRoot: cloud.cacheRoot });
  } finally {
    output.stopProgress();
  }
  for (const object of result.repaired) {
    output.warn(`${object} was damaged in the cloud; stored again from the sound copy here and verified`, {
      object,
      outcome: 'repaired',
    });
  }
  for (const { object, reason } of result.unrepaired) {
    const removable = object.startsWith('index/') || object.startsWith('snapshots/');
    output.error(
      `${object} is damaged in the cloud and was not repaired: ${reason}` +
        (removable
          ? ' (nobody can read it; "prune --cloud-copy --remove-damaged" with a retention token deletes it)'
          : ''),
    );
  }
  output.text(
    `Repair: fetched ${result.checked} object(s) (${formatBytes(result.bytesChecked)}) of the cloud copy; ` +
      `${result.repaired.length} damaged one(s) repaired, ${result.unrepaired.length} not repaired`,
  );
  output.event('summary', {
    command: 'repair',
    status: result.unrepaired.length === 0 ? 'complete' : 'partial',
    checked: result.checked,
    bytesChecked: result.bytesChecked,
    repaired: result.repaired,
    unrepaired: result.unrepaired,
  });
  return result.unrepaired.length === 0;
}

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
    .option('--repair', 'first fetch the cloud copy and store again, from this repository, what rotted there')
    .option('--read-data', 'with --repair: check and repair the packs too (downloads the whole cloud copy)')
    .addHelpText(
      'after',
      `${REPLICATE_HELP}\nExit code 3 if something could not be verified or repaired in the cloud.`,
    )
    .action(async (flags: { repair?: boolean; readData?: boolean }, command: Command) => {
      const global = globalFlags(command);
      const output = outputFor(context, global);
      if (flags.readData === true && flags.repair !== true) {
        throw new BackupError('usage.invalid', '--read-data needs --repair');
      }
      const cloud = requiredCloud(context, global);
      const repo = await openRepository(context, global);
      const sound =
        flags.repair === true ? await executeRepair(output, repo, cloud, flags.readData === true) : true;
      if (!(await executeReplicate(output, repo, cloud)) || !sound) markPartial(context);
    });
}
