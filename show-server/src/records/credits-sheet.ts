import {
  cueLabel,
  type Contributor,
  type RECord,
  type ReviewState,
  type StoredShow,
} from '@showrec/protocol';
import { ancestorsIn, mergeCredits } from './lineage.js';
import { spreadsheetCsv } from './spreadsheet-csv.js';

export interface CreditsEntry {
  recordId: string;
  title: string;
  cue: string | null;
  createdAt: string;
  durationMs: number;
  /** How long its phone was on the big screen while it recorded. */
  onScreenMs: number;
  review: ReviewState;
  parents: string[];
  /** Its own contributors and everyone credited on the RECords it was made from. */
  credits: Contributor[];
}

export interface CreditsSheet {
  show: { id: string; title: string; venue: string; date: string | null };
  records: CreditsEntry[];
}

/** Who made what in a show: every RECord with everyone it credits, inherited credits included. */
export function creditsSheet(
  show: StoredShow,
  records: RECord[],
  reviews: ReviewState[],
): CreditsSheet {
  const byId = new Map(records.map((r) => [r.id, r]));
  const cueTitles = new Map(show.cues.map((c, i) => [c.id, cueLabel(c, i)]));
  return {
    show: { id: show.id, title: show.title, venue: show.venue, date: show.date },
    records: records.map((record, i) => ({
      recordId: record.id,
      title: record.title,
      cue: record.cueId ? (cueTitles.get(record.cueId) ?? null) : null,
      createdAt: record.createdAt,
      durationMs: record.media.durationMs,
      onScreenMs: record.onScreenMs,
      review: reviews[i]!,
      parents: record.parents,
      credits: mergeCredits([record, ...ancestorsIn(record, byId)]),
    })),
  };
}

/** One row per RECord and person credited on it, for a spreadsheet. */
export function creditsCsv(sheet: CreditsSheet): string {
  return spreadsheetCsv(
    sheet.records.flatMap((r) =>
      r.credits.map((c) => ({
        record_id: r.recordId,
        title: r.title,
        cue: r.cue ?? '',
        name: c.name,
        role: c.role,
        participant_id: c.participantId ?? '',
        review: r.review,
        parents: r.parents.join(' '),
        created_at: r.createdAt,
        on_screen_s: (r.onScreenMs / 1000).toFixed(1),
      })),
    ),
  );
}
