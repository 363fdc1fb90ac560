import type { StoredShow } from '@showrec/protocol';
import type { Logger } from '../logger.js';
import type { ShowChanges } from '../shows/show-changes.js';
import type { ShowStore } from '../shows/show-store.js';
import type { CaptureService } from './capture-service.js';

export interface CaptureReconcilerDeps {
  shows: ShowStore;
  capture: CaptureService;
  changes: ShowChanges;
  /** A sweep over every hosted show, for a change notice lost with a Redis connection. */
  sweepMs?: number;
  logger: Logger;
}

/**
 * Keeps this process's capture following the stored shows: a change made here is applied at once
 * (`reconcile`), a change made anywhere arrives from the store's change notices, and a periodic
 * sweep catches whatever a dropped connection hid. Capture state is never sent between processes:
 * each reads it from the show.
 */
export class CaptureReconciler {
  readonly #log: Logger;
  #timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: CaptureReconcilerDeps) {
    this.#log = deps.logger.child({ component: 'capture-reconciler' });
  }

  start(): void {
    this.deps.changes.on('changed', (showId) => {
      if (this.deps.capture.hosts(showId)) void this.#fromStore(showId);
    });
    this.deps.changes.on('resubscribed', () => void this.#sweep());
    this.#timer = setInterval(() => void this.#sweep(), this.deps.sweepMs ?? 5000);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  /** Applies a show this process just stored; returns the takes it started or ended here. */
  reconcile(show: StoredShow): Promise<string[]> {
    return this.deps.capture.reconcile(show);
  }

  async #fromStore(showId: string): Promise<void> {
    try {
      const show = await this.deps.shows.get(showId);
      if (show) await this.deps.capture.reconcile(show);
    } catch (err) {
      this.#log.warn({ err: (err as Error).message, showId }, 'could not follow a show change');
    }
  }

  async #sweep(): Promise<void> {
    await Promise.all(this.deps.capture.hostedShows.map((showId) => this.#fromStore(showId)));
  }
}
