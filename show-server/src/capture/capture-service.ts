import { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { types as ms } from 'mediasoup';
import type {
  JoinPayload,
  JoinResult,
  RecordingState,
  StoredShow,
  TakeEndReason,
  TransportCreated,
} from '@showrec/protocol';
import type { Logger } from '../logger.js';
import { newId, newSecret } from '../shows/secrets.js';
import type { ShowStore } from '../shows/show-store.js';
import type { WorkerPool } from '../sfu/worker-pool.js';
import { Peer } from './peer.js';
import type { PortAllocator } from './port-allocator.js';
import { Room, type RtcSettings } from './room.js';
import type { TakeStore } from './take-store.js';
import { TakeRecorder } from './take-recorder.js';

export class CaptureError extends Error {}

export interface CaptureServiceDeps {
  shows: ShowStore;
  takes: TakeStore;
  /** Hands a finished take to the media-worker (see queue/take-queue.ts). */
  enqueueTake: (takeId: string) => Promise<void>;
  pool: WorkerPool;
  ports: PortAllocator;
  rtc: RtcSettings;
  dataDir: string;
  logger: Logger;
}

export interface CaptureServiceEvents {
  /** A phone's recording state changed. */
  recording: [participantId: string, state: RecordingState];
  /** A phone lost its media session on the server (its room closed) and must join again. */
  evicted: [participantId: string];
}

/**
 * Live capture for every show this process hosts: phones join rooms, produce media, and while a
 * show's capture runs each ready phone is recorded as a take. Every take's manifest is stored
 * before recording starts; every ending (stop, leave, drop, recorder crash, shutdown) completes
 * the manifest and enqueues the take for filing.
 */
export class CaptureService extends EventEmitter<CaptureServiceEvents> {
  readonly #rooms = new Map<string, Promise<Room>>();
  readonly #finishing = new Set<Promise<void>>();
  readonly #log: Logger;

  constructor(private readonly deps: CaptureServiceDeps) {
    super();
    this.#log = deps.logger.child({ component: 'capture' });
  }

  async join(payload: JoinPayload): Promise<{ peer: Peer; result: JoinResult }> {
    const show = await this.deps.shows.findByJoinCode(payload.joinCode);
    if (!show) throw new CaptureError(`no show has the join code ${payload.joinCode}`);
    const deviceToken = payload.deviceToken ?? newSecret();
    const participantId = await this.deps.shows.participantForDevice(show.id, deviceToken, newId());
    const room = await this.#room(show);
    const previous = room.peers.get(participantId);
    if (previous) await this.leave(previous, 'disconnected');
    const peer = new Peer(participantId, payload.name, show.id);
    room.peers.set(participantId, peer);
    this.#log.info({ showId: show.id, participantId, name: payload.name }, 'phone joined');
    return {
      peer,
      result: {
        participantId,
        deviceToken,
        show: { id: show.id, title: show.title, joinCode: show.joinCode },
        routerRtpCapabilities: room.router.rtpCapabilities as Record<string, unknown>,
        recording: { state: 'standby' },
      },
    };
  }

  async createSendTransport(peer: Peer): Promise<TransportCreated> {
    const room = await this.#roomOf(peer);
    peer.closeMedia();
    const transport = await room.createSendTransport();
    peer.transport = transport;
    return {
      id: transport.id,
      iceParameters: transport.iceParameters as unknown as Record<string, unknown>,
      iceCandidates: transport.iceCandidates as unknown as Record<string, unknown>[],
      dtlsParameters: transport.dtlsParameters as unknown as Record<string, unknown>,
    };
  }

  async connectTransport(
    peer: Peer,
    transportId: string,
    dtlsParameters: Record<string, unknown>,
  ): Promise<void> {
    const transport = this.#transportOf(peer, transportId);
    await transport.connect({ dtlsParameters: dtlsParameters as unknown as ms.DtlsParameters });
  }

  async produce(
    peer: Peer,
    transportId: string,
    kind: 'audio' | 'video',
    rtpParameters: Record<string, unknown>,
  ): Promise<string> {
    const transport = this.#transportOf(peer, transportId);
    if (peer.producers.has(kind)) throw new CaptureError(`this phone already sends ${kind}`);
    const producer = await transport.produce({
      kind,
      rtpParameters: rtpParameters as unknown as ms.RtpParameters,
    });
    peer.producers.set(kind, producer);
    producer.on('transportclose', () => peer.producers.delete(kind));
    return producer.id;
  }

  /** The phone sends everything it will send; record it now if capture is running. */
  async mediaReady(peer: Peer): Promise<RecordingState> {
    if (peer.producers.size === 0)
      throw new CaptureError('nothing is being sent yet: produce audio or video first');
    const room = await this.#roomOf(peer);
    peer.mediaReady = true;
    if (room.captureRunning) await this.#startTake(room, peer);
    return this.#stateOf(peer);
  }

  async leave(peer: Peer, reason: 'left' | 'disconnected'): Promise<void> {
    const room = await this.#rooms.get(peer.showId);
    if (!room || room.peers.get(peer.id) !== peer) return;
    room.peers.delete(peer.id);
    await this.#endTake(peer, reason, null);
    peer.closeMedia();
    this.#log.info({ showId: peer.showId, participantId: peer.id, reason }, 'phone left');
  }

  async startCapture(showId: string): Promise<string[]> {
    await this.deps.shows.setCapture(showId, true);
    const room = await this.#rooms.get(showId);
    if (!room) return [];
    room.captureRunning = true;
    const ready = [...room.peers.values()].filter((p) => p.mediaReady);
    await Promise.all(ready.map((peer) => this.#startTake(room, peer)));
    return ready.flatMap((p) => (p.take ? [p.take.manifest.id] : []));
  }

  async stopCapture(showId: string): Promise<string[]> {
    await this.deps.shows.setCapture(showId, false);
    const room = await this.#rooms.get(showId);
    if (!room) return [];
    room.captureRunning = false;
    const recording = [...room.peers.values()].filter((p) => p.take);
    const takeIds = recording.map((p) => p.take!.manifest.id);
    await Promise.all(recording.map((peer) => this.#endTake(peer, 'stopped', null)));
    return takeIds;
  }

  /** Ends every take (their files are finalized and enqueued) and closes every room. */
  async shutdown(): Promise<void> {
    const rooms = await Promise.all(this.#rooms.values());
    await Promise.all(
      rooms.flatMap((room) =>
        [...room.peers.values()].map((p) => this.#endTake(p, 'shutdown', null)),
      ),
    );
    await Promise.all(this.#finishing);
    for (const room of rooms) room.close();
  }

  async #startTake(room: Room, peer: Peer): Promise<void> {
    if (peer.take || peer.startingTake || room.closed) return;
    peer.startingTake = true;
    const takeId = newId();
    const file = path.join('takes', room.showId, `${takeId}.mkv`);
    const manifest = {
      id: takeId,
      showId: room.showId,
      cueId: null,
      participant: { id: peer.id, name: peer.name },
      status: 'recording' as const,
      startedAt: Date.now(),
      endedAt: null,
      endReason: null,
      file,
      codecs: { audio: null, video: null },
      rtp: { audio: null, video: null },
      failure: null,
    };
    const log = this.#log.child({ showId: room.showId, participantId: peer.id, takeId });
    try {
      await mkdir(path.join(this.deps.dataDir, 'takes', room.showId), { recursive: true });
      await this.deps.takes.save(manifest);
      const recorder = await TakeRecorder.start({
        router: room.router,
        producers: [...peer.producers.values()],
        ports: this.deps.ports,
        sdpFile: path.join(this.deps.dataDir, 'takes', room.showId, `${takeId}.sdp`),
        outputFile: path.join(this.deps.dataDir, file),
        logger: log,
      });
      peer.take = { manifest: { ...manifest, codecs: recorder.codecs() }, recorder };
      recorder.on(
        'interrupted',
        ({ reason, failure }) => void this.#onInterrupted(room, peer, reason, failure),
      );
      this.emit('recording', peer.id, this.#stateOf(peer));
      // The phone left, or capture stopped, while the recorder was starting.
      if (room.peers.get(peer.id) !== peer || !room.captureRunning) {
        await this.#endTake(peer, room.captureRunning ? 'disconnected' : 'stopped', null);
      }
    } catch (err) {
      const failure = `the recorder could not start: ${err instanceof Error ? err.message : String(err)}`;
      log.error({ err }, failure);
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
    if (room.captureRunning && room.peers.get(peer.id) === peer && peer.mediaReady) {
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
    const done = (async () => {
      await take.recorder.stop();
      await this.#finish({
        ...take.manifest,
        status: failure ? 'failed' : 'ended',
        endedAt: Date.now(),
        endReason: reason,
        rtp: take.recorder.rtpCounts(),
        failure,
      });
      this.emit('recording', peer.id, this.#stateOf(peer));
    })();
    this.#finishing.add(done);
    try {
      await done;
    } finally {
      this.#finishing.delete(done);
    }
  }

  /** Completes the manifest and hands the take to the worker, failed or not: a partial file is still worth filing. */
  async #finish(manifest: Parameters<TakeStore['save']>[0]): Promise<void> {
    await this.deps.takes.save(manifest);
    await this.deps.enqueueTake(manifest.id);
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

  #stateOf(peer: Peer): RecordingState {
    return peer.take
      ? {
          state: 'recording',
          takeId: peer.take.manifest.id,
          startedAt: peer.take.manifest.startedAt,
        }
      : { state: 'standby' };
  }

  #transportOf(peer: Peer, transportId: string): ms.WebRtcTransport {
    if (!peer.transport || peer.transport.id !== transportId) {
      throw new CaptureError(`unknown transport ${transportId}`);
    }
    return peer.transport;
  }

  async #roomOf(peer: Peer): Promise<Room> {
    const room = await this.#rooms.get(peer.showId);
    if (!room || room.peers.get(peer.id) !== peer)
      throw new CaptureError('not joined to a show: join first');
    return room;
  }

  #room(show: StoredShow): Promise<Room> {
    let room = this.#rooms.get(show.id);
    if (!room) {
      room = Room.create(
        show.id,
        this.deps.pool.pick(),
        this.deps.rtc,
        show.capture.running,
        this.#log,
      );
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
    for (const peer of room.peers.values()) {
      void this.#endTake(peer, 'disconnected', 'the media server process for this show died');
      this.emit('evicted', peer.id);
    }
    room.peers.clear();
  }
}
