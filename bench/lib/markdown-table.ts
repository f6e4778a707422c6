export type Alignment = 'left' | 'right';

export interface Column {
  readonly title: string;
  readonly align?: Alignment;
}

/**
 * A GitHub-flavoured Markdown table with cells padded to the column width, laid out as Prettier
 * formats it (so a generated file passes `prettier --check`). Cells must not contain `|` or newlines.
 */
export function markdownTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  for (const row of rows) {
    if (row.length !== columns.length)
      throw new Error(`row has ${row.length} cells, expected ${columns.length}`);
  }
  const widths = columns.map((column, i) =>
    Math.max(column.title.length, 3, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => pad(cell, widths[i] ?? 0, columns[i]?.align ?? 'left')).join(' | ')} |`;
  const separator = `| ${columns.map((column, i) => rule(widths[i] ?? 3, column.align ?? 'left')).join(' | ')} |`;
  return [line(columns.map((c) => c.title)), separator, ...rows.map((row) => line(row))].join('\n');
}

function pad(cell: string, width: number, align: Alignment): string {
  return align === 'right' ? cell.padStart(width) : cell.padEnd(width);
}

function rule(width: number, align: Alignment): string {
  return align === 'right' ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width);
}
