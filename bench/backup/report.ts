// The Markdown report of the backup benchmark: absolute numbers per tool, ratios against restic
// and whether each target of issue 5 is met.
import { markdownTable } from '../lib/markdown-table.js';
import type { ToolResult } from './backup.bench.js';
import type { DatasetStats } from './dataset.js';

export interface ReportInput {
  readonly results: readonly ToolResult[];
  readonly dataset: DatasetStats;
  readonly changedBytes: number;
  readonly scale: number;
  /** Runs of every timed step; the tables show their median. */
  readonly repeats: number;
  readonly cacheDropped: boolean;
  readonly machine: string;
  readonly versions: { readonly restic: string; readonly borg: string };
}

const MB = 1e6;
const seconds = (value: number | undefined) => (value === undefined ? '–' : `${value.toFixed(2)} s`);
const megabytes = (value: number | undefined) =>
  value === undefined || value === 0 ? '–' : `${(value / MB).toFixed(0)} MB`;
const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');

interface Target {
  readonly label: string;
  /** ours / restic for times and sizes, restic / ours for throughputs (higher is better). */
  readonly ratio: (ours: ToolResult, restic: ToolResult) => number;
  readonly wanted: string;
  readonly met: (ratio: number) => boolean;
}

const time = (result: ToolResult, step: keyof ToolResult['steps']) => result.steps[step]?.seconds ?? NaN;
const peakRss = (result: ToolResult) => Math.max(...Object.values(result.steps).map((s) => s.peakRss), 0);

const TARGETS: readonly Target[] = [
  {
    label: 'initial backup throughput',
    ratio: (o, r) => time(r, 'initial') / time(o, 'initial'),
    wanted: '≥ 1.5× restic',
    met: (x) => x >= 1.5,
  },
  {
    label: 'no-change backup time',
    ratio: (o, r) => time(o, 'unchanged') / time(r, 'unchanged'),
    wanted: '≤ 0.5× restic',
    met: (x) => x <= 0.5,
  },
  {
    label: '1 %-change backup time',
    ratio: (o, r) => time(o, 'changed') / time(r, 'changed'),
    wanted: '≤ 1× restic',
    met: (x) => x <= 1,
  },
  {
    label: 'restore throughput',
    ratio: (o, r) => time(r, 'restore') / time(o, 'restore'),
    wanted: '≥ 1.2× restic',
    met: (x) => x >= 1.2,
  },
  {
    label: 'repository size',
    ratio: (o, r) => o.repoBytes / r.repoBytes,
    wanted: '≤ 1× restic',
    met: (x) => x <= 1,
  },
  {
    label: 'peak RSS (largest of all steps)',
    ratio: (o, r) => peakRss(o) / peakRss(r),
    wanted: '≤ 2× restic',
    met: (x) => x <= 2,
  },
  {
    label: 'check with data verification (no target)',
    ratio: (o, r) => time(o, 'check') / time(r, 'check'),
    wanted: '–',
    met: () => true,
  },
];

