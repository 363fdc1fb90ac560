import { randomUUID } from 'node:crypto';
import type { types as ms } from 'mediasoup';
import {
  DomainError,
  onScreenIds,
  showablePhone,
  simulcastLayers,
  stageProgram,
  TOP_LAYER,
  TILES_PER_PAGE,
  wallGrid,
  type DtlsParametersInput,
  type PhoneStatus,
  type RtpCapabilitiesInput,
  type StageProgram,
  type TransportCreated,
  type ViewerState,
  type ViewerWatch,
} from '@showrec/protocol';
import type { CaptureService } from '../capture/capture-service.js';
import {
  createWebRtcTransport,
  transportCreated,
  type Room,
  type RtcSettings,
} from '../capture/room.js';
import type { PhoneRegistry } from '../capture/phone-registry.js';
import type { Logger } from '../logger.js';
import type { WorkerPool } from '../sfu/worker-pool.js';
import type { ShowStore } from '../shows/show-store.js';
import { planTiles, type TilePlan, type TileRequest, type ViewerBudget } from './viewer-budget.js';
import { Viewer, type ViewerChannel } from './viewer.js';
import { ViewRouters } from './view-routers.js';

export interface WallServiceDeps {
  capture: CaptureService;
  shows: ShowStore;
  phones: PhoneRegistry;
  pool: WorkerPool;
  rtc: RtcSettings;
  budget: ViewerBudget;
  /** Screens (stage and control panels) one show may have watching through this node. */
  maxViewersPerShow: number;
  logger: Logger;
}

/** A show as this node shows it: its viewers here, the routers they receive from, its program. */
interface ShowWall {
  room: Room;
  routers: ViewRouters;
  viewers: Set<Viewer>;
  program: StageProgram;
  /** The wall as it would be without the featured phone: kept paused on the stage, for the cut back. */
  underneath: StageProgram;
  /**
   * The phones the host previews on a control panel and may put on screen next: the stage
   * receives them already at their top layer (not shown), so the cut to one is sharp at once.
   */
  standby: string[];
  phones: PhoneStatus[];
  serial: Promise<unknown>;
}

/** How tall a control panel's tile and its larger preview are, in CSS pixels. */
const TILE_HEIGHT = 135;
const PREVIEW_HEIGHT = 360;
/** Phones the stage holds ready for a cut (see ShowWall.standby). */
const MAX_STANDBY = 2;
/** What the stage is always let have: a featured phone's top layer and some. */
const STAGE_MIN_BPS = 4_000_000;

/**
 * The audience wall on this node: makes the stage program (stageProgram: the same on every node
 * for the same show), tells phones when they are on the stage and notes it on their takes, and
 * feeds each viewer the phones it shows, as the budget allows.
 */
export class WallService {
  readonly #walls = new Map<string, Promise<ShowWall>>();
  readonly #log: Logger;
  readonly #timer: NodeJS.Timeout;

  constructor(private readonly deps: WallServiceDeps) {
    this.#log = deps.logger.child({ component: 'wall' });
    // Rotation moves on with the clock, and other nodes change the show: look again each second.
    this.#timer = setInterval(() => void this.#refreshAll(), 1000);
    this.#timer.unref();
  }

