import { EventEmitter } from 'node:events';
import {
  cueInputSchema,
  type Cue,
  type CueInput,
  type CuePatch,
  type HostMessage,
  type ShowDetailsPatch,
  type StoredShow,
  type WallPatch,
  DomainError,
} from '@showrec/protocol';
import type { CaptureReconciler } from '../capture/capture-reconciler.js';
import type { Logger } from '../logger.js';
import { captureAfterMove, captureRunning, captureStopped } from './capture-rules.js';
import { newId } from './secrets.js';
import { unchanged, type ShowStore } from './show-store.js';

/** The cue a GO moves from, by id (null: before the first cue) or by index (OSC senders know that). */
export type GoFrom = { cueId: string | null } | { cueIndex: number };

export interface ShowControlEvents {
  /** The show changed: everyone watching it needs a new view. */
  changed: [showId: string, show: StoredShow];
  message: [showId: string, message: HostMessage];
}

export interface ShowControlDeps {
  shows: ShowStore;
  /**
   * Brings this process's phones in line with a show just stored (other processes hear of it from
   * the store), answering with the takes it started or ended here.
   */
  capture: Pick<CaptureReconciler, 'reconcile'>;
  logger: Logger;
}

/**
 * Running a show: the live cue (GO, back, jump), standby, end, messages to phones, and editing
 * the cue list. Capture follows the live cue (see capture-rules.ts): a cue move and what it does
 * to capture are stored in one compare-and-set, so no other writer can come between them.
 */
export class ShowControl extends EventEmitter<ShowControlEvents> {
  readonly #log: Logger;

  constructor(private readonly deps: ShowControlDeps) {
    super();
    this.#log = deps.logger.child({ component: 'show-control' });
  }

