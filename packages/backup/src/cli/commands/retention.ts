import { type Command, Option } from 'commander';
import { newProgress } from '../../engine/progress.js';
import { BackupError } from '../../errors.js';
import { readPlan } from '../../plan/plan-file.js';
import { planRetention, removeSnapshots } from '../../retention/forget.js';
import type { Decision, PolicyResult } from '../../retention/policy.js';
import { type PruneResult, prune } from '../../retention/prune.js';
import { type RetentionRules, hasAnyRule } from '../../retention/rules.js';
import { formatBytes } from '../format.js';
import type { Repository } from '../../repository/repository.js';
import type { Output } from '../output.js';
import { type CloudMirror, syncCloudMirror } from '../../cloud/cloud-cache.js';
import {
  type CloudDeletion,
  type CloudPruneResult,
  type ForeignObject,
  cloudUsageOptions,
  deleteCloudSnapshots,
  pruneCloud,
} from '../../cloud/cloud-retention.js';
import type { ForeignFile } from '../../retention/usage.js';
import { removeDamagedCloudFiles } from '../../cloud/cloud-repair.js';
import {
  type CliContext,
  type CloudCopy,
  type GlobalFlags,
  globalFlags,
  markPartial,
  openCloudCopy,
  openRepository,
  optionalRepoPath,
  outputFor,
  withCloudRetention,
} from '../session.js';
import { count, days, percent, positiveDays, sizeLimit } from '../units.js';
import { planPath } from './plan.js';

interface ForgetFlags {
  readonly keepLast?: number;
  readonly keepDaily?: number;
  readonly keepWeekly?: number;
  readonly keepMonthly?: number;
  readonly maxAge?: number;
  readonly maxSize?: number;
  readonly minKeep?: number;
  readonly minAge?: number;
  readonly dryRun?: boolean;
  readonly prune?: boolean;
  readonly plan?: string;
  readonly cloudCopy?: boolean;
  readonly maxUnused?: number;
}

interface ForgetRun {
  readonly dryRun: boolean;
  readonly prune: boolean;
  /** For the prune afterwards; default {@link DEFAULT_MAX_UNUSED}. */
  readonly maxUnused?: number;
}

/** Unneeded data a prune may leave in partly needed packs: none locally, 5 % in the cloud. */
const DEFAULT_MAX_UNUSED = { local: 0, cloud: 0.05 } as const;

const MAX_UNUSED_HELP =
  'unneeded data that may stay in partly needed packs, in percent of the stored data, so ' +
  'that packs with little garbage are not rewritten (default 0; with --cloud-copy 5, where ' +
  'each rewrite means a download and an upload)';

const RETENTION_HELP = `
Rules (docs/BACKUP_PLAN.md, "Retention"), applied in this order:
  exceptions  --min-keep N and --min-age DAYS protect snapshots from every rule below
  keep rules  with any --keep-* option, a snapshot that none of them selects is forgotten
  age limit   --max-age DAYS forgets older snapshots, even ones a keep rule selected
  size limit  --max-size SIZE forgets the oldest remaining snapshots until the data the rest
              need (stored bytes, each blob once) is at most SIZE
Days and weeks are UTC days and ISO weeks. Rules can also be stored in the plan file's
"retention" object (--plan or $TRESOR_BACKUP_PLAN); options given here override them.
Freed bytes: the stored data that no remaining snapshot needs once the snapshot is gone
(reference counts over all blobs); it is only removed from disk by "prune".`;

