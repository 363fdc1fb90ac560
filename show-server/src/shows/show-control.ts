import { EventEmitter } from 'node:events';
import {
  cueInputSchema,
  type Cue,
  type CueInput,
  type CuePatch,
  type HostMessage,
  type ShowDetailsPatch,
  type StoredShow,
} from '@showrec/protocol';
import type { CaptureService } from '../capture/capture-service.js';
import type { Logger } from '../logger.js';
import { Refusal } from '../refusal.js';
import { newId } from './secrets.js';
import type { ShowStore } from './show-store.js';

/** A control action refused in the show's current state (on standby, ended, no such cue…). */
export class ControlError extends Refusal {}

export interface ShowControlEvents {
  /** The show changed: everyone watching it needs a new view. */
  changed: [showId: string, show: StoredShow];
  message: [showId: string, message: HostMessage];
}

export interface ShowControlDeps {
  shows: ShowStore;
  capture: CaptureService;
  /** Tells the other show-server processes that a show's capture state changed. */
  announceCapture: (showId: string, running: boolean, cueId: string | null) => void;
  logger: Logger;
}

type CaptureAction = { running: true; cueId: string | null } | { running: false } | null;

/**
 * Running a show: the live cue (GO, back, jump), standby, end, messages to phones, and editing
 * the cue list. Capture follows the live cue: going to a capture cue starts capture tagged with
 * that cue; leaving it stops capture unless the cue says to keep recording.
 */
export class ShowControl extends EventEmitter<ShowControlEvents> {
  readonly #log: Logger;

  constructor(private readonly deps: ShowControlDeps) {
    super();
    this.#log = deps.logger.child({ component: 'show-control' });
  }

  go(showId: string): Promise<StoredShow> {
    return this.#moveTo(showId, (show) => {
      if (show.currentCueIndex + 1 >= show.cues.length)
        throw new ControlError('there is no next cue');
      return show.currentCueIndex + 1;
    });
  }

  back(showId: string): Promise<StoredShow> {
    return this.#moveTo(showId, (show) => {
      if (show.currentCueIndex < 0)
        throw new ControlError('the show is already before its first cue');
      return show.currentCueIndex - 1;
    });
  }

  jump(showId: string, index: number): Promise<StoredShow> {
    return this.#moveTo(showId, (show) => {
      if (index < -1 || index >= show.cues.length) {
        throw new ControlError(
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
    const show = await this.deps.shows.update(showId, (s) => void (s.ended = true));
    if (show.capture.running) await this.#applyCapture(showId, { running: false });
    return this.#changed(await this.deps.shows.require(showId));
  }

  async sendMessage(showId: string, text: string): Promise<StoredShow> {
    const message = { text, at: Date.now() };
    const show = await this.deps.shows.update(showId, (s) => void (s.lastMessage = message));
    this.emit('message', showId, message);
    return this.#changed(show);
  }

  /** Starts or stops capture by hand, tagged with the live cue when it is a capture cue. */
  async setCapture(showId: string, running: boolean): Promise<string[]> {
    const show = await this.deps.shows.require(showId);
    const live = show.cues[show.currentCueIndex];
    const takeIds = await this.#applyCapture(
      showId,
      running
        ? { running: true, cueId: live?.kind === 'capture' ? live.id : null }
        : { running: false },
    );
    this.#changed(await this.deps.shows.require(showId));
    return takeIds;
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
        if (index < 0) throw new ControlError(`no cue ${cueId} in this show`);
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
        if (index < 0) throw new ControlError(`no cue ${cueId} in this show`);
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
          throw new ControlError('the new order must list every cue of the show exactly once');
        }
        const liveId = show.cues[show.currentCueIndex]?.id;
        show.cues = ids.map((id) => byId.get(id)!);
        if (liveId) show.currentCueIndex = ids.indexOf(liveId);
      }),
    );
  }

  async #moveTo(showId: string, target: (show: StoredShow) => number): Promise<StoredShow> {
    let action: CaptureAction = null;
    const show = await this.deps.shows.update(showId, (s) => {
      if (s.ended) throw new ControlError('the show has ended');
      if (s.standby) throw new ControlError('the show is on standby: release standby first');
      const index = target(s);
      const leaving = s.cues[s.currentCueIndex];
      const entering = s.cues[index];
      s.currentCueIndex = index;
      s.cueStartedAt = Date.now();
      if (entering?.kind === 'capture') action = { running: true, cueId: entering.id };
      else if (
        s.capture.running &&
        leaving &&
        s.capture.cueId === leaving.id &&
        leaving.captureStopsOnNextGo
      ) {
        action = { running: false };
      } else action = null;
    });
    this.#log.info({ showId, cue: show.currentCueIndex, capture: action }, 'cue');
    if (action) await this.#applyCapture(showId, action);
    return this.#changed(action ? await this.deps.shows.require(showId) : show);
  }

  async #applyCapture(showId: string, action: NonNullable<CaptureAction>): Promise<string[]> {
    const cueId = action.running ? action.cueId : null;
    const takeIds = action.running
      ? await this.deps.capture.startCapture(showId, cueId)
      : await this.deps.capture.stopCapture(showId);
    this.deps.announceCapture(showId, action.running, cueId);
    return takeIds;
  }

  #changed(show: StoredShow): StoredShow {
    this.emit('changed', show.id, show);
    return show;
  }
}
