import type { Statement } from '@showrec/protocol';
import { spreadsheetCsv } from '../records/spreadsheet-csv.js';

/** One row per statement and person (or only `person`'s rows), amounts in minor units. */
export function statementsCsv(statements: Statement[], person?: string): string {
  return spreadsheetCsv(
    statements.flatMap((s) =>
      s.lines
        .filter((l) => person === undefined || l.person === person)
        .map((l) => ({
          statement: s.id,
          finalized_at: s.finalizedAt ?? '',
          currency: s.input.currency,
          pool: s.pool,
          person: l.person,
          name: l.name,
          exact: l.exact,
          earned: l.earned,
          held_in: l.heldIn,
          payable: l.payable,
          held_out: l.heldOut,
        })),
    ),
  );
}