async function rulesFrom(context: CliContext, flags: ForgetFlags): Promise<RetentionRules> {
  const planFile = flags.plan ?? context.env.plan;
  const plan = planFile === undefined ? undefined : await readPlan(planPath(context, flags));
  const fromPlan = flags.cloudCopy ? plan?.cloudRetention : plan?.retention;
  const given: RetentionRules = {
    ...(flags.keepLast === undefined ? {} : { keepLast: flags.keepLast }),
    ...(flags.keepDaily === undefined ? {} : { keepDaily: flags.keepDaily }),
    ...(flags.keepWeekly === undefined ? {} : { keepWeekly: flags.keepWeekly }),
    ...(flags.keepMonthly === undefined ? {} : { keepMonthly: flags.keepMonthly }),
    ...(flags.maxAge === undefined ? {} : { maxAgeDays: flags.maxAge }),
    ...(flags.maxSize === undefined ? {} : { maxTotalBytes: flags.maxSize }),
    ...(flags.minKeep === undefined ? {} : { minKeep: flags.minKeep }),
    ...(flags.minAge === undefined ? {} : { minAgeDays: flags.minAge }),
  };
  const rules = { ...fromPlan, ...given };
  if (!hasAnyRule(rules)) {
    throw new BackupError('usage.invalid', 'no retention rule given (see "tresor-backup forget --help")');
  }
  return rules;
}

function reportPrune(output: Output, result: PruneResult, dryRun: boolean): void {
  output.text(
    [
      `${dryRun ? 'Would remove' : 'Removed'} ${result.blobsRemoved} unneeded blob(s), ${formatBytes(result.bytesRemoved)} stored`,
      `Packs:     ${result.packsKept} kept, ${result.packsRewritten} rewritten into ${result.packsWritten} new, ${result.packsRemoved} deleted (rewritten ones included)`,
      ...(result.packsPartlyKept > 0
        ? [
            `           ${result.packsPartlyKept} partly needed pack(s) left as they are (${formatBytes(result.bytesUnusedKept)} unneeded, within --max-unused)`,
          ]
        : []),
      `Size:      ${formatBytes(result.packBytesBefore)} → ${formatBytes(result.packBytesAfter)} of packs`,
      ...(result.orphanPacksIndexed > 0
        ? [`Indexed ${result.orphanPacksIndexed} pack(s) left by an interrupted run.`]
        : []),
    ].join('\n'),
  );
  output.event('summary', { command: 'prune', dryRun, ...result });
}

/** Prints each decision; @returns the forgotten ones. */
function reportDecisions(output: Output, result: PolicyResult): Decision[] {
  const gone = result.decisions.filter((decision) => decision.forget);
  if (result.decisions.length > 0) {
    output.text(`${'ID'.padEnd(10)}${'Time'.padEnd(21)}${'Action'.padEnd(8)}${'Frees'.padStart(10)}  Why`);
  }
  for (const decision of result.decisions) {
    const time = decision.time.toISOString().replace('T', ' ').slice(0, 19);
    output.text(
      `${decision.id.slice(0, 8).padEnd(10)}${time.padEnd(21)}${(decision.forget ? 'forget' : 'keep').padEnd(8)}${(decision.forget ? formatBytes(decision.freedBytes) : '').padStart(10)}  ${decision.reasons.join(', ')}`,
    );
    output.event('decision', {
      id: decision.id,
      time: decision.time.toISOString(),
      action: decision.forget ? 'forget' : 'keep',
      reasons: decision.reasons,
      freedBytes: decision.freedBytes,
    });
  }
  if (result.sizeLimitUnmet) {
    output.warn(
      `the size limit cannot be met: the protected snapshots alone need ${formatBytes(result.liveBytesAfter)}`,
      { liveBytesAfter: result.liveBytesAfter },
    );
  }
  return gone;
}

/**
 * Applies `rules` and reports each decision on `output` (used by `forget` and `daemon`).
 * @returns whether the size limit could not be met.
 */
