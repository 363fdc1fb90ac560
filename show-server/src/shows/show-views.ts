import type { ShowView, StoredShow } from '@showrec/protocol';
import { capacityWarning } from '../capture/capacity.js';
import { diskWarning, type DiskGuard } from '../capture/disk-guard.js';
import type { PhoneRegistry } from '../capture/phone-registry.js';
import type { TakeStore } from '../capture/take-store.js';
import { buildShowView } from './show-view.js';
import type { ShowStore } from './show-store.js';

export interface ShowViewPair {
  full: ShowView;
  public: ShowView;
}

/** Gathers what a show's views need (the show, its live phones, its takes) and builds both. */
export class ShowViews {
  constructor(
    private readonly shows: ShowStore,
    private readonly phones: PhoneRegistry,
    private readonly takes: TakeStore,
    private readonly disk: DiskGuard,
    private readonly joinUrl: (show: StoredShow) => string,
  ) {}

  async of(showId: string, show?: StoredShow): Promise<ShowViewPair> {
    const current = show ?? (await this.shows.require(showId));
    const [phones, takes, space, refused] = await Promise.all([
      this.phones.list(showId),
      this.takes.listForShow(showId),
      this.disk.check(),
      this.phones.refusals(showId),
    ]);
    const inputs = {
      show: current,
      phones,
      takes,
      warnings: [
        ...(space.ok ? [] : [diskWarning(space)]),
        ...(refused ? [capacityWarning(refused.count, refused.reason)] : []),
      ],
      joinUrl: this.joinUrl(current),
      now: Date.now(),
    };
    return { full: buildShowView(inputs, true), public: buildShowView(inputs, false) };
  }

  /** The host's and crew's view of a show just changed (what control actions answer with). */
  async full(show: StoredShow): Promise<ShowView> {
    return (await this.of(show.id, show)).full;
  }
}
