// Backup benchmark (issue 5): tresor-backup side by side with restic and borg on a generated,
// reproducible practice-like tree of ~1.5 GiB, with a cold page cache before every timed step:
// initial backup, no-change backup, ~1 %-change backup, full restore, check with data
// verification, repository size, peak RSS. Several minutes at full size.
//
//   npm run build -w @tresor/backup && npm run bench:backup
//
// Settings (environment): TRESOR_BENCH_BACKUP_SCALE dataset size as a fraction of the full
// 1.5 GiB (default 1; e.g. 0.05 for a quick run), TRESOR_BENCH_BACKUP_TOOLS (default
// "tresor,restic,borg"), TRESOR_BENCH_BACKUP_DIR parent of the work directory (default the OS
// temp dir), TRESOR_BENCH_BACKUP_KEEP=1 keeps the work directory. Needs Debian's `restic` and
// `borgbackup` and GNU time (/usr/bin/time); run as root so the page cache can be dropped.
// TRESOR_BENCH_BACKUP_REPEATS (default 3): runs of every timed step, tools taking turns; the
// report gives the median and every run.
// Progress on stderr; the Markdown result on stdout and in bench/results/backup.md.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { changeDataset, datasetSpec, generateDataset } from './dataset.js';
import { compareTrees, directoryBytes, dropCaches, hashTree, runStep, type StepResult } from './measure.js';
import { type Tool, type ToolName, borgTool, resticTool, tresorTool } from './tools.js';
import { report } from './report.js';

const RESULT_FILE = fileURLToPath(new URL('../results/backup.md', import.meta.url));

const scale = Number(process.env.TRESOR_BENCH_BACKUP_SCALE ?? '1');
if (!(scale > 0 && scale <= 4)) throw new Error('TRESOR_BENCH_BACKUP_SCALE must be a number in (0, 4]');
const TOOL_NAMES: readonly ToolName[] = ['tresor', 'restic', 'borg'];
const toolNames = (process.env.TRESOR_BENCH_BACKUP_TOOLS ?? TOOL_NAMES.join(',')).split(',').map((name) => {
  const tool = TOOL_NAMES.find((known) => known === name.trim());
  if (tool === undefined) throw new Error(`TRESOR_BENCH_BACKUP_TOOLS: unknown tool "${name}"`);
  return tool;
});
const keep = process.env.TRESOR_BENCH_BACKUP_KEEP === '1';
const repeats = Number(process.env.TRESOR_BENCH_BACKUP_REPEATS ?? '3');
if (!(Number.isInteger(repeats) && repeats >= 1 && repeats <= 9))
  throw new Error('TRESOR_BENCH_BACKUP_REPEATS must be an integer from 1 to 9');

const log = (message: string) =>
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);

export type StepName = 'open' | 'initial' | 'unchanged' | 'changed' | 'restore' | 'check';

