import { resolve } from 'node:path';
import type { Command } from 'commander';
import { BackupError } from '../../errors.js';
import { DEFAULT_MANIFEST_DIRS, scanManifestDirs } from '../../plan/manifest-dirs.js';
import { emptyPlan, readPlan, writePlan } from '../../plan/plan-file.js';
import { mergeManifests } from '../../plan/plan-merge.js';
import { type CliContext, globalFlags, markPartial, outputFor } from '../session.js';

interface PlanFlags {
  readonly plan?: string;
  readonly manifests?: readonly string[];
}

/** `--plan FILE`, else TRESOR_BACKUP_PLAN. */
export function planPath(context: CliContext, flags: { readonly plan?: string }): string {
  const path = flags.plan ?? context.env.plan;
  if (path === undefined) {
    throw new BackupError('usage.invalid', 'no plan file given: use --plan FILE or set TRESOR_BACKUP_PLAN');
  }
  return resolve(path);
}

const collect = (value: string, previous: readonly string[] = []): string[] => [...previous, value];

export function registerPlan(program: Command, context: CliContext): void {
  program
    .command('plan')
    .description('create or update the backup plan from the XML manifests of the installed products')
    .option('--plan <file>', 'the plan file (JSON) to create or update (default: $TRESOR_BACKUP_PLAN)')
    .option(
      '--manifests <dir>',
      `read manifests from this directory; repeat for more (default: $TRESOR_BACKUP_MANIFESTS, else ${DEFAULT_MANIFEST_DIRS.join(' and ')})`,
      collect,
    )
    .addHelpText(
      'after',
      '\nEvery *.xml file in the manifest directories describes one product (docs/BACKUP_PLAN.md).\n' +
        'Invalid manifests are reported with file and line and skipped; the exit code is then 3.\n' +
        'Re-running "plan" adds new products and refreshes what the manifests say, but keeps\n' +
        'your edits: "enabled", "extraPaths", "extraExclude" and your own entries stay as they are.\n' +
        'No repository or passphrase is needed; nothing runs (commands run only with "run").',
    )
    .action(async (flags: PlanFlags, command: Command) => {
      const global = globalFlags(command);
      const output = outputFor(context, global);
      const file = planPath(context, flags);
      const dirs = flags.manifests ?? context.env.manifestDirs ?? DEFAULT_MANIFEST_DIRS;
      const before = await readPlan(file);
      const scan = await scanManifestDirs(dirs);
      for (const dir of scan.missingDirs) output.warn(`manifest directory ${dir} does not exist`, { dir });
      for (const problem of scan.rejected) {
        const where = problem.line > 0 ? `${problem.file}:${problem.line}:${problem.column}` : problem.file;
        output.error(`${where}: ${problem.message} (manifest skipped)`, {
          file: problem.file,
          line: problem.line,
          column: problem.column,
        });
      }
      const rejectedFiles = new Set(scan.rejected.map((problem) => problem.file));
      const merged = mergeManifests(before ?? emptyPlan(), scan.manifests, rejectedFiles);
      await writePlan(file, merged.plan);
      for (const source of merged.plan.sources) {
        const m = source.manifest;
        const mark = merged.added.includes(source.id)
          ? 'new    '
          : merged.updated.includes(source.id)
            ? 'updated'
            : merged.missing.includes(source.id)
              ? 'missing'
              : '       ';
        const label = m ? `${m.name} ${m.version} (${m.vendor})` : 'your own entry';
        const paths = [...(m?.include ?? []), ...source.extraPaths];
        output.text(`${mark} ${source.id.padEnd(20)} ${source.enabled ? '' : '[disabled] '}${label}`);
        for (const path of paths) output.text(`          ${path}`);
        for (const hint of m?.hints ?? []) {
          output.text(
            `          hint: ${hint.kind}${hint.service ? ` (${hint.service})` : ''}${hint.note ? `: ${hint.note}` : ''}`,
          );
        }
        for (const hook of m?.pre ?? [])
          output.text(`          before: ${hook.command} (timeout ${hook.timeoutSeconds} s)`);
        for (const hook of m?.post ?? [])
          output.text(`          after:  ${hook.command} (timeout ${hook.timeoutSeconds} s)`);
      }
      for (const id of merged.missing) {
        output.warn(
          `${id}: its manifest was not found; the entry stays in the plan (delete it there if the product is gone)`,
          {
            source: id,
          },
        );
      }
      const rejectedCount = rejectedFiles.size;
      output.text(
        `${before ? 'Updated' : 'Created'} ${file}: ${merged.plan.sources.length} entries (${merged.added.length} new, ${merged.updated.length} updated, ${merged.missing.length} missing)` +
          (rejectedCount > 0 ? `, PARTIAL: ${rejectedCount} manifest(s) invalid and skipped` : ''),
      );
      output.event('summary', {
        command: 'plan',
        plan: file,
        created: before === undefined,
        entries: merged.plan.sources.length,
        added: merged.added,
        updated: merged.updated,
        missing: merged.missing,
        rejected: [...rejectedFiles],
        status: rejectedCount > 0 ? 'partial' : 'complete',
      });
      if (rejectedCount > 0) markPartial(context);
    });
}