export async function executeForget(
  output: Output,
  repo: Repository,
  rules: RetentionRules,
  options: ForgetRun,
): Promise<boolean> {
  const result = await planRetention(repo, rules);
  const gone = reportDecisions(output, result);
  if (!options.dryRun)
    await removeSnapshots(
      repo,
      gone.map((decision) => decision.id),
    );
  output.text(
    `${options.dryRun ? 'Dry run: would forget' : 'Forgot'} ${gone.length} of ${result.decisions.length} snapshot(s); ` +
      `data the snapshots need: ${formatBytes(result.liveBytesBefore)} → ${formatBytes(result.liveBytesAfter)}` +
      (options.dryRun || options.prune ? '' : ' (run "prune" to free the space)'),
  );
  output.event('summary', {
    command: 'forget',
    dryRun: options.dryRun,
    rules,
    forgotten: gone.map((decision) => decision.id),
    kept: result.decisions.length - gone.length,
    liveBytesBefore: result.liveBytesBefore,
    liveBytesAfter: result.liveBytesAfter,
    sizeLimitUnmet: result.sizeLimitUnmet,
  });
  // A dry run's prune could only count today's garbage, not what the forgotten snapshots free.
  if (options.prune && !options.dryRun) {
    reportPrune(
      output,
      await prune(repo, { maxUnused: options.maxUnused ?? DEFAULT_MAX_UNUSED.local }),
      false,
    );
  }
  return result.sizeLimitUnmet;
}

const CLOUD_COPY_HELP =
  'apply to the cloud copy on the Tresor server (needs a retention token; rules from the plan\'s "cloudRetention")';

/** The cloud prune's result and the packs it had to download (rewriting them). */
type CloudPruneReport = CloudPruneResult & { readonly packsFetched: number; readonly bytesFetched: number };

function reportCloudPrune(output: Output, result: CloudPruneReport, dryRun: boolean): void {
  const rewritten =
    result.packsRewritten > 0
      ? `; ${result.packsRewritten} partly needed pack(s) ${dryRun ? 'would be rewritten' : `rewritten into ${result.packsWritten} new`} (${formatBytes(result.bytesUploaded)} ${dryRun ? 'to upload' : 'uploaded'})`
      : '';
  output.text(
    `Cloud: ${dryRun ? 'would delete' : 'deleted'} ${result.packsDeleted} pack(s), ${formatBytes(result.bytesDeleted)}` +
      rewritten +
      (result.packsLocked > 0
        ? `; ${result.packsLocked} pack(s) with unneeded data still in their lock period`
        : '') +
      (result.packsAdopted > 0
        ? `; indexed ${result.packsAdopted} pack(s) an interrupted prune had uploaded`
        : '') +
      (result.packsPartlyKept > 0
        ? `; ${result.packsPartlyKept} partly needed pack(s) left as they are (${formatBytes(result.bytesUnusedKept)} unneeded, within --max-unused)`
        : '') +
      (result.packsLeftOver > 0
        ? `; ${result.packsLeftOver} of the deleted pack(s) were left by an interrupted prune`
        : '') +
      (result.packsUnindexed > 0
        ? `; ${result.packsUnindexed} pack(s) of an unfinished replicate left alone`
        : '') +
      (result.packsFetched > 0
        ? `; fetched ${result.packsFetched} pack(s) (${formatBytes(result.bytesFetched)}) from the cloud to rewrite them`
        : '') +
      (result.rangeRequests > 0
        ? `; fetched ${formatBytes(result.bytesFetchedInRanges)} of blobs to keep in ${result.rangeRequests} range request(s)`
        : ''),
  );
  output.event('summary', { command: 'prune', cloud: true, dryRun, ...result });
}

/**
 * Warns about each cloud object that no holder of the repository key wrote (e.g. stored with a
 * stolen agent token): retention leaves it out; prune deletes it once past its lock period.
 */
