import type { Server } from 'socket.io';
import type { StoredShow } from '@showrec/protocol';
import type { Logger } from '../logger.js';
import type { ShowViews } from '../shows/show-views.js';

export const publicRoom = (showId: string) => `show:${showId}:public`;
export const fullRoom = (showId: string) => `show:${showId}:full`;

/**
 * Sends a show's views to everyone watching it: the public view to the stage and phones, the
 * full view to host and crew. Bursts (fifty phones starting to record at once) coalesce into one
 * send per show every `delayMs`; with the Redis adapter the send reaches every process's clients.
 */
export class ShowBroadcaster {
  readonly #pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly io: Server,
    private readonly views: ShowViews,
    private readonly logger: Logger,
    private readonly delayMs = 50,
  ) {}

  /**
   * Sends at once: for changes a person just made (GO), where every millisecond shows. `show` is
   * the show as just stored, when the caller has it.
   */
  async now(showId: string, show?: StoredShow): Promise<void> {
    const timer = this.#pending.get(showId);
    if (timer) clearTimeout(timer);
    this.#pending.delete(showId);
    const views = await this.views.of(showId, show);
    this.io.to(publicRoom(showId)).emit('show:state', views.public);
    this.io.to(fullRoom(showId)).emit('show:state', views.full);
  }

  soon(showId: string): void {
    if (this.#pending.has(showId)) return;
    this.#pending.set(
      showId,
      setTimeout(() => {
        this.#pending.delete(showId);
        this.now(showId).catch((err: Error) =>
          this.logger.warn({ err: err.message, showId }, 'could not broadcast a show'),
        );
      }, this.delayMs),
    );
  }
}
