import type { Alignment, RecordReview } from './review.js';
import type { Contributor, RECord } from './record.js';

export const reviewItemStatuses = ['recording', 'processing', 'filed', 'failed'] as const;
export type ReviewItemStatus = (typeof reviewItemStatuses)[number];

/**
 * One thing the crew reviews: a phone's take (from the moment it starts recording), or a RECord
 * made from others (a trim, a remix upload), from the moment it is asked for.
 */
export interface ReviewItem {
  /** The RECord's id, known before it is filed. */
  id: string;
  kind: 'take' | 'trim' | 'remix';
  takeId: string | null;
  cueId: string | null;
  title: string;
  contributors: Contributor[];
  /** Server-clock ms: when a take started recording, or when an edit was asked for. */
  startedAt: number;
  status: ReviewItemStatus;
  /** 0–100 while processing. */
  progress: number | null;
  /** Why it could not be filed. */
  failure: string | null;
  record: RECord | null;
  review: RecordReview;
  alignment: Alignment | null;
}

export interface ReviewBoard {
  show: { id: string; title: string; cues: Array<{ id: string; title: string }> };
  items: ReviewItem[];
}

/** What the review page hears live, in the show's host-and-crew room. */
export interface ReviewProgress {
  id: string;
  progress: number;
}
