/**
 * A plain-text table: one header row, right-aligned numbers, left-aligned text.
 * `null`/`undefined` cells print as "-". Numbers are shown with `digits` significant
 * figures (thousands separated) so columns of rates stay readable.
 */
export type Cell = string | number | null | undefined;

export function formatNumber(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 10 ** digits) return Math.round(value).toLocaleString('en-US');
  return Number(value.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 6 });
}

export function formatTable(columns: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((row) => columns.map((_, i) => cellText(row[i])));
  const widths = columns.map((c, i) => Math.max(c.length, ...text.map((r) => r[i].length)));
  const numeric = columns.map((_, i) => rows.some((r) => typeof r[i] === 'number'));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n');
}

export function printTable(title: string, columns: readonly string[], rows: readonly (readonly Cell[])[]): void {
  console.log(`\n${title}\n${formatTable(columns, rows)}`);
}

function cellText(cell: Cell): string {
  if (cell === null || cell === undefined) return '-';
  return typeof cell === 'number' ? formatNumber(cell) : cell;
}