  /** A GO from a cue that is no longer live (pressed twice, or at two desks) moves nothing. */
  go(showId: string, from: GoFrom): Promise<StoredShow> {
    return this.#moveTo(showId, (show) => {
      const stale =
        'cueIndex' in from
          ? from.cueIndex !== show.currentCueIndex
          : from.cueId !== (show.cues[show.currentCueIndex]?.id ?? null);
      if (stale) return unchanged;
      if (show.currentCueIndex + 1 >= show.cues.length)
        throw new DomainError('conflict', 'there is no next cue');
      return show.currentCueIndex + 1;
    });
  }

  back(showId: string): Promise<StoredShow> {
    return this.#moveTo(showId, (show) => {
      if (show.currentCueIndex < 0)
        throw new DomainError('conflict', 'the show is already before its first cue');
      return show.currentCueIndex - 1;
    });
  }

  jump(showId: string, index: number): Promise<StoredShow> {
    return this.#moveTo(showId, (show) => {
      if (index < -1 || index >= show.cues.length) {
        throw new DomainError(
          'conflict',
          `there is no cue ${index}: the show has cues 0 to ${show.cues.length - 1}`,
        );
      }
      return index;
    });
  }

  async setStandby(showId: string, on: boolean): Promise<StoredShow> {
    return this.#changed(await this.deps.shows.update(showId, (show) => void (show.standby = on)));
  }

  async end(showId: string): Promise<StoredShow> {
    const show = await this.deps.shows.update(showId, (s) => {
      s.ended = true;
      s.capture = captureStopped;
    });
    await this.deps.capture.reconcile(show);
    return this.#changed(show);
  }

  async sendMessage(showId: string, text: string): Promise<StoredShow> {
    const message = { text, at: Date.now() };
    const show = await this.deps.shows.update(showId, (s) => void (s.lastMessage = message));
    this.emit('message', showId, message);
    return this.#changed(show);
  }

  /**
   * Starts or stops capture by hand, tagged with the live cue when it is a capture cue. Returns
   * the takes this process started or ended.
   */
  async setCapture(showId: string, running: boolean): Promise<string[]> {
    const show = await this.deps.shows.update(showId, (s) => {
      if (running && s.ended) throw new DomainError('conflict', 'the show has ended');
      if (running && s.standby)
        throw new DomainError('conflict', 'the show is on standby: release standby first');
      const live = s.cues[s.currentCueIndex];
      s.capture = running
        ? captureRunning(s, live?.kind === 'capture' ? live.id : null, Date.now())
        : captureStopped;
    });
    const takeIds = await this.deps.capture.reconcile(show);
    this.#changed(show);
    return takeIds;
  }

  /**
   * The stage wall: layout, pins, rotation, the featured phone, whether it is up. Who may be
   * shown is decided when the program is made (phones that said no never are), not here.
   */
  async setWall(showId: string, patch: WallPatch): Promise<StoredShow> {
    const show = await this.deps.shows.update(showId, (s) => {
      if (s.ended) throw new DomainError('conflict', 'the show has ended');
      s.wall = { ...s.wall, ...patch };
    });
    this.#log.info({ showId, wall: show.wall }, 'wall');
    return this.#changed(show);
  }

  async updateDetails(showId: string, patch: ShowDetailsPatch): Promise<StoredShow> {
    return this.#changed(
      await this.deps.shows.update(showId, (show) => void Object.assign(show, patch)),
    );
  }

  async addCue(showId: string, input: CueInput): Promise<Cue> {
    const cue: Cue = { ...cueInputSchema.parse(input), id: newId() };
    this.#changed(await this.deps.shows.update(showId, (show) => void show.cues.push(cue)));
    return cue;
  }

  async updateCue(showId: string, cueId: string, patch: CuePatch): Promise<Cue> {
    let updated: Cue | undefined;
    this.#changed(
      await this.deps.shows.update(showId, (show) => {
        const index = show.cues.findIndex((c) => c.id === cueId);
        if (index < 0) throw new DomainError('conflict', `no cue ${cueId} in this show`);
        const cue = { ...show.cues[index]!, ...patch };
        show.cues[index] = cue;
        updated = cue;
      }),
    );
    return updated!;
  }

  /** Deleting the live cue leaves the show on the cue before it. */
  async deleteCue(showId: string, cueId: string): Promise<StoredShow> {
    return this.#changed(
      await this.deps.shows.update(showId, (show) => {
        const index = show.cues.findIndex((c) => c.id === cueId);
        if (index < 0) throw new DomainError('conflict', `no cue ${cueId} in this show`);
        show.cues.splice(index, 1);
        if (index <= show.currentCueIndex) show.currentCueIndex -= 1;
      }),
    );
  }

  /** The live cue stays live wherever it moves. */
  async reorderCues(showId: string, ids: string[]): Promise<StoredShow> {
    return this.#changed(
      await this.deps.shows.update(showId, (show) => {
        const byId = new Map(show.cues.map((c) => [c.id, c]));
        if (
          ids.length !== show.cues.length ||
          new Set(ids).size !== ids.length ||
          !ids.every((id) => byId.has(id))
        ) {
          throw new DomainError(
            'conflict',
            'the new order must list every cue of the show exactly once',
          );
        }
        const liveId = show.cues[show.currentCueIndex]?.id;
        show.cues = ids.map((id) => byId.get(id)!);
        if (liveId) show.currentCueIndex = ids.indexOf(liveId);
      }),
    );
  }

  async #moveTo(
    showId: string,
    target: (show: StoredShow) => number | typeof unchanged,
  ): Promise<StoredShow> {
    let moved = false;
    const show = await this.deps.shows.update(showId, (s) => {
      if (s.ended) throw new DomainError('conflict', 'the show has ended');
      if (s.standby)
        throw new DomainError('conflict', 'the show is on standby: release standby first');
      const index = target(s);
      moved = index !== unchanged;
      if (index === unchanged) return unchanged;
      const now = Date.now();
      s.capture = captureAfterMove(s, s.currentCueIndex, index, now);
      s.currentCueIndex = index;
      s.cueStartedAt = now;
      // A cue move takes the stage: a phone featured or a wall put up by hand comes down.
      s.wall = { ...s.wall, featured: null, onStage: false };
    });
    if (!moved) {
      this.#log.info(
        { showId, cue: show.currentCueIndex },
        'ignored a GO from a cue no longer live',
      );
      return show;
    }
    this.#log.info({ showId, cue: show.currentCueIndex, capture: show.capture }, 'cue');
    await this.deps.capture.reconcile(show);
    return this.#changed(show);
  }

  #changed(show: StoredShow): StoredShow {
    this.emit('changed', show.id, show);
    return show;
  }
}
