import type { ReviewBoard, ReviewItem, ReviewItemStatus, ReviewState } from '@showrec/protocol';

export interface ReviewFilters {
  /** A cue id, 'none' for takes outside any cue, or '' for all. */
  cue: string;
  contributor: string;
  status: ReviewItemStatus | '';
  review: ReviewState | '';
  /** Minimum rating; 0 for any, -1 for unrated only. */
  rating: number;
}

export const NO_FILTERS: ReviewFilters = {
  cue: '',
  contributor: '',
  status: '',
  review: '',
  rating: 0,
};

export interface CueGroup {
  cueId: string | null;
  title: string;
  items: ReviewItem[];
}

function matches(item: ReviewItem, f: ReviewFilters): boolean {
  if (f.cue && (f.cue === 'none' ? item.cueId !== null : item.cueId !== f.cue)) return false;
  if (f.contributor && !item.contributors.some((c) => c.name === f.contributor)) return false;
  if (f.status && item.status !== f.status) return false;
  if (f.review && item.review.review !== f.review) return false;
  if (f.rating === -1 && item.review.rating !== null) return false;
  if (f.rating > 0 && (item.review.rating ?? 0) < f.rating) return false;
  return true;
}

/** The items that pass the filters, grouped by cue in run-of-show order, each group in time order. */
export function groupByCue(board: ReviewBoard, filters: ReviewFilters): CueGroup[] {
  const shown = board.items.filter((i) => matches(i, filters));
  const groups: CueGroup[] = board.show.cues.map((cue) => ({
    cueId: cue.id,
    title: cue.title,
    items: shown.filter((i) => i.cueId === cue.id),
  }));
  const known = new Set(board.show.cues.map((c) => c.id));
  groups.push({
    cueId: null,
    title: 'Outside any cue',
    items: shown.filter((i) => i.cueId === null || !known.has(i.cueId)),
  });
  return groups.filter((g) => g.items.length > 0);
}

export function contributorNames(board: ReviewBoard): string[] {
  return [...new Set(board.items.flatMap((i) => i.contributors.map((c) => c.name)))].sort();
}
