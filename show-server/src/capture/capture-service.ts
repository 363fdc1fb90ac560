import { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { identityOf, type ChildProcesses } from '@showrec/infra/processes';
import type { MediaStore } from '@showrec/media-store';
import type { types as ms } from 'mediasoup';
import type {
  PhoneStatus,
  JoinPayload,
  JoinResult,
  RecordingState,
  StoredShow,
  TakeEndReason,
  TakeManifest,
  TransportCreated,
  UploadProgress,
} from '@showrec/protocol';
import { DomainError, type DtlsParametersInput, type RtpParametersInput } from '@showrec/protocol';
import type { Logger } from '../logger.js';
import { captureSessionOf, sameSession } from '../shows/capture-rules.js';
import { newId, newSecret } from '../shows/secrets.js';
import type { ShowStore } from '../shows/show-store.js';
import { phoneRtpCapabilities } from '../sfu/media-codecs.js';
import type { WorkerPool } from '../sfu/worker-pool.js';
import { diskWarning, type DiskGuard } from './disk-guard.js';
import { admitPhone, capacityProblem, type CapacitySettings } from './capacity.js';
import type { LoadWatch } from './load-watch.js';
import type { LastTakes } from './last-takes.js';
import { Peer } from './peer.js';
import { noteOnScreen, screenSpansWithin } from '../wall/screen-time.js';
import type { DrainMode } from '../nodes/node-registry.js';
import { wantsPhoneCopy } from './phone-copy-policy.js';
import type { UploadService } from './upload-service.js';
import type { PhoneRegistry } from './phone-registry.js';
import type { RecorderPool } from './recorder/recorder-pool.js';
import { Room, transportCreated, type RtcSettings } from './room.js';
import { SegmentUploader } from './segment-uploader.js';
import { takeFileKey, takeFolderKey, tidyTakeFolder } from './take-folder.js';
import type { TakeStore } from './take-store.js';
import { TakeRecorder } from './take-recorder.js';

export interface CaptureServiceDeps {
  shows: ShowStore;
  takes: TakeStore;
  phones: PhoneRegistry;
  /** Each phone's latest take, shared by every node, to link the parts of a recording. */
  lastTakes: LastTakes;
  disk: DiskGuard;
  uploads: UploadService;
  /** Hands a finished take to the media-worker (see queue/take-queue.ts). */
  enqueueTake: (takeId: string) => Promise<void>;
  pool: WorkerPool;
  /** The recorder processes writing this process's takes. */
  recorders: RecorderPool;
  processes: ChildProcesses;
  rtc: RtcSettings;
  /** Segments are written below it, then put in `media` (the same folder, by default). */
  dataDir: string;
  media: MediaStore;
  /** How long each recorded segment is, about. */
  segmentSeconds: number;
  /** This process, as named in the takes it records (see take-recovery.ts). */
  serverId: string;
  /** Phones a show may hold (across every process), and phones one address may join here. */
  limits: { phonesPerShow: number; phonesPerAddress: number };
  /** What this process can record at once without every take degrading. */
  capacity: CapacitySettings;
  /** This process's own measure of its load; past its limits new phones are refused. */
  load: LoadWatch;
  logger: Logger;
}

export interface CaptureServiceEvents {
  /** A phone's recording state changed. */
  recording: [showId: string, participantId: string, state: RecordingState];
  /** Phones joined or left a show. */
  phones: [showId: string];
  /** What arrives from this process's phones of a show, sampled every few seconds. */
  status: [showId: string, statuses: PhoneStatus[]];
  /** A phone lost its media session on the server (its room closed) and must join again. */
  evicted: [participantId: string];
  /** Ask this phone for its own recording of a take. */
  upload: [participantId: string, progress: UploadProgress];
  /** This node drains: the phone should join again through another node. */
  move: [participantId: string];
  /** The phone went on the stage, or came off it. */
  screen: [participantId: string, onScreen: boolean];
}

/**
 * Live capture for every show this process hosts: phones join rooms, produce media, and while a
 * show's capture runs (as stored: see `reconcile`) each ready phone is recorded as a take. Every
 * take's manifest is stored before recording starts; every ending (stop, leave, drop, recorder
 * crash, shutdown) completes the manifest and enqueues the take for filing.
 */
export class CaptureService extends EventEmitter<CaptureServiceEvents> {
  readonly #rooms = new Map<string, Promise<Room>>();
  readonly #finishing = new Set<Promise<void>>();
  readonly #log: Logger;
  readonly #statsTimer: NodeJS.Timeout;
  /** What each show's phones last looked like, so an unchanged sample is not pushed again. */
  readonly #lastStatus = new Map<string, string>();
  #shuttingDown = false;
  /** Set when this node drains: it starts no takes and moves its phones to other nodes. */
  #draining: DrainMode | null = null;
  /** Takes this node finished lately, as it stored them: see `reassertTakes`. */
  readonly #recentlyFinished = new Map<string, { manifest: TakeManifest; at: number }>();
  /** What this process's phones send in all, as last sampled. */
  #measuredBps = 0;

  constructor(private readonly deps: CaptureServiceDeps) {
    super();
    this.#log = deps.logger.child({ component: 'capture' });
    this.#statsTimer = setInterval(() => void this.#refreshPhones(), 2000);
    this.#statsTimer.unref();
  }

  async join(
    payload: JoinPayload,
    address: string,
  ): Promise<{ peer: Peer; result: Omit<JoinResult, 'view' | 'node' | 'nodes'> }> {
    const show = await this.deps.shows.findByJoinCode(payload.joinCode);
    if (!show) throw new DomainError('not-found', `no show has the join code ${payload.joinCode}`);
    const deviceToken = payload.deviceToken ?? newSecret();
    const participantId = await this.deps.shows.participantForDevice(show.id, deviceToken, newId());
    const room = await this.#room(show);
    const previous = room.peers.get(participantId);
    // A phone coming back takes its own place; a new one must fit.
    if (previous) await this.leave(previous, 'disconnected');
    else await this.#admit(show.id, address);
    const peer = new Peer(participantId, payload.name, show.id, address, payload.showOnStage);
    room.peers.set(participantId, peer);
    await this.deps.phones.put(show.id, [await this.#statusOf(peer)]);
    this.emit('phones', show.id);
    this.#log.info({ showId: show.id, participantId, name: payload.name }, 'phone joined');
    return {
      peer,
      result: {
        participantId,
        deviceToken,
        show: { id: show.id, title: show.title, joinCode: show.joinCode },
        routerRtpCapabilities: phoneRtpCapabilities(room.router) as Record<string, unknown>,
        recording: { state: 'standby' },
      },
    };
  }

  async createSendTransport(peer: Peer): Promise<TransportCreated> {
    const room = await this.#roomOf(peer);
    peer.closeMedia();
    const transport = await room.createSendTransport();
    if (room.peers.get(peer.id) !== peer) {
      // The phone left while its transport was being made: nobody else would close it.
      transport.close();
      throw new DomainError('conflict', 'not joined to a show: join first');
    }
    // Another transport:create may have finished first; only the last one stays open.
    peer.closeMedia();
    peer.transport = transport;
    return transportCreated(transport);
  }

  async connectTransport(
    peer: Peer,
    transportId: string,
    dtlsParameters: DtlsParametersInput,
  ): Promise<void> {
    const transport = this.#transportOf(peer, transportId);
    await transport.connect({ dtlsParameters: dtlsParameters as unknown as ms.DtlsParameters });
  }

  async produce(
    peer: Peer,
    transportId: string,
    kind: 'audio' | 'video',
    rtpParameters: RtpParametersInput,
  ): Promise<string> {
    const transport = this.#transportOf(peer, transportId);
    if (peer.producers.has(kind))
      throw new DomainError('conflict', `this phone already sends ${kind}`);
    const producer = await transport.produce({
      kind,
      rtpParameters: rtpParameters as unknown as ms.RtpParameters,
    });
    peer.producers.set(kind, producer);
    producer.on('transportclose', () => peer.producers.delete(kind));
    await this.#awaitFirstPacket(peer, producer);
    return producer.id;
  }

  /**
   * Watches a producer until its first RTP packet (mediasoup's "rtp" trace, turned off at once),
   * then records the phone if capture runs: a phone that never sends costs no take and no
   * recorder socket.
   */
  async #awaitFirstPacket(peer: Peer, producer: ms.Producer): Promise<void> {
    if (peer.mediaFlowing) return;
    const onTrace = (trace: ms.ProducerTraceEventData) => {
      if (trace.type !== 'rtp') return;
      producer.off('trace', onTrace);
      void producer.enableTraceEvent([]).catch(() => undefined);
      if (peer.mediaFlowing) return;
      peer.mediaFlowing = true;
      void this.#rooms
        .get(peer.showId)
        ?.then((room) => {
          if (room.capture && peer.mediaReady && room.peers.get(peer.id) === peer)
            return this.#startTake(room, peer);
        })
        .catch((err: Error) =>
          this.#log.error({ err, participantId: peer.id }, 'could not start a take'),
        );
    };
    producer.on('trace', onTrace);
    await producer.enableTraceEvent(['rtp']);
  }

  /** The phone sends everything it will send; record it now if capture is running. */
  async mediaReady(peer: Peer): Promise<RecordingState> {
    if (peer.producers.size === 0)
      throw new DomainError('conflict', 'nothing is being sent yet: produce audio or video first');
    const room = await this.#roomOf(peer);
    peer.mediaReady = true;
    if (room.capture) await this.#startTake(room, peer);
    return this.#stateOf(peer);
  }

  async leave(peer: Peer, reason: 'left' | 'disconnected'): Promise<void> {
    const room = await this.#rooms.get(peer.showId);
    if (!room || room.peers.get(peer.id) !== peer) return;
    room.peers.delete(peer.id);
    await this.#endTake(peer, reason, null);
    peer.closeMedia();
    await this.deps.phones.remove(peer.showId, peer.id);
    this.emit('phones', peer.showId);
    this.#log.info({ showId: peer.showId, participantId: peer.id, reason }, 'phone left');
  }

  /** The phone says whether it may be put on the big screen. */
  async setConsent(peer: Peer, showOnStage: boolean): Promise<void> {
    await this.#roomOf(peer);
    peer.showOnStage = showOnStage;
    await this.#statusChanged(peer);
    this.emit('phones', peer.showId);
  }

  /** The stage program put the phone on the stage or took it off (see wall/wall-service.ts). */
  async setOnScreen(peer: Peer, onScreen: boolean): Promise<void> {
    if (!noteOnScreen(peer, onScreen, Date.now())) return;
    this.emit('screen', peer.id, onScreen);
    await this.#statusChanged(peer);
  }

  /** This show's media room here, made if it has none yet (a viewer may come before any phone). */
  roomFor(show: StoredShow): Promise<Room> {
    return this.#room(show);
  }

  /** Whether this process has phones of the show (a room for it). */
  hosts(showId: string): boolean {
    return this.#rooms.has(showId);
  }

  get hostedShows(): string[] {
    return [...this.#rooms.keys()];
  }

  /**
   * Brings this process's phones of a show in line with the show as stored: starts or ends their
   * takes. A new capture session ends the takes of the one before first, so every take belongs to
   * one cue. Runs one at a time per show and ignores a show older than one already applied.
   * Returns the takes started, or ended.
   */
  async reconcile(show: StoredShow): Promise<string[]> {
    const room = await this.#rooms.get(show.id)?.catch(() => undefined);
    if (!room) return [];
    const applied = room.serial.then(() => this.#apply(room, show));
    room.serial = applied.catch(() => []);
    return applied;
  }

  async #apply(room: Room, show: StoredShow): Promise<string[]> {
    if (room.closed || show.version < room.appliedVersion) return [];
    // Already applied (the store's notice can beat the writer's own call): same answer again.
    if (show.version === room.appliedVersion) return room.lastAffected;
    room.appliedVersion = show.version;
    room.lastAffected = await this.#follow(room, show);
    return room.lastAffected;
  }

  async #follow(room: Room, show: StoredShow): Promise<string[]> {
    const wanted = captureSessionOf(show);
    const takesOf = (peers: Peer[]) => peers.flatMap((p) => (p.take ? [p.take.manifest.id] : []));
    if (!sameSession(room.capture, wanted)) {
      // Set first: a take still starting sees its session is over and ends itself.
      room.capture = wanted;
      const recording = [...room.peers.values()].filter((p) => p.take);
      const ended = takesOf(recording);
      await Promise.all(recording.map((peer) => this.#endTake(peer, 'stopped', null)));
      if (!wanted) {
        await this.deps.lastTakes.clear(show.id);
        return ended;
      }
    }
    if (this.#draining && room.cueIndex !== show.currentCueIndex) {
      // A cue boundary: a draining node's phones move now, their takes carry on elsewhere.
      room.cueIndex = show.currentCueIndex;
      await Promise.all([...room.peers.values()].map((peer) => this.#move(peer)));
      return takesOf([...room.peers.values()]);
    }
    room.cueIndex = show.currentCueIndex;
    if (!wanted) return [];
    const ready = [...room.peers.values()].filter((p) => p.mediaReady);
    await Promise.all(ready.map((peer) => this.#startTake(room, peer)));
    return takesOf(ready);
  }

  /**
   * Drains this node: no new takes here; `now` moves every phone at once, `boundary` moves the
   * phones not recording at once and the others at their show's next cue change (or when their
   * take ends). Resolves once every phone that may move now was asked to.
   */
  async drain(mode: DrainMode): Promise<void> {
    if (this.#draining === 'now' || this.#draining === mode) return;
    this.#draining = mode;
    this.#log.warn({ mode }, "draining: moving this node's phones to other nodes");
    const peers = (await Promise.all(this.#rooms.values())).flatMap((r) => [...r.peers.values()]);
    await Promise.all(peers.filter((p) => mode === 'now' || !p.take).map((p) => this.#move(p)));
  }

  get draining(): DrainMode | null {
    return this.#draining;
  }

  /** What this node holds now, and why it would refuse one more phone (for placement). */
  async load(): Promise<{ phones: number; streams: number; bps: number; full: string | null }> {
    const peers = (await Promise.all(this.#rooms.values())).flatMap((r) => [...r.peers.values()]);
    return {
      phones: peers.length,
      streams: peers.filter((p) => p.take).length,
      bps: this.#measuredBps,
      full: capacityProblem(
        this.deps.capacity,
        peers.length,
        this.#measuredBps,
        this.deps.load.overloaded(),
      ),
    };
  }

  /** Ends the phone's take here (its next part starts on the node it moves to) and asks it to go. */
  async #move(peer: Peer): Promise<void> {
    if (peer.moving) return;
    peer.moving = true;
    await this.#endTake(peer, 'moved', null);
    this.emit('move', peer.id);
  }

  /** Ends every take (their files are finalized and enqueued) and closes every room. */
  async shutdown(): Promise<void> {
    this.#shuttingDown = true;
    const rooms = await Promise.all(this.#rooms.values());
    await Promise.all(
      rooms.flatMap((room) =>
        [...room.peers.values()].map((p) => this.#endTake(p, 'shutdown', null)),
      ),
    );
    await Promise.all(this.#finishing);
    clearInterval(this.#statsTimer);
    for (const room of rooms) room.close();
  }

  async #startTake(room: Room, peer: Peer): Promise<void> {
    const session = room.capture;
    if (!session || !peer.mediaFlowing || peer.take || peer.startingTake || room.closed) return;
    if (this.#draining) return void (await this.#move(peer));
    const space = await this.deps.disk.check();
    if (!space.ok) {
      this.#log.warn(
        { showId: room.showId, participantId: peer.id, ...space },
        `refused a new take: ${diskWarning(space)}`,
      );
      return;
    }
    peer.startingTake = true;
    const takeId = newId();
    const file = takeFileKey(room.showId, takeId);
    const folder = takeFolderKey(room.showId, takeId);
    // Back after a drop in the same capture cue (here or on another node): this take carries on
    // the one that was cut.
    const previous = await this.deps.lastTakes.get(room.showId, peer.id).catch(() => null);
    const continues =
      previous && previous.cueId === session.cueId && previous.reason !== 'stopped'
        ? previous.takeId
        : null;
    const manifest = {
      id: takeId,
      showId: room.showId,
      cueId: session.cueId,
      participant: { id: peer.id, name: peer.name },
      status: 'recording' as const,
      serverId: this.deps.serverId,
      serverProcess: identityOf(process.pid),
      recorder: null,
      startedAt: Date.now(),
      recordingAt: null,
      endedAt: null,
      endReason: null,
      file,
      segments: [],
      codecs: { audio: null, video: null },
      rtp: { audio: null, video: null },
      failure: null,
      continues,
      uploadRequested: false,
      phoneCopy: null,
      onScreen: [],
    };
    const log = this.#log.child({ showId: room.showId, participantId: peer.id, takeId });
    try {
      await mkdir(path.join(this.deps.dataDir, folder), { recursive: true });
      await this.deps.takes.save(manifest);
      const recorder = await TakeRecorder.start({
        router: room.router,
        producers: [...peer.producers.values()],
        recorders: this.deps.recorders,
        takeId,
        dir: path.join(this.deps.dataDir, folder),
        segmentSeconds: this.deps.segmentSeconds,
        logger: log,
      });
      const recording = {
        ...manifest,
        codecs: recorder.codecs(),
        recorder: recorder.process,
        recordingAt: Date.now(),
      };
      const uploader = new SegmentUploader(this.deps, folder, log);
      peer.take = { manifest: recording, recorder, uploader };
      // Recovery after a crash signals exactly this recorder process (see take-recovery.ts).
      await this.deps.takes.save(recording);
      await this.deps.lastTakes.set(room.showId, peer.id, {
        takeId,
        cueId: session.cueId,
        reason: null,
      });
      recorder.on('interrupted', ({ reason, failure }) =>
        this.#onInterrupted(room, peer, reason, failure).catch((err: Error) =>
          log.error({ err }, 'could not handle a recording that ended by itself'),
        ),
      );
      await this.#recordingChanged(peer);
      // The phone left, or this capture session ended, while the recorder was starting.
      const sessionOver = !sameSession(room.capture, session);
      if (room.peers.get(peer.id) !== peer || sessionOver) {
        await this.#endTake(peer, sessionOver ? 'stopped' : 'disconnected', null);
      }
    } catch (err) {
      const failure = `the recorder could not start: ${err instanceof Error ? err.message : String(err)}`;
      log.error({ err }, failure);
      await tidyTakeFolder(this.deps.dataDir, room.showId, takeId);
      await this.#finish({
        ...manifest,
        status: 'failed',
        endedAt: Date.now(),
        endReason: 'recorder-died',
        failure,
      });
    } finally {
      peer.startingTake = false;
    }
  }

  /**
   * A dead recorder ends its take (the partial file is still filed); the phone is still sending,
   * so while capture runs it gets a new take at once rather than going unrecorded.
   */
  async #onInterrupted(
    room: Room,
    peer: Peer,
    reason: 'recorder-died' | 'producer-closed',
    failure: string | null,
  ): Promise<void> {
    if (reason === 'producer-closed') {
      await this.#endTake(peer, 'disconnected', null);
      return;
    }
    await this.#endTake(peer, 'recorder-died', failure);
    if (room.capture && room.peers.get(peer.id) === peer && peer.mediaReady) {
      this.#log.warn(
        { showId: room.showId, participantId: peer.id },
        'restarting the recording after its recorder died',
      );
      await this.#startTake(room, peer);
    }
  }

  async #endTake(peer: Peer, reason: TakeEndReason, failure: string | null): Promise<void> {
    const take = peer.take;
    if (!take) return;
    peer.take = null;
    // The take ends now, where its media ends: not once its last segments are stored, which
    // takes seconds on a busy machine and minutes with the store out of reach.
    const endedAt = Date.now();
    const done = (async () => {
      await take.recorder.stop();
      const { segments, pending } = await take.uploader.finish(
        this.#shuttingDown ? SHUTDOWN_UPLOAD_MS : Infinity,
      );
      if (pending.length > 0) {
        // Shutting down with the store out of reach: the take stays open, its segments on disk,
        // and recovery stores and files them when a show-server next runs here.
        this.#log.warn(
          { takeId: take.manifest.id, pending },
          'shutting down before every segment was stored: left for recovery',
        );
        return;
      }
      await tidyTakeFolder(this.deps.dataDir, take.manifest.showId, take.manifest.id);
      const ended = {
        ...take.manifest,
        onScreen: screenSpansWithin(peer, take.manifest.startedAt, endedAt),
        segments,
        status: failure ? ('failed' as const) : ('ended' as const),
        endedAt,
        endReason: reason,
        rtp: take.recorder.rtpCounts(),
        failure,
      };
      await this.#untilFinished(ended);
      await this.deps.lastTakes
        .set(peer.showId, peer.id, { takeId: take.manifest.id, cueId: take.manifest.cueId, reason })
        .catch((err: Error) =>
          this.#log.warn(
            { err: err.message, takeId: take.manifest.id },
            'could not note the last take',
          ),
        );
      await this.#recordingChanged(peer);
    })();
    this.#finishing.add(done);
    try {
      await done;
    } finally {
      this.#finishing.delete(done);
    }
  }

  /**
   * Finishes a take, trying again while Redis refuses (down, or out of disk for its AOF): the
   * file is whole on disk and only this process knows the take ended. At shutdown it stops
   * trying after a few attempts; the take stays open in Redis and recovery files it.
   */
  async #untilFinished(ended: Parameters<TakeStore['save']>[0]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#finish(ended);
        return;
      } catch (err) {
        if (this.#shuttingDown && attempt >= 2) throw err;
        this.#log.error(
          { err, takeId: ended.id, attempt },
          'could not store or queue a finished take: trying again',
        );
        await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** attempt, 15_000)));
      }
    }
  }

  /** Asks the phone for its own recording of a take: now if it is connected, else when it joins. */
  async askForPhoneCopy(take: TakeManifest): Promise<void> {
    const progress = await this.deps.uploads.request(take);
    this.emit('upload', take.participant.id, progress);
  }

  /** Completes the manifest and hands the take to the worker, failed or not: a partial file is still worth filing. */
  async #finish(ended: Parameters<TakeStore['save']>[0]): Promise<void> {
    const show = await this.deps.shows.get(ended.showId);
    const serverBytes = ended.segments.reduce((sum, s) => sum + s.bytes, 0);
    const manifest = { ...ended, uploadRequested: wantsPhoneCopy(ended, show, serverBytes) };
    await this.deps.takes.save(manifest);
    await this.deps.enqueueTake(manifest.id);
    if (manifest.uploadRequested) {
      await this.askForPhoneCopy(manifest);
    }
    await this.deps.takes.markQueued(manifest.id);
    this.#rememberFinished(manifest);
    this.#log.info(
      {
        takeId: manifest.id,
        status: manifest.status,
        reason: manifest.endReason,
        rtp: manifest.rtp,
      },
      'take finished and queued for filing',
    );
  }

  #rememberFinished(manifest: TakeManifest): void {
    const now = Date.now();
    this.#recentlyFinished.set(manifest.id, { manifest, at: now });
    for (const [id, { at }] of this.#recentlyFinished)
      if (now - at > REASSERT_WINDOW_MS) this.#recentlyFinished.delete(id);
  }

  /**
   * After Redis came back (a failover can lose the writes the old primary acknowledged last):
   * stores again each take this node records and each it finished lately whose manifest Redis no
   * longer has as it was, and queues the finished ones again (the queue files a take once).
   * Returns the ids it repaired.
   */
  async reassertTakes(): Promise<string[]> {
    const repaired: string[] = [];
    const rooms = await Promise.all(this.#rooms.values());
    const recording = rooms.flatMap((r) => [...r.peers.values()].flatMap((p) => p.take ?? []));
    for (const { manifest } of recording) {
      if (await this.deps.takes.get(manifest.id)) continue;
      await this.deps.takes.save(manifest);
      repaired.push(manifest.id);
    }
    for (const { manifest } of this.#recentlyFinished.values()) {
      const stored = await this.deps.takes.get(manifest.id);
      if (stored && stored.status !== 'recording') continue;
      await this.deps.takes.save(manifest);
      await this.deps.enqueueTake(manifest.id);
      await this.deps.takes.markQueued(manifest.id);
      repaired.push(manifest.id);
    }
    if (repaired.length > 0)
      this.#log.warn({ repaired }, 'Redis had lost takes this node knows of: stored them again');
    return repaired;
  }

  /**
   * Stores the phone's new state, then tells of it: a view built on the news (a GO's broadcast)
   * must already count the phone as recording.
   */
  async #recordingChanged(peer: Peer): Promise<void> {
    await this.#statusChanged(peer);
    this.emit('recording', peer.showId, peer.id, this.#stateOf(peer));
  }

  async #statusChanged(peer: Peer): Promise<void> {
    await this.#statusOf(peer)
      .then((status) => this.deps.phones.put(peer.showId, [status]))
      .catch((err: Error) =>
        this.#log.warn({ err: err.message }, 'could not update the phone registry'),
      );
  }

  /** What the control panel shows of a phone: its state and what arrives from it. */
  async #statusOf(peer: Peer): Promise<PhoneStatus> {
    return (await this.#sampleOf(peer)).status;
  }

  /** A phone's status, and the packets its main stream has brought so far (for LoadWatch). */
  async #sampleOf(peer: Peer): Promise<{ status: PhoneStatus; packets: number }> {
    const producer = peer.producers.get('video') ?? peer.producers.get('audio');
    const stats = producer && !producer.closed ? await producer.getStats().catch(() => []) : [];
    const bitrate = stats.reduce((sum, s) => sum + (s.bitrate ?? 0), 0);
    return {
      status: {
        participantId: peer.id,
        name: peer.name,
        state: peer.take ? 'recording' : 'standby',
        bitrate,
        packetsLost: stats.reduce((sum, s) => sum + Math.max(0, s.packetsLost ?? 0), 0),
        stalled: peer.take !== null && bitrate === 0,
        showOnStage: peer.showOnStage,
        video: peer.mediaFlowing && peer.producers.has('video'),
        onScreen: peer.onScreenSince !== null,
      },
      packets: stats.reduce((sum, s) => sum + (s.packetCount ?? 0), 0),
    };
  }

  /**
   * Samples every phone and refreshes it in the registry (an entry not refreshed is taken for a
   * dead process's); pushes the sample to whoever watches the show only when it changed.
   */
  async #refreshPhones(): Promise<void> {
    let measured = 0;
    const totals = {
      phones: [] as Array<{ id: string; packets: number; lost: number }>,
      recorderPorts: [] as number[],
    };
    for (const room of await Promise.all(this.#rooms.values())) {
      const peers = [...room.peers.values()];
      const samples = await Promise.all(peers.map((peer) => this.#sampleOf(peer)));
      const statuses = samples.map((s) => s.status);
      measured += statuses.reduce((sum, s) => sum + s.bitrate, 0);
      peers.forEach((peer, i) => {
        const { status, packets } = samples[i]!;
        totals.phones.push({ id: peer.id, packets, lost: status.packetsLost });
        if (peer.take) totals.recorderPorts.push(peer.take.recorder.port);
      });
      await this.deps.phones.put(room.showId, statuses).catch(() => undefined);
      const sample = JSON.stringify(statuses);
      if (statuses.length === 0 || this.#lastStatus.get(room.showId) === sample) continue;
      this.#lastStatus.set(room.showId, sample);
      this.emit('status', room.showId, statuses);
    }
    this.#measuredBps = measured;
    await this.deps.load
      .measure({ workers: this.deps.pool.workers(), bps: measured, ...totals })
      .catch((err: Error) => this.#log.warn({ err: err.message }, 'could not measure the load'));
  }

  #stateOf(peer: Peer): RecordingState {
    return peer.take
      ? {
          state: 'recording',
          takeId: peer.take.manifest.id,
          startedAt: peer.take.manifest.startedAt,
        }
      : { state: 'standby' };
  }

  /** Refuses a new phone beyond the show's cap, or beyond one address's cap on this process. */
  async #admit(showId: string, address: string): Promise<void> {
    const { phonesPerShow, phonesPerAddress } = this.deps.limits;
    if ((await this.deps.phones.list(showId)).length >= phonesPerShow) {
      throw new DomainError(
        'too-many-requests',
        `this show is full: ${phonesPerShow} phones have joined`,
      );
    }
    const rooms = await Promise.all(this.#rooms.values());
    const here = rooms.flatMap((r) => [...r.peers.values()]);
    try {
      admitPhone(this.deps.capacity, here.length, this.#measuredBps, this.deps.load.overloaded());
    } catch (err) {
      await this.deps.phones.noteRefused(showId, (err as Error).message).catch(() => undefined);
      this.emit('phones', showId);
      this.#log.warn(
        { showId, phones: here.length, bps: this.#measuredBps, load: this.deps.load.sample },
        'refused a phone: at capacity',
      );
      throw err;
    }
    const fromAddress = here.filter((p) => p.address === address);
    if (fromAddress.length >= phonesPerAddress) {
      throw new DomainError(
        'too-many-requests',
        `too many phones have joined from this address (${phonesPerAddress})`,
      );
    }
  }

  #transportOf(peer: Peer, transportId: string): ms.WebRtcTransport {
    if (!peer.transport || peer.transport.id !== transportId) {
      throw new DomainError('not-found', `unknown transport ${transportId}`);
    }
    return peer.transport;
  }

  async #roomOf(peer: Peer): Promise<Room> {
    const room = await this.#rooms.get(peer.showId);
    if (!room || room.peers.get(peer.id) !== peer)
      throw new DomainError('conflict', 'not joined to a show: join first');
    return room;
  }

  #room(show: StoredShow): Promise<Room> {
    let room = this.#rooms.get(show.id);
    if (!room) {
      room = Room.create(show, this.deps.pool.pick(), this.deps.rtc, this.#log);
      this.#rooms.set(show.id, room);
      room.then(
        (r) => r.once('closed', () => this.#onRoomClosed(r)),
        () => this.#rooms.delete(show.id),
      );
    }
    return room;
  }

  #onRoomClosed(room: Room): void {
    this.#rooms.delete(room.showId);
    this.#lastStatus.delete(room.showId);
    for (const peer of room.peers.values()) {
      this.#endTake(peer, 'disconnected', 'the media server process for this show died').catch(
        (err: Error) => this.#log.error({ err, participantId: peer.id }, 'could not end a take'),
      );
      this.emit('evicted', peer.id);
    }
    room.peers.clear();
  }
}

/** How long a node remembers the takes it finished, to store them again after a Redis failover. */
const REASSERT_WINDOW_MS = 15 * 60_000;

/** At shutdown, how long a take's last segments may take to reach the store before recovery gets them. */
const SHUTDOWN_UPLOAD_MS = 10_000;