function reportForeign(output: Output, files: readonly (ForeignFile | ForeignObject)[]): void {
  for (const file of files) {
    const outcome = 'outcome' in file ? file.outcome : undefined;
    const name = `${file.kind === 'index' ? 'index' : 'snapshots'}/${file.id}`;
    const fate =
      outcome === 'deleted'
        ? 'deleted'
        : outcome === 'locked'
          ? 'it stays until its lock period is over'
          : outcome === 'deletable'
            ? 'past its lock period, a prune deletes it'
            : '"prune --cloud-copy" deletes it once its lock period is over';
    output.warn(
      `${name} in the cloud is no file this repository wrote (${file.reason}; e.g. stored with a stolen agent token): retention leaves it out; ${fate}`,
      { kind: file.kind, id: file.id, reason: file.reason, ...(outcome === undefined ? {} : { outcome }) },
    );
  }
}

/** Prunes the cloud copy with a progress display while packs are rewritten. */
async function runCloudPrune(
  output: Output,
  copy: CloudCopy,
  mirror: CloudMirror,
  dryRun: boolean,
  maxUnused: number = DEFAULT_MAX_UNUSED.cloud,
): Promise<void> {
  const progress = newProgress();
  if (!dryRun) output.startProgress(progress, 'prune');
  let result: CloudPruneResult;
  try {
    result = await pruneCloud(copy.repo, mirror, copy.cloud.client, { dryRun, progress, maxUnused });
  } finally {
    if (!dryRun) output.stopProgress();
  }
  reportForeign(output, result.foreign);
  for (const packId of result.damagedAtHand) {
    output.warn(
      `pack ${packId.slice(0, 12)} is damaged in the local repository (or the cache): its blobs were taken from the cloud instead; run "check --read-data" on the local repository`,
      { packId },
    );
  }
  const { fetched, fetchedBytes } = copy.cloudPacks;
  reportCloudPrune(output, { ...result, packsFetched: fetched, bytesFetched: fetchedBytes }, dryRun);
}

/**
 * `forget --cloud-copy`: the same rules and report, applied to the cloud's snapshots; all under
 * the server's retention lock, except a dry run (it deletes nothing).
 */
async function executeCloudForget(
  output: Output,
  context: CliContext,
  global: GlobalFlags,
  rules: RetentionRules,
  options: ForgetRun,
): Promise<boolean> {
  return options.dryRun
    ? cloudForget(output, await openCloudCopy(context, global), rules, options)
    : withCloudRetention(context, global, (copy) => cloudForget(output, copy, rules, options));
}

async function cloudForget(
  output: Output,
  copy: CloudCopy,
  rules: RetentionRules,
  options: ForgetRun,
): Promise<boolean> {
  const { cloud, repo, mirror } = copy;
  const result = await planRetention(repo, rules, new Date(), cloudUsageOptions(mirror));
  reportForeign(output, options.prune && !options.dryRun ? [] : result.foreign);
  const gone = reportDecisions(output, result);
  let deletion: CloudDeletion = { deleted: [], locked: [] };
  if (!options.dryRun) {
    deletion = await deleteCloudSnapshots(
      repo,
      cloud.client,
      gone.map((decision) => decision.id),
    );
    for (const id of deletion.locked) {
      output.warn(`snapshot ${id.slice(0, 8)} is still in the server's lock period and stays for now`, {
        id,
      });
    }
  }
  output.text(
    `Cloud: ${options.dryRun ? 'dry run: would forget' : 'forgot'} ${options.dryRun ? gone.length : deletion.deleted.length} of ${result.decisions.length} snapshot(s)` +
      (deletion.locked.length > 0 ? ` (${deletion.locked.length} locked)` : ''),
  );
  output.event('summary', {
    command: 'forget',
    cloud: true,
    dryRun: options.dryRun,
    rules,
    forgotten: options.dryRun ? gone.map((decision) => decision.id) : deletion.deleted,
    locked: deletion.locked,
    liveBytesBefore: result.liveBytesBefore,
    liveBytesAfter: result.liveBytesAfter,
    sizeLimitUnmet: result.sizeLimitUnmet,
  });
  if (options.prune && !options.dryRun) {
    const synced = await syncCloudMirror(cloud.client, mirror.root);
    await runCloudPrune(output, copy, synced, false, options.maxUnused);
  }
  return result.sizeLimitUnmet;
}

