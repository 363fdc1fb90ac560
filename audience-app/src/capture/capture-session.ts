import { Device, type types } from 'mediasoup-client';
import {
  simulcastLayers,
  TOP_LAYER,
  type NodeRef,
  type RecordingState,
  type ShowView,
} from '@showrec/protocol';
import { LocalTakeRecorder } from './local-recorder.js';
import { preferredVideoCodec } from './preferred-codec.js';
import { uploadTakeCopy } from './take-uploader.js';
import { connectAudienceSocket, request, type AudienceSocket } from './signalling.js';
import { ScreenWakeLock } from './wake-lock.js';

export type SessionState =
  | { phase: 'connecting' }
  | { phase: 'standby'; showTitle: string }
  | { phase: 'recording'; showTitle: string; since: number }
  | { phase: 'reconnecting'; showTitle: string | null }
  | { phase: 'error'; message: string };

/** What the show asks of this phone right now. */
export interface ShowPrompt {
  /** The live cue's prompt, e.g. "Turn around and film the audience". */
  prompt: string | null;
  /** The show is over: the phone's RECords are to be found under "Your RECords". */
  ended: boolean;
  /** The host's latest message to every phone. */
  message: string | null;
}

/** A capture cue without a prompt of its own still tells people what to do. */
export function promptOf(view: ShowView): ShowPrompt {
  const cue = view.cues[view.currentCueIndex];
  const prompt = cue?.prompt || (cue?.kind === 'capture' ? 'Film the stage now' : null);
  return {
    prompt: view.ended ? 'The show has ended. Thank you!' : prompt,
    ended: view.ended,
    message: view.lastMessage?.text ?? null,
  };
}

/** What the session tells the page. */
export interface SessionListeners {
  onState: (state: SessionState) => void;
  onPrompt: (prompt: ShowPrompt) => void;
  onUpload: (status: string | null) => void;
  /** The phone is on the stage now, or no longer. */
  onScreen: (onScreen: boolean) => void;
}

/** Where the phone keeps whether it may be shown on the big screen (for every show). */
export const showOnStageKey = 'showrec:show-on-stage';

/**
 * The phone's video in three layers (simulcast), so the stage and control panel can show it at
 * the size they need while the recorder takes the top one. Every layer has three frame-rate
 * layers (L1T3) where the codec has them. H.264 encoders in some browsers send one layer only.
 */
export function videoEncodings(
  codec: types.RtpCodecCapability | undefined,
): types.RtpEncodingParameters[] {
  if (codec?.mimeType.toLowerCase() === 'video/h264') return [{ maxBitrate: TOP_LAYER.maxBitrate }];
  return simulcastLayers.map((layer) => ({ ...layer, scalabilityMode: 'L1T3' }));
}

/**
 * A browser short of CPU lowers the camera's resolution by default, and with it every layer: the
 * 720p one the recorder keeps is gone for the rest of the take (a phone that stays hot never
 * gives it back). Dropping frames instead keeps the take and the stage at 720p.
 */
async function keepResolution(sender: RTCRtpSender | undefined): Promise<void> {
  if (!sender) return;
  const parameters = sender.getParameters() as RTCRtpSendParameters & {
    degradationPreference?: string;
  };
  parameters.degradationPreference = 'maintain-resolution';
  // A browser that does not know the setting keeps its own: the phone still records.
  await sender.setParameters(parameters).catch(() => undefined);
}

/** Where the phone keeps its device token for a show (the claim page writes it too). */
export const deviceTokenKey = (joinCode: string) => `showrec:device:${joinCode}`;

/** Failed connection attempts before a phone gives up on a node and asks to be placed again. */
const NODE_ATTEMPTS = 2;

/**
 * A phone's session in a show: joins, sends its camera over a mediasoup send transport, and
 * follows the server's recording state. Every (re)connection of the socket runs the whole setup
 * again, so a phone that drops off the venue Wi-Fi comes back as the same participant.
 *
 * With several show-server nodes the page's own server may place the phone on another node: it
 * connects there and joins again. A phone that loses its node (it died, or drains and asks the
 * phone to move) goes back to the page's server to be placed again, telling it which node it
 * could not reach; if that server is gone too it tries the other nodes it last heard of.
 */