export interface ToolResult {
  readonly tool: Tool;
  /** Per step: the median time of its runs and the largest peak RSS among them. */
  readonly steps: Partial<Record<StepName, StepResult>>;
  /** Per step: the time of every run, in order. */
  readonly runs: Partial<Record<StepName, number[]>>;
  repoBytes: number;
  restoreVerified: string;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function version(file: string, args: string[]): string {
  try {
    return execFileSync(file, args, { encoding: 'utf8' }).trim().split('\n')[0] ?? '?';
  } catch {
    return 'not installed';
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(process.env.TRESOR_BENCH_BACKUP_DIR ?? tmpdir(), 'tresor-bench-backup-'));
  const source = join(work, 'praxis');
  const timeFile = join(work, 'time.txt');
  const spec = datasetSpec(scale);
  let cacheDropped = true;
  const cold = () => {
    cacheDropped = dropCaches() && cacheDropped;
  };
  try {
    log(`work directory ${work}; generating dataset (scale ${scale})`);
    const dataset = generateDataset(source, spec);
    log(`dataset: ${dataset.files} files, ${(dataset.bytes / 2 ** 30).toFixed(2)} GiB`);

    const paths = (tool: Tool) => ({
      repo: join(work, `repo-${tool.name}`),
      cache: join(work, `cache-${tool.name}`),
    });
    const tools = toolNames.map((name): Tool => {
      const repo = join(work, `repo-${name}`);
      const cache = join(work, `cache-${name}`);
      if (name === 'tresor') return tresorTool(repo);
      if (name === 'restic') return resticTool(repo, cache);
      return borgTool(repo, cache);
    });
    const results: ToolResult[] = tools.map((tool) => ({
      tool,
      steps: {},
      runs: {},
      repoBytes: 0,
      restoreVerified: 'not run',
    }));

    const step = async (result: ToolResult, name: StepName, command: () => ReturnType<Tool['init']>) => {
      cold();
      const measured = await runStep(command(), result.tool.env, timeFile);
      const runs = (result.runs[name] ??= []);
      runs.push(measured.seconds);
      result.steps[name] = {
        seconds: median(runs),
        peakRss: Math.max(measured.peakRss, result.steps[name]?.peakRss ?? 0),
      };
      log(
        `${result.tool.name} ${name} (run ${runs.length}/${repeats}): ${measured.seconds.toFixed(2)} s, ${(measured.peakRss / 2 ** 20).toFixed(0)} MiB`,
      );
    };
    /**
     * Every step runs `repeats` times, the tools taking turns, so a slow minute hits all of them;
     * the order rotates from run to run, so no tool always goes first (right after the dataset
     * was written, or after another tool's heavy step).
     */
    const eachRun = async (body: (result: ToolResult, run: number) => Promise<void>) => {
      for (let run = 0; run < repeats; run++) {
        for (let i = 0; i < results.length; i++) await body(results[(run + i) % results.length]!, run);
      }
    };
    const fresh = (tool: Tool) => {
      const { repo, cache } = paths(tool);
      rmSync(repo, { recursive: true, force: true });
      rmSync(cache, { recursive: true, force: true });
      mkdirSync(cache);
    };
    /** Copies (or, with `back`, restores) a tool's repository and cache as they were before the change. */
    const saveState = (tool: Tool, back: boolean) => {
      const { repo, cache } = paths(tool);
      for (const dir of [repo, cache]) {
        const [from, to] = back ? [`${dir}.before-change`, dir] : [dir, `${dir}.before-change`];
        rmSync(to, { recursive: true, force: true });
        execFileSync('cp', ['-a', '--reflink=auto', from, to]);
      }
    };

    await eachRun(async (result) => {
      fresh(result.tool);
      await runStep(result.tool.init(), result.tool.env, timeFile);
      await step(result, 'initial', () => result.tool.backup(source, 1));
    });
    await eachRun((result, run) => step(result, 'unchanged', () => result.tool.backup(source, 10 + run)));
    await eachRun((result) => step(result, 'open', () => result.tool.list()));
    for (const result of results) saveState(result.tool, false);
    const change = changeDataset(source, spec);
    log(`changed ${(change.changedBytes / 2 ** 20).toFixed(1)} MiB`);
    const expected = await hashTree(source);
    await eachRun(async (result) => {
      saveState(result.tool, true);
      await step(result, 'changed', () => result.tool.backup(source, 3));
    });
    await eachRun(async (result, run) => {
      const target = join(work, `restore-${result.tool.name}`);
      rmSync(target, { recursive: true, force: true });
      mkdirSync(target);
      await step(result, 'restore', () => result.tool.restore(target, 3));
      if (run === 0) {
        const difference = compareTrees(expected, await hashTree(join(target, source)));
        result.restoreVerified = difference ?? `all ${expected.size} files identical`;
        log(`${result.tool.name} restore: ${result.restoreVerified}`);
      }
      rmSync(target, { recursive: true, force: true });
    });
    await eachRun((result) => step(result, 'check', () => result.tool.check()));
    for (const result of results) result.repoBytes = directoryBytes(paths(result.tool).repo);

    const markdown = report({
      results,
      dataset,
      changedBytes: change.changedBytes,
      scale,
      repeats,
      cacheDropped,
      machine: `${cpus().length} cores (${cpus()[0]?.model.trim() ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}`,
      versions: {
        restic: version('restic', ['version']),
        borg: version('borg', ['--version']),
      },
    });
    process.stdout.write(markdown);
    writeFileSync(RESULT_FILE, markdown);
    log(`written to ${RESULT_FILE}`);
  } finally {
    if (keep) log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

await main();
