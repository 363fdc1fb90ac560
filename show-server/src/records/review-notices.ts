import { EventEmitter } from 'node:events';

export interface ReviewNoticesEvents {
  /** A person changed a review item (rated it, asked for a cut); null for the whole board. */
  changed: [showId: string, itemId: string | null];
}

/** Changes people make to a show's review board, for whoever tells the crew (socket/review-events.ts). */
export class ReviewNotices extends EventEmitter<ReviewNoticesEvents> {
  notify(showId: string, itemId: string | null): void {
    this.emit('changed', showId, itemId);
  }
}
