import { fork, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import os from 'node:os';
import path from 'node:path';
import { childExit, sendClipAsRtp, type RtpTarget } from '@showrec/infra';
import type { SenderMessage, SenderReport } from './rtp-sender.ts';

interface Packet {
  /** Seconds from the clip's start, from its RTP timestamp. */
  at: number;
  bytes: Buffer;
}

export interface Track {
  packets: Packet[];
  clockRate: number;
}

/** One pass of a clip as ffmpeg packetizes it: what every simulated phone then sends. */
export interface ClipPackets {
  video: Track;
  audio: Track;
  seconds: number;
}

const VIDEO_PT = 101;
const AUDIO_PT = 100;

/**
 * Records the RTP packets ffmpeg makes of `clip` (one pass, in real time, stream copy), so that
 * one process can replay them for every phone.
 */
export async function recordClipPackets(clip: string, seconds: number): Promise<ClipPackets> {
  const sockets = await Promise.all(
    [0, 1].map(
      () =>
        new Promise<dgram.Socket>((resolve) => {
          const socket = dgram.createSocket('udp4');
          socket.bind(0, '127.0.0.1', () => resolve(socket));
        }),
    ),
  );
  const received: Buffer[][] = [[], []];
  sockets.forEach((socket, i) => socket.on('message', (m) => received[i]!.push(m)));
  const target = (socket: dgram.Socket, payloadType: number): RtpTarget => ({
    ip: '127.0.0.1',
    port: socket.address().port,
    payloadType,
    ssrc: 1,
  });
  const sender = sendClipAsRtp(
    clip,
    target(sockets[0]!, VIDEO_PT),
    target(sockets[1]!, AUDIO_PT),
    false,
  );
  await childExit(sender);
  await new Promise((r) => setTimeout(r, 200));
  for (const socket of sockets) socket.close();
  const track = (packets: Buffer[], payloadType: number, clockRate: number): Track => {
    // RTCP shares the port: keep the RTP of this payload type only.
    const rtp = packets.filter((p) => p.length > 12 && (p[1]! & 0x7f) === payloadType);
    const first = rtp[0]!.readUInt32BE(4);
    return {
      clockRate,
      packets: rtp.map((bytes) => ({
        at: ((bytes.readUInt32BE(4) - first) >>> 0) / clockRate,
        bytes,
      })),
    };
  };
  return {
    video: track(received[0]!, VIDEO_PT, 90_000),
    audio: track(received[1]!, AUDIO_PT, 48_000),
    seconds,
  };
}

/**
 * Every simulated phone from one process of its own (rtp-sender.ts): the recorded packets
 * replayed on each phone's own schedule (paced by their RTP timestamps, looping the clip), each
 * with the phone's SSRC, payload type, sequence numbers and timestamps. It costs far less than an
 * ffmpeg per phone, so the machine measures showrec rather than the senders; `pid` is its process,
 * for its CPU.
 */
export class RtpLoad {
  readonly #child: ChildProcess;
  readonly #tracks = new Map<Track, number>();
  readonly #report: Promise<SenderReport>;

  constructor(private readonly clip: ClipPackets) {
    this.#child = fork(path.join(import.meta.dirname, 'rtp-sender.ts'), {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    // Above the recorders and mediasoup workers it loads: see rtp-sender.ts.
    os.setPriority(this.#child.pid!, -5);
    this.#report = new Promise((resolve, reject) => {
      this.#child.once('message', (report: SenderReport) => resolve(report));
      this.#child.once('exit', (code) => reject(new Error(`the RTP sender exited (${code})`)));
    });
    this.#report.catch(() => undefined);
  }

  get pid(): number {
    return this.#child.pid!;
  }

  /** A phone starts sending now (video target first, then audio). */
  add(targets: [RtpTarget, RtpTarget]): void {
    const [video, audio] = targets;
    this.addStreams([
      { track: this.clip.video, target: video },
      { track: this.clip.audio, target: audio },
    ]);
  }

  /** A phone starts sending these tracks now (a simulcast phone: a video track per layer). */
  addStreams(streams: Array<{ track: Track; target: RtpTarget }>): void {
    const ids = streams.map(({ track }) => {
      let id = this.#tracks.get(track);
      if (id === undefined) {
        id = this.#tracks.size;
        this.#tracks.set(track, id);
        this.#send({ type: 'track', id, track, seconds: this.clip.seconds });
      }
      return id;
    });
    this.#send({
      type: 'add',
      streams: streams.map(({ target }, i) => ({ track: ids[i]!, target })),
    });
  }

  /** Stops every phone; what the sender sent, and what it skipped because it fell behind. */
  close(): Promise<SenderReport> {
    this.#send({ type: 'close' });
    return this.#report;
  }

  #send(message: SenderMessage): void {
    this.#child.send(message);
  }
}