/**
 * `prune --cloud-copy --remove-damaged`: deletes the cloud's damaged index files and snapshots
 * that no copy here can replace (see {@link removeDamagedCloudFiles}) and reports each.
 * @returns false for a dry run that would delete some (the prune's count would not be its own).
 */
async function removeDamaged(
  output: Output,
  context: CliContext,
  global: GlobalFlags,
  copy: CloudCopy,
  dryRun: boolean,
): Promise<boolean> {
  const local = optionalRepoPath(context, global);
  const roots = local === undefined ? [copy.mirror.root] : [local, copy.mirror.root];
  const removal = await removeDamagedCloudFiles(copy.cloud.client, copy.mirror, roots, { dryRun });
  for (const name of removal.deleted) {
    output.warn(
      `${name} was damaged in the cloud and nothing here can replace it: ${dryRun ? 'would be deleted' : 'deleted'}`,
      { object: name, outcome: dryRun ? 'deletable' : 'deleted' },
    );
  }
  for (const name of removal.locked) {
    output.warn(`${name} is damaged in the cloud but still in the server's lock period: it stays for now`, {
      object: name,
      outcome: 'locked',
    });
  }
  for (const name of removal.repairable) {
    output.warn(
      `${name} is damaged in the cloud, but a sound copy is here: kept; "replicate --repair" stores it again`,
      { object: name, outcome: 'repairable' },
    );
  }
  output.text(
    `Cloud: ${removal.deleted.length} damaged file(s) ${dryRun ? 'would be deleted' : 'deleted'}, ` +
      `${removal.locked.length} locked, ${removal.repairable.length} repairable`,
  );
  output.event('summary', { command: 'remove-damaged', cloud: true, dryRun, ...removal });
  if (dryRun && removal.deleted.length > 0) {
    output.text('Dry run: the prune itself is counted once the damaged files are deleted.');
    return false;
  }
  return true;
}