export class CaptureSession {
  #socket: AudienceSocket;
  /** The node the socket is connected to; null: the server that served this page. */
  #target: NodeRef | null = null;
  /** The node that placed this phone on `#target` (the join then stays there). */
  #placed = false;
  /** The other nodes, as of the last join. */
  #fallbacks: NodeRef[] = [];
  readonly #unreachable = new Set<string>();
  #failures = 0;
  readonly #device = new Device();
  readonly #wakeLock = new ScreenWakeLock();
  readonly #local: LocalTakeRecorder;
  readonly #uploading = new Set<string>();
  #transport: types.Transport | null = null;
  #showTitle: string | null = null;
  #recording: { takeId: string; since: number } | null = null;
  #closed = false;

  constructor(
    private readonly joinCode: string,
    private readonly name: string,
    private readonly stream: MediaStream,
    private readonly listeners: SessionListeners,
    /** It may be put on the big screen. */
    private showOnStage: boolean,
  ) {
    this.#local = new LocalTakeRecorder(stream, joinCode, () =>
      this.listeners.onUpload(
        'This phone’s storage is full: your recording goes on over the network only, without a copy on the phone.',
      ),
    );
    this.listeners.onState({ phase: 'connecting' });
    this.#socket = this.#connect(null);
  }

  #connect(target: NodeRef | null): AudienceSocket {
    const socket = connectAudienceSocket(target?.url);
    const current = () => !this.#closed && socket === this.#socket;
    socket.on('connect', () => {
      this.#failures = 0;
      void this.#setup(socket);
    });
    socket.on('disconnect', (reason) => {
      if (!current()) return;
      this.listeners.onState({ phase: 'reconnecting', showTitle: this.#showTitle });
      // The server dropped this phone's media session: connect again and rejoin.
      if (reason === 'io server disconnect') socket.connect();
    });
    socket.on('connect_error', () => {
      if (!current()) return;
      this.listeners.onState({ phase: 'reconnecting', showTitle: this.#showTitle });
      this.#failures += 1;
      this.#fallBack();
    });
    socket.on('recording', (state) => current() && this.#apply(state));
    socket.on('show:state', (view) => current() && this.listeners.onPrompt(promptOf(view)));
    socket.on('upload:request', ({ takeId, offset }) => void this.#upload(takeId, offset));
    socket.on('node:move', () => current() && this.#switchTo(null, false));
    socket.on('screen', ({ onScreen }) => current() && this.listeners.onScreen(onScreen));
    return socket;
  }

  /** Connects to another node (null: the page's server), dropping the current socket. */
  #switchTo(target: NodeRef | null, placed: boolean): void {
    const old = this.#socket;
    this.#target = target;
    this.#placed = placed;
    this.#failures = 0;
    this.#socket = this.#connect(target);
    old.disconnect();
  }

  /** The node does not answer: back to the page's server, or, if that is gone, another node. */
  #fallBack(): void {
    if (this.#failures < NODE_ATTEMPTS) return;
    if (this.#target) {
      this.#unreachable.add(this.#target.id);
      this.#switchTo(null, false);
      return;
    }
    const next = this.#fallbacks.find((n) => !this.#unreachable.has(n.id));
    if (next) this.#switchTo(next, false);
  }

  /** The phone says whether it may be shown on the big screen: now, and at every later join. */
  async setShowOnStage(showOnStage: boolean): Promise<void> {
    this.showOnStage = showOnStage;
    if (!showOnStage) this.listeners.onScreen(false);
    if (this.#socket.connected) await request(this.#socket, 'consent', { showOnStage });
  }

  close(): void {
    this.#closed = true;
    void this.#local.stop();
    this.#transport?.close();
    this.#socket.disconnect();
    void this.#wakeLock.release();
  }

  async #setup(socket: AudienceSocket): Promise<void> {
    try {
      const stored = localStorage.getItem(deviceTokenKey(this.joinCode));
      const answer = await request(socket, 'join', {
        joinCode: this.joinCode,
        name: this.name,
        showOnStage: this.showOnStage,
        ...(stored ? { deviceToken: stored } : {}),
        ...(this.#placed && this.#target ? { node: this.#target.id } : {}),
        ...(this.#unreachable.size > 0 ? { unreachable: [...this.#unreachable] } : {}),
      });
      if ('moveTo' in answer) {
        this.#switchTo(answer.moveTo, true);
        return;
      }
      const joined = answer;
      this.#unreachable.clear();
      this.#fallbacks = joined.nodes;
      localStorage.setItem(deviceTokenKey(this.joinCode), joined.deviceToken);
      this.#showTitle = joined.show.title;
      this.listeners.onPrompt(promptOf(joined.view));
      if (!this.#device.loaded) {
        await this.#device.load({
          routerRtpCapabilities: joined.routerRtpCapabilities as types.RtpCapabilities,
        });
      }
      await this.#sendMedia(socket);
      this.#apply(await request(socket, 'media:ready', {}));
    } catch (err) {
      if (this.#closed || socket !== this.#socket) return;
      if (!socket.connected) return; // the disconnect handler shows "reconnecting"
      this.listeners.onState({
        phase: 'error',
        message: err instanceof Error ? err.message : String(err),
      });
    }
  }

  /** The server asks for this phone's own copy of a take: its copy was cut or lossy. */
  async #upload(takeId: string, offset: number): Promise<void> {
    if (this.#uploading.has(takeId)) return;
    const copy = await this.#local.copyOf(takeId);
    const deviceToken = localStorage.getItem(deviceTokenKey(this.joinCode));
    if (!copy || !deviceToken) return;
    this.#uploading.add(takeId);
    try {
      await uploadTakeCopy(takeId, copy, offset, deviceToken, (f) =>
        this.listeners.onUpload(`Sending your recording… ${Math.round(f * 100)}%`),
      );
      await this.#local.forget(takeId);
      this.listeners.onUpload('Your recording was sent. Thank you!');
    } catch (err) {
      this.listeners.onUpload(`Your recording could not be sent: ${(err as Error).message}`);
    } finally {
      this.#uploading.delete(takeId);
    }
  }

  async #sendMedia(socket: AudienceSocket): Promise<void> {
    this.#transport?.close();
    const params = await request(socket, 'transport:create', {});
    const transport = this.#device.createSendTransport(params as unknown as types.TransportOptions);
    this.#transport = transport;
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      request(socket, 'transport:connect', { transportId: transport.id, dtlsParameters })
        .then(() => callback())
        .catch(errback);
    });
    transport.on('produce', ({ kind, rtpParameters }, callback, errback) => {
      request(socket, 'produce', { transportId: transport.id, kind, rtpParameters })
        .then(({ producerId }) => callback({ id: producerId }))
        .catch(errback);
    });
    transport.on('connectionstatechange', (state) => {
      // ICE gave up (network changed, long outage): rebuild the whole session.
      if (state === 'failed' && !this.#closed && this.#transport === transport) {
        socket.disconnect().connect();
      }
    });
    for (const track of this.stream.getTracks()) {
      const codec = track.kind === 'video' ? preferredVideoCodec(this.#device) : undefined;
      const producer = await transport.produce(
        track.kind === 'video'
          ? {
              track,
              encodings: videoEncodings(codec),
              // Enough from the first second for all three layers: the recorder takes the top one (720p).
              codecOptions: { videoGoogleStartBitrate: 1500 },
              codec,
              stopTracks: false,
            }
          : { track, stopTracks: false },
      );
      if (track.kind === 'video') await keepResolution(producer.rtpSender);
    }
  }

  #apply(state: RecordingState): void {
    if (this.#closed) return;
    const showTitle = this.#showTitle ?? '';
    if (state.state === 'recording') {
      // Elapsed time counts on the phone's own clock from the moment it hears it is recording.
      if (this.#recording?.takeId !== state.takeId)
        this.#recording = { takeId: state.takeId, since: Date.now() };
      this.listeners.onState({ phase: 'recording', showTitle, since: this.#recording.since });
      this.#local.start(state.takeId);
      void this.#wakeLock.hold();
    } else {
      this.#recording = null;
      void this.#local.stop();
      this.listeners.onState({ phase: 'standby', showTitle });
      void this.#wakeLock.release();
    }
  }
}
