import dgram from 'node:dgram';
import { childExit, sendClipAsRtp, type RtpTarget } from '@showrec/infra';

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

interface Stream {
  track: Track;
  target: RtpTarget;
  next: number;
  loop: number;
  seq: number;
}

/**
 * Every simulated phone from one process: the recorded packets replayed on each phone's own
 * schedule (paced by their RTP timestamps, looping the clip), each with the phone's SSRC, payload
 * type, sequence numbers and timestamps, from one UDP socket. It costs far less than an ffmpeg per
 * phone, so the machine measures showrec rather than the senders.
 */
export class RtpLoad {
  readonly #socket = dgram.createSocket('udp4');
  readonly #phones: Array<{ startedAt: number; streams: Stream[] }> = [];
  readonly #timer: NodeJS.Timeout;

  constructor(private readonly clip: ClipPackets) {
    this.#timer = setInterval(() => this.#tick(), 2);
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
    this.#phones.push({
      startedAt: performance.now() / 1000,
      streams: streams.map(({ track, target }) => ({ track, target, next: 0, loop: 0, seq: 0 })),
    });
  }

  close(): void {
    clearInterval(this.#timer);
    this.#socket.close();
  }

  #tick(): void {
    const now = performance.now() / 1000;
    for (const phone of this.#phones) {
      const elapsed = now - phone.startedAt;
      for (const stream of phone.streams) {
        const { packets, clockRate } = stream.track;
        while (packets[stream.next]!.at + stream.loop * this.clip.seconds <= elapsed) {
          this.#send(stream, packets[stream.next]!.bytes, clockRate);
          if (++stream.next === packets.length) {
            stream.next = 0;
            stream.loop++;
          }
        }
      }
    }
  }

  #send(stream: Stream, template: Buffer, clockRate: number): void {
    const packet = Buffer.from(template);
    packet[1] = (template[1]! & 0x80) | stream.target.payloadType;
    packet.writeUInt16BE(stream.seq++ & 0xffff, 2);
    const shift = Math.round(stream.loop * this.clip.seconds * clockRate);
    packet.writeUInt32BE((template.readUInt32BE(4) + shift) >>> 0, 4);
    packet.writeUInt32BE(stream.target.ssrc, 8);
    this.#socket.send(packet, stream.target.port, stream.target.ip);
  }
}
