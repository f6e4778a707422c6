/** Human-readable sizes, durations and modes for the CLI. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(h > 0 ? 2 : 1, '0');
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

export function formatRate(bytes: number, ms: number): string {
  return ms <= 0 ? '–' : `${formatBytes((bytes * 1000) / ms)}/s`;
}

export function formatMode(type: 'file' | 'dir' | 'symlink', mode: number): string {
  const kind = type === 'dir' ? 'd' : type === 'symlink' ? 'l' : '-';
  let text = '';
  for (let shift = 6; shift >= 0; shift -= 3) {
    const bits = (mode >> shift) & 7;
    text += `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${bits & 1 ? 'x' : '-'}`;
  }
  return kind + text;
}

export function formatTime(ns: string): string {
  const date = new Date(Number(BigInt(ns) / 1_000_000n));
  // A tree may hold times beyond a Date's ±275,760 years (written so by a bug, or forged).
  if (Number.isNaN(date.getTime())) return `${ns} ns`;
  return date.toISOString().replace('T', ' ').slice(0, 19);
}
