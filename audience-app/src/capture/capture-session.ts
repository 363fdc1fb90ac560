import { Device, type types } from 'mediasoup-client';
import type { RecordingState, ShowView } from '@showrec/protocol';
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
  /** The host's latest message to every phone. */
  message: string | null;
}

/** A capture cue without a prompt of its own still tells people what to do. */
export function promptOf(view: ShowView): ShowPrompt {
  const cue = view.cues[view.currentCueIndex];
  const prompt = cue?.prompt || (cue?.kind === 'capture' ? 'Film the stage now' : null);
  return {
    prompt: view.ended ? 'The show has ended. Thank you!' : prompt,
    message: view.lastMessage?.text ?? null,
  };
}

const deviceTokenKey = (joinCode: string) => `showrec:device:${joinCode}`;

/**
 * A phone's session in a show: joins, sends its camera over a mediasoup send transport, and
 * follows the server's recording state. Every (re)connection of the socket runs the whole setup
 * again, so a phone that drops off the venue Wi-Fi comes back as the same participant.
 */
export class CaptureSession {
  readonly #socket: AudienceSocket;
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
    private readonly onState: (state: SessionState) => void,
    private readonly onPrompt: (prompt: ShowPrompt) => void,
    private readonly onUpload: (status: string | null) => void,
  ) {
    this.#local = new LocalTakeRecorder(stream);
    this.onState({ phase: 'connecting' });
    this.#socket = connectAudienceSocket();
    this.#socket.on('connect', () => void this.#setup());
    this.#socket.on('disconnect', (reason) => {
      if (this.#closed) return;
      this.onState({ phase: 'reconnecting', showTitle: this.#showTitle });
      // The server dropped this phone's media session: connect again and rejoin.
      if (reason === 'io server disconnect') this.#socket.connect();
    });
    this.#socket.on('connect_error', () => {
      if (!this.#closed) this.onState({ phase: 'reconnecting', showTitle: this.#showTitle });
    });
    this.#socket.on('recording', (state) => this.#apply(state));
    this.#socket.on('show:state', (view) => this.onPrompt(promptOf(view)));
    this.#socket.on('upload:request', ({ takeId, offset }) => void this.#upload(takeId, offset));
  }

  close(): void {
    this.#closed = true;
    void this.#local.stop();
    this.#transport?.close();
    this.#socket.disconnect();
    void this.#wakeLock.release();
  }

  async #setup(): Promise<void> {
    try {
      const stored = localStorage.getItem(deviceTokenKey(this.joinCode));
      const joined = await request(this.#socket, 'join', {
        joinCode: this.joinCode,
        name: this.name,
        ...(stored ? { deviceToken: stored } : {}),
      });
      localStorage.setItem(deviceTokenKey(this.joinCode), joined.deviceToken);
      this.#showTitle = joined.show.title;
      this.onPrompt(promptOf(joined.view));
      if (!this.#device.loaded) {
        await this.#device.load({
          routerRtpCapabilities: joined.routerRtpCapabilities as types.RtpCapabilities,
        });
      }
      await this.#sendMedia();
      this.#apply(await request(this.#socket, 'media:ready', {}));
    } catch (err) {
      if (this.#closed) return;
      if (!this.#socket.connected) return; // the disconnect handler shows "reconnecting"
      this.onState({ phase: 'error', message: err instanceof Error ? err.message : String(err) });
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
        this.onUpload(`Sending your recording… ${Math.round(f * 100)}%`),
      );
      this.#local.forget(takeId);
      this.onUpload('Your recording was sent. Thank you!');
    } catch (err) {
      this.onUpload(`Your recording could not be sent: ${(err as Error).message}`);
    } finally {
      this.#uploading.delete(takeId);
    }
  }

  async #sendMedia(): Promise<void> {
    this.#transport?.close();
    const params = await request(this.#socket, 'transport:create', {});
    const transport = this.#device.createSendTransport(params as unknown as types.TransportOptions);
    this.#transport = transport;
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      request(this.#socket, 'transport:connect', { transportId: transport.id, dtlsParameters })
        .then(() => callback())
        .catch(errback);
    });
    transport.on('produce', ({ kind, rtpParameters }, callback, errback) => {
      request(this.#socket, 'produce', { transportId: transport.id, kind, rtpParameters })
        .then(({ producerId }) => callback({ id: producerId }))
        .catch(errback);
    });
    transport.on('connectionstatechange', (state) => {
      // ICE gave up (network changed, long outage): rebuild the whole session.
      if (state === 'failed' && !this.#closed && this.#transport === transport) {
        this.#socket.disconnect().connect();
      }
    });
    for (const track of this.stream.getTracks()) {
      await transport.produce(
        track.kind === 'video'
          ? {
              track,
              encodings: [{ maxBitrate: 2_500_000 }],
              codecOptions: { videoGoogleStartBitrate: 1000 },
              codec: preferredVideoCodec(this.#device),
              stopTracks: false,
            }
          : { track, stopTracks: false },
      );
    }
  }

  #apply(state: RecordingState): void {
    if (this.#closed) return;
    const showTitle = this.#showTitle ?? '';
    if (state.state === 'recording') {
      // Elapsed time counts on the phone's own clock from the moment it hears it is recording.
      if (this.#recording?.takeId !== state.takeId)
        this.#recording = { takeId: state.takeId, since: Date.now() };
      this.onState({ phase: 'recording', showTitle, since: this.#recording.since });
      this.#local.start(state.takeId);
      void this.#wakeLock.hold();
    } else {
      this.#recording = null;
      void this.#local.stop();
      this.onState({ phase: 'standby', showTitle });
      void this.#wakeLock.release();
    }
  }
}
