import type { Progress } from '../engine/progress.js';
import { formatBytes, formatDuration, formatRate } from './format.js';

/**
 * Where the CLI writes. Human mode: results on stdout, warnings and the live progress line on
 * stderr (the progress line only on a terminal). JSON mode (--json): one JSON object per line on
 * stdout, `type` first: `status` lines every second while working, then `summary`, and
 * `warning`/`error` lines as they occur.
 */
export class Output {
  private timer: NodeJS.Timeout | undefined;
  private lineShown = false;

  constructor(
    readonly json: boolean,
    private readonly quiet: boolean,
    private readonly stdout: NodeJS.WriteStream,
    private readonly stderr: NodeJS.WriteStream,
  ) {}

  /** Prints `text` in human mode. */
  text(text: string): void {
    if (this.json) return;
    this.clearLine();
    this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Prints one JSON line in JSON mode. */
  event(type: string, fields: object): void {
    if (!this.json) return;
    this.stdout.write(`${JSON.stringify({ type, ...fields })}\n`);
  }

  warn(message: string, fields: object = {}): void {
    if (this.json) this.event('warning', { message, ...fields });
    else {
      this.clearLine();
      this.stderr.write(`warning: ${message}\n`);
    }
  }

  error(message: string, fields: object = {}): void {
    if (this.json) this.event('error', { message, ...fields });
    else {
      this.clearLine();
      this.stderr.write(`error: ${message}\n`);
    }
  }

  /** Whether anybody sees the progress (a terminal, or JSON status lines). */
  get showsProgress(): boolean {
    return !this.quiet && (this.json || this.stderr.isTTY);
  }

  /** Starts showing `progress`: a redrawn line on a terminal, status lines in JSON mode. */
  startProgress(progress: Progress, verb: string): void {
    if (this.quiet) return;
    if (this.json) {
      this.timer = setInterval(() => {
        this.event('status', statusFields(progress));
      }, 1000);
    } else if (this.stderr.isTTY) {
      this.timer = setInterval(() => {
        this.drawLine(progress, verb);
      }, 250);
    }
    this.timer?.unref();
  }

  stopProgress(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clearLine();
  }

  private drawLine(progress: Progress, verb: string): void {
    const width = this.stderr.columns || 100;
    const line = progressLine(progress, verb);
    this.stderr.write(`\r\u001b[2K${line.length > width - 1 ? line.slice(0, width - 1) : line}`);
    this.lineShown = true;
  }

  private clearLine(): void {
    if (!this.lineShown) return;
    this.stderr.write('\r\u001b[2K');
    this.lineShown = false;
  }
}

function etaMs(progress: Progress, elapsed: number): number | undefined {
  if (progress.bytesTotal === undefined || progress.bytesDone === 0) return undefined;
  const remaining = Math.max(0, progress.bytesTotal - progress.bytesDone);
  return (remaining * elapsed) / progress.bytesDone;
}

export function statusFields(progress: Progress) {
  const elapsed = Date.now() - progress.startedAt;
  const eta = etaMs(progress, elapsed);
  return {
    elapsedMs: elapsed,
    filesDone: progress.filesDone,
    filesTotal: progress.filesTotal ?? null,
    bytesDone: progress.bytesDone,
    bytesTotal: progress.bytesTotal ?? null,
    bytesPerSecond: elapsed > 0 ? Math.round((progress.bytesDone * 1000) / elapsed) : 0,
    etaMs: eta === undefined ? null : Math.round(eta),
    percent: progress.bytesTotal ? Math.min(100, (100 * progress.bytesDone) / progress.bytesTotal) : null,
  };
}

export function progressLine(progress: Progress, verb: string): string {
  const elapsed = Date.now() - progress.startedAt;
  const files =
    progress.filesTotal === undefined
      ? `${progress.filesDone}`
      : `${progress.filesDone}/${progress.filesTotal}`;
  const bytes =
    progress.bytesTotal === undefined
      ? formatBytes(progress.bytesDone)
      : `${formatBytes(progress.bytesDone)}/${formatBytes(progress.bytesTotal)}`;
  const eta = etaMs(progress, elapsed);
  const percent = progress.bytesTotal
    ? ` ${Math.min(100, (100 * progress.bytesDone) / progress.bytesTotal).toFixed(0)}%`
    : '';
  return `${verb} [${formatDuration(elapsed)}]${percent}  ${files} files  ${bytes}  ${formatRate(progress.bytesDone, elapsed)}${eta === undefined ? '' : `  ETA ${formatDuration(eta)}`}  ${progress.currentPath}`;
}
