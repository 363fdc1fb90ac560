import { stringify } from 'csv-stringify/sync';

/**
 * Rows as CSV with a header. Names come from the audience: a cell starting like a formula is
 * kept as text, so a spreadsheet never runs it.
 */
export function spreadsheetCsv(rows: Array<Record<string, string | number>>): string {
  return stringify(rows, {
    header: true,
    cast: { string: (v) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v) },
  });
}