export function report(input: ReportInput): string {
  const { results } = input;
  const gib = (input.dataset.bytes / 2 ** 30).toFixed(2);
  const rows: string[][] = [
    ['initial backup', ...results.map((r) => seconds(r.steps.initial?.seconds))],
    ['no-change backup', ...results.map((r) => seconds(r.steps.unchanged?.seconds))],
    ['1 %-change backup', ...results.map((r) => seconds(r.steps.changed?.seconds))],
    ['full restore', ...results.map((r) => seconds(r.steps.restore?.seconds))],
    ['check with data verification', ...results.map((r) => seconds(r.steps.check?.seconds))],
    ['open repository (list snapshots)', ...results.map((r) => seconds(r.steps.open?.seconds))],
    ['repository size', ...results.map((r) => megabytes(r.repoBytes))],
    ['peak RSS, initial backup', ...results.map((r) => megabytes(r.steps.initial?.peakRss))],
    ['peak RSS, restore', ...results.map((r) => megabytes(r.steps.restore?.peakRss))],
    ['peak RSS, check', ...results.map((r) => megabytes(r.steps.check?.peakRss))],
    ['peak RSS, largest of all steps', ...results.map((r) => megabytes(peakRss(r)))],
    [
      'initial backup throughput',
      ...results.map((r) => throughput(input.dataset.bytes, r.steps.initial?.seconds)),
    ],
    ['restore throughput', ...results.map((r) => throughput(input.dataset.bytes, r.steps.restore?.seconds))],
  ];
  const absolute = markdownTable(
    [{ title: 'measurement' }, ...results.map((r) => ({ title: r.tool.label, align: 'right' as const }))],
    rows,
  );
  const stepLabels = [
    ['initial', 'initial backup'],
    ['unchanged', 'no-change backup'],
    ['changed', '1 %-change backup'],
    ['restore', 'full restore'],
    ['check', 'check with data verification'],
    ['open', 'open repository'],
  ] as const;
  const everyRun = markdownTable(
    [{ title: 'step' }, ...results.map((r) => ({ title: r.tool.label, align: 'right' as const }))],
    stepLabels.map(([step, label]) => [
      label,
      ...results.map((r) => (r.runs[step] ?? []).map((value) => value.toFixed(2)).join(' / ') || '–'),
    ]),
  );
  const ours = results.find((r) => r.tool.name === 'tresor');
  const restic = results.find((r) => r.tool.name === 'restic');
  const targets =
    ours && restic
      ? markdownTable(
          [
            { title: 'target' },
            { title: 'tresor-backup vs restic', align: 'right' },
            { title: 'wanted', align: 'right' },
            { title: 'result' },
          ],
          TARGETS.map((target) => {
            const ratio = target.ratio(ours, restic);
            const verdict = target.wanted === '–' ? '–' : target.met(ratio) ? '**met**' : '**missed**';
            return [target.label, times(ratio), target.wanted, verdict];
          }),
        )
      : '(tresor-backup and restic are both needed for the ratios)';
  const verified = results.map((r) => `- ${r.tool.label}: ${r.restoreVerified}`).join('\n');
  return `# Backup benchmark: tresor-backup, restic, borg

Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${input.machine}; ${input.versions.restic}; ${input.versions.borg}.
Dataset: ${input.dataset.files} files, ${gib} GiB (scale ${input.scale}); the ~1 % change wrote ${(input.changedBytes / 2 ** 20).toFixed(1)} MiB.
Page cache dropped before every timed step: ${input.cacheDropped ? 'yes' : '**no** (not permitted here: times are warm-cache)'}.
Command: \`npm run build -w @tresor/backup && npm run bench:backup\`.
Every timed step ran ${input.repeats} time(s), the tools taking turns; times are the median, peak RSS the largest.

${absolute}

Ratios from this run (throughput ratios are restic's time / ours, so higher is better):

${targets}

Every run in seconds, in order:

${everyRun}

Restored trees compared with the source (SHA-256 of every file):

${verified}

${NOTES}
`;
}

const NOTES = `Notes:

- Every step is one command run as a user would (\`tresor-backup\` is the built CLI on Node), so
  each time includes process start, key derivation and loading the index.
- Key derivation: restic derives its key with scrypt (N = 2^15, r = 8, p = 6: 32 MiB) on every
  command, borg with PBKDF2-SHA256 (100,000 rounds). tresor-backup's repository is made with
  \`--kdf-memory 8 --kdf-iterations 1\` (Argon2id, the cheapest it accepts, ~0.1 s); its default
  (64 MiB, 3 passes, in WebAssembly) would add ~0.3 s to every command. The "open repository" row is each
  tool's fixed cost per command.
- restic: \`--compression auto\`; borg: \`--compression zstd,3\`, \`repokey\` encryption; both with
  their caches in the work directory, kept between steps (tresor-backup's only cache, the directory
  cache, lives in the repository's \`cache/\` folder and is kept between steps as well).
- Peak RSS is GNU time's maximum resident set size of the command (all threads of the process).`;

function throughput(bytes: number, time: number | undefined): string {
  return time === undefined ? '–' : `${(bytes / MB / time).toFixed(0)} MB/s`;
}