export function registerRetention(program: Command, context: CliContext): void {
  program
    .command('forget')
    .description('apply retention rules: remove snapshots (their data goes with "prune" or --prune)')
    .addOption(new Option('--keep-last <n>', 'keep the newest n snapshots').argParser(count))
    .addOption(
      new Option('--keep-daily <n>', 'keep the newest snapshot of each of the last n days').argParser(count),
    )
    .addOption(
      new Option('--keep-weekly <n>', 'keep the newest snapshot of each of the last n weeks').argParser(
        count,
      ),
    )
    .addOption(
      new Option('--keep-monthly <n>', 'keep the newest snapshot of each of the last n months').argParser(
        count,
      ),
    )
    .addOption(new Option('--max-age <days>', 'forget snapshots older than this').argParser(positiveDays))
    .addOption(
      new Option(
        '--max-size <size>',
        'forget the oldest snapshots until the data fits (e.g. 500G; at least 1M)',
      ).argParser(sizeLimit),
    )
    .addOption(new Option('--min-keep <n>', 'never forget the newest n snapshots').argParser(count))
    .addOption(new Option('--min-age <days>', 'never forget snapshots younger than this').argParser(days))
    .option('--dry-run', 'only show what would be forgotten and why; change nothing')
    .option('--prune', 'run "prune" afterwards')
    .addOption(new Option('--max-unused <percent>', `with --prune: ${MAX_UNUSED_HELP}`).argParser(percent))
    .option('--cloud-copy', CLOUD_COPY_HELP)
    .option('--plan <file>', 'take rules from this plan file\'s "retention" (default: $TRESOR_BACKUP_PLAN)')
    .addHelpText(
      'after',
      `${RETENTION_HELP}\nExit code 3 when --max-size cannot be met because protected snapshots alone need more.`,
    )
    .action(async (flags: ForgetFlags, command: Command) => {
      const global = globalFlags(command);
      const output = outputFor(context, global);
      const rules = await rulesFrom(context, flags);
      const options = {
        dryRun: flags.dryRun === true,
        prune: flags.prune === true,
        ...(flags.maxUnused === undefined ? {} : { maxUnused: flags.maxUnused }),
      };
      const unmet = flags.cloudCopy
        ? await executeCloudForget(output, context, global, rules, options)
        : await executeForget(output, await openRepository(context, global), rules, options);
      if (unmet) markPartial(context);
    });

  program
    .command('prune')
    .description('remove the data no snapshot needs any more (after "forget"); crash-safe')
    .option('--dry-run', 'only count what would be removed')
    .addOption(new Option('--max-unused <percent>', MAX_UNUSED_HELP).argParser(percent))
    .option('--cloud-copy', CLOUD_COPY_HELP)
    .option(
      '--remove-damaged',
      'with --cloud-copy: first delete the index files and snapshots that arrive damaged from the cloud and that nothing here can replace (retention token)',
    )
    .addHelpText(
      'after',
      '\nPacks whose blobs are all needed stay; partly needed packs are rewritten (needed blobs copied\n' +
        'as stored, no decryption), those with the most unneeded data first, until what stays unneeded\n' +
        'is within --max-unused; then a new index is made durable, and only then are the old index\n' +
        'files and packs deleted. A killed prune leaves a repository that "check" accepts; run prune\n' +
        'again to finish. Needs the repository to itself: fails (exit 1) while a backup runs.\n' +
        'With --cloud-copy the same for the cloud copy (retention token): partly needed packs are\n' +
        'read from the local repository where it has them, else downloaded, and their needed blobs\n' +
        'uploaded in new packs before a new index is uploaded and the old files deleted. Objects in\n' +
        "the server's lock period stay.\n" +
        'A file of the cloud copy that rotted on the server stops cloud retention. If a sound copy is\n' +
        'here (local repository or cache), "replicate --repair" stores it again; if not, it cannot be\n' +
        'read by anyone, and --remove-damaged deletes it (index files and snapshots; the packs an index\n' +
        'named stay, and "replicate" names the ones the cloud\'s snapshots need again).',
    )
    .action(
      async (
        flags: { dryRun?: boolean; cloudCopy?: boolean; maxUnused?: number; removeDamaged?: boolean },
        command: Command,
      ) => {
        const global = globalFlags(command);
        const output = outputFor(context, global);
        if (flags.removeDamaged === true && flags.cloudCopy !== true) {
          throw new BackupError('usage.invalid', '--remove-damaged needs --cloud-copy');
        }
        if (flags.cloudCopy) {
          const dryRun = flags.dryRun === true;
          const removing = flags.removeDamaged === true;
          const pruneCopy = async (copy: CloudCopy) => {
            let mirror = copy.mirror;
            if (removing) {
              if (!(await removeDamaged(output, context, global, copy, dryRun))) return;
              mirror = await syncCloudMirror(copy.cloud.client, copy.mirror.root);
            }
            await runCloudPrune(output, copy, mirror, dryRun, flags.maxUnused);
          };
          const options = { refetchMetadata: removing };
          if (dryRun) await pruneCopy(await openCloudCopy(context, global, options));
          else await withCloudRetention(context, global, pruneCopy, options);
          return;
        }
        const repo = await openRepository(context, global);
        const progress = newProgress();
        output.startProgress(progress, 'prune');
        let result;
        try {
          result = await prune(repo, {
            progress,
            dryRun: flags.dryRun === true,
            maxUnused: flags.maxUnused ?? DEFAULT_MAX_UNUSED.local,
          });
        } finally {
          output.stopProgress();
        }
        reportPrune(output, result, flags.dryRun === true);
      },
    );
}