  async join(
    showId: string,
    role: 'stage' | 'host',
    channel: ViewerChannel,
  ): Promise<{ viewer: Viewer; routerRtpCapabilities: ms.RtpCapabilities; state: ViewerState }> {
    const wall = await this.#wall(showId);
    if (wall.viewers.size >= this.deps.maxViewersPerShow) {
      throw new DomainError(
        'too-many-requests',
        `this show already has ${this.deps.maxViewersPerShow} screens watching the phones here`,
      );
    }
    const router = await wall.routers.take();
    const viewer = new Viewer(randomUUID(), role, showId, router, channel, this.#log);
    wall.viewers.add(viewer);
    return {
      viewer,
      routerRtpCapabilities: router.rtpCapabilities,
      state: this.#stateFor(wall, viewer),
    };
  }

  async createTransport(
    viewer: Viewer,
    rtpCapabilities: RtpCapabilitiesInput,
  ): Promise<TransportCreated> {
    const wall = await this.#wallOf(viewer);
    viewer.transport?.close();
    viewer.rtpCapabilities = rtpCapabilities as unknown as ms.RtpCapabilities;
    const transport = await createWebRtcTransport(
      viewer.router,
      this.deps.rtc,
      viewer.role === 'stage' ? STAGE_MIN_BPS : undefined,
    );
    if (!wall.viewers.has(viewer)) {
      transport.close();
      throw new DomainError('conflict', 'this screen stopped watching');
    }
    // The budget holds on the wire too: mediasoup picks layers under this, whatever is asked.
    await transport.setMaxOutgoingBitrate(this.deps.budget.maxBps);
    // The projector is on the venue's wired network: a featured phone's top layer must fit from
    // the cut on, not once the estimate has crept up to it.
    if (viewer.role === 'stage') await transport.setMinOutgoingBitrate(STAGE_MIN_BPS);
    viewer.transport = transport;
    return transportCreated(transport);
  }

  async connect(
    viewer: Viewer,
    transportId: string,
    dtlsParameters: DtlsParametersInput,
  ): Promise<void> {
    if (!viewer.transport || viewer.transport.id !== transportId)
      throw new DomainError('not-found', `unknown transport ${transportId}`);
    await viewer.transport.connect({
      dtlsParameters: dtlsParameters as unknown as ms.DtlsParameters,
    });
  }

  /** What the screen looks at; answers with what it now receives. */
  async watch(viewer: Viewer, watch: ViewerWatch): Promise<ViewerState> {
    const wall = await this.#wallOf(viewer);
    const previewed = viewer.watch?.preview ?? null;
    viewer.watch = watch;
    await this.#feed(wall, viewer);
    // A new preview on a control panel is what the stage holds ready for the next cut.
    if (viewer.role === 'host' && watch.preview !== previewed) void this.refresh(viewer.showId);
    const state = this.#stateFor(wall, viewer);
    viewer.lastState = JSON.stringify(state);
    return state;
  }

  leave(viewer: Viewer): void {
    viewer.close();
    void this.#walls.get(viewer.showId)?.then((wall) => {
      wall.viewers.delete(viewer);
      wall.routers.release(viewer.router);
    });
  }

  /** Makes the show's program again now (a host changed the wall, a phone joined or said no). */
  refresh(showId: string): Promise<void> {
    const wall =
      this.#walls.get(showId) ?? (this.deps.capture.hosts(showId) ? this.#wall(showId) : null);
    if (!wall) return Promise.resolve();
    return wall.then((w) => {
      const next = w.serial.then(() => this.#refresh(w, showId));
      w.serial = next.catch((err: Error) =>
        this.#log.warn({ err: err.message, showId }, 'could not refresh the wall'),
      );
      return w.serial as Promise<void>;
    });
  }

  close(): void {
    clearInterval(this.#timer);
    for (const wall of this.#walls.values()) {
      void wall.then((w) => {
        for (const viewer of w.viewers) viewer.close();
        w.routers.close();
      });
    }
  }

  async #refreshAll(): Promise<void> {
    const showIds = new Set([...this.#walls.keys(), ...this.deps.capture.hostedShows]);
    await Promise.all([...showIds].map((id) => this.refresh(id).catch(() => undefined)));
  }

  async #refresh(wall: ShowWall, showId: string): Promise<void> {
    const show = await this.deps.shows.get(showId);
    if (!show) return;
    wall.phones = await this.deps.phones.list(showId);
    const now = Date.now();
    const stage = { ended: show.ended, liveCue: show.cues[show.currentCueIndex] };
    const program = stageProgram({ ...stage, wall: show.wall }, wall.phones, now);
    if (JSON.stringify(program) !== JSON.stringify(wall.program))
      this.#log.info({ showId, program }, 'stage program');
    wall.program = program;
    wall.underneath = stageProgram(
      { ...stage, wall: { ...show.wall, featured: null } },
      wall.phones,
      now,
    );
    const showable = new Set(wall.phones.filter(showablePhone).map((p) => p.participantId));
    wall.standby = [
      ...new Set(
        [...wall.viewers].flatMap((v) =>
          v.role === 'host' && v.watch?.preview && showable.has(v.watch.preview)
            ? [v.watch.preview]
            : [],
        ),
      ),
    ].slice(0, MAX_STANDBY);
    const onScreen = new Set(onScreenIds(wall.program));
    // The program goes out first: a cut to a phone the stage already receives is then immediate.
    for (const viewer of wall.viewers) this.#sendState(wall, viewer);
    await Promise.all([
      ...[...wall.room.peers.values()].map((peer) =>
        this.deps.capture.setOnScreen(peer, onScreen.has(peer.id)),
      ),
      ...[...wall.viewers].map(async (viewer) => {
        await this.#feed(wall, viewer);
        this.#sendState(wall, viewer);
      }),
    ]);
  }

  /** Sends a viewer its state if it changed since the last one it got. */
  #sendState(wall: ShowWall, viewer: Viewer): void {
    const state = this.#stateFor(wall, viewer);
    const json = JSON.stringify(state);
    if (json === viewer.lastState) return;
    viewer.lastState = json;
    viewer.channel.state(state);
  }

  async #feed(wall: ShowWall, viewer: Viewer): Promise<void> {
    const sources = new Map<string, ms.Producer>();
    for (const peer of wall.room.peers.values()) {
      const video = peer.producers.get('video');
      // The stage never gets a phone that said no, whatever the registry last said of it.
      if (
        video &&
        !video.closed &&
        peer.mediaFlowing &&
        (viewer.role === 'host' || peer.showOnStage)
      )
        sources.set(peer.id, video);
    }
    const rates = new Map(
      [...sources].map(([id, producer]) => [id, layerRates(producer)] as const),
    );
    const plan = this.#planFor(wall, viewer, rates);
    await viewer.apply(plan, sources, (producer) =>
      wall.routers.producerOn(viewer.router, producer),
    );
  }

  #planFor(wall: ShowWall, viewer: Viewer, rates: Map<string, number[]>): TilePlan {
    const screenHeight = viewer.watch?.height ?? 1080;
    if (viewer.role === 'stage') {
      const program = wall.program;
      const tiles: TileRequest[] =
        program.kind === 'featured'
          ? [{ participantId: program.tile.participantId, heightPx: screenHeight, priority: true }]
          : program.kind === 'wall'
            ? program.tiles.map((t) => ({
                participantId: t.participantId,
                heightPx: screenHeight / wallGrid(program.layout).rows,
                priority: false,
              }))
            : [];
      // Held ready for a cut at the top layer, whether on the wall now or not.
      const ready = new Set(wall.standby);
      for (const tile of tiles) if (ready.has(tile.participantId)) tile.heightPx = screenHeight;
      const shown = new Set(tiles.map((t) => t.participantId));
      for (const id of ready)
        if (!shown.has(id))
          tiles.push({ participantId: id, heightPx: screenHeight, priority: false });
      const plan = planTiles(tiles, rates, this.deps.budget);
      for (const id of onScreenIds(wall.underneath)) if (!plan.has(id)) plan.set(id, null);
      return plan;
    }
    const watch = viewer.watch;
    if (!watch) return new Map();
    const page = pageOf(wall.phones, watch.page);
    const visible = watch.visible ? new Set(watch.visible) : null;
    const tiles: TileRequest[] = [
      ...(watch.preview
        ? [{ participantId: watch.preview, heightPx: PREVIEW_HEIGHT, priority: true }]
        : []),
      ...page
        .filter((p) => p.participantId !== watch.preview)
        .filter((p) => !visible || visible.has(p.participantId))
        .map((p) => ({ participantId: p.participantId, heightPx: TILE_HEIGHT, priority: false })),
    ];
    const plan = planTiles(tiles, rates, this.deps.budget);
    // Tiles of the page out of sight keep their consumers, paused: scrolling back is instant.
    for (const p of page) if (!plan.has(p.participantId)) plan.set(p.participantId, null);
    return plan;
  }

  #stateFor(wall: ShowWall, viewer: Viewer): ViewerState {
    const index = viewer.watch?.page ?? 0;
    return {
      program: wall.program,
      page:
        viewer.role === 'host'
          ? {
              index,
              count: Math.max(1, Math.ceil(wall.phones.length / TILES_PER_PAGE)),
              phones: pageOf(wall.phones, index),
            }
          : null,
      live: viewer.live(),
    };
  }

  async #wallOf(viewer: Viewer): Promise<ShowWall> {
    const wall = await this.#walls.get(viewer.showId);
    if (!wall || !wall.viewers.has(viewer))
      throw new DomainError('conflict', 'watch the show first: viewer:join');
    return wall;
  }

  #wall(showId: string): Promise<ShowWall> {
    let wall = this.#walls.get(showId);
    if (!wall) {
      wall = this.#makeWall(showId);
      this.#walls.set(showId, wall);
      wall.catch(() => this.#walls.delete(showId));
    }
    return wall;
  }

  async #makeWall(showId: string): Promise<ShowWall> {
    const show = await this.deps.shows.get(showId);
    if (!show) throw new DomainError('not-found', `no show ${showId}`);
    const room = await this.deps.capture.roomFor(show);
    const wall: ShowWall = {
      room,
      routers: new ViewRouters(room, this.deps.pool),
      viewers: new Set(),
      program: { kind: 'cue' },
      underneath: { kind: 'cue' },
      standby: [],
      phones: [],
      serial: Promise.resolve(),
    };
    room.once('closed', () => {
      this.#walls.delete(showId);
      wall.routers.close();
      for (const viewer of wall.viewers) viewer.close();
    });
    await this.#refresh(wall, showId);
    return wall;
  }
}

function pageOf(phones: PhoneStatus[], page: number): PhoneStatus[] {
  return phones.slice(page * TILES_PER_PAGE, (page + 1) * TILES_PER_PAGE);
}

/** What each layer of a phone's video costs, as the phone declared it (lowest first). */
function layerRates(producer: ms.Producer): number[] {
  const encodings = producer.rtpParameters.encodings ?? [{}];
  // Where a phone does not say, the audience app's own settings.
  if (encodings.length === 1) return [encodings[0]!.maxBitrate ?? TOP_LAYER.maxBitrate];
  return encodings.map(
    (e, i) => e.maxBitrate ?? simulcastLayers[i]?.maxBitrate ?? TOP_LAYER.maxBitrate,
  );
}
