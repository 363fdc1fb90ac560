/**
 * The simulated phones' sender, a process of its own (see rtp-load.ts): the bench's own work
 * (spawning a hundred recorders, reading stats) never holds up the phones, and its CPU is its own.
 *
 * Each stream replays its track on its own schedule, paced by the RTP timestamps and looping the
 * clip, from a socket connected to its target. The process runs at a higher priority than showrec
 * (rtp-load.ts): phones are devices of their own, and a sender starved by the recorders it loads
 * would measure its own lateness. A stream that still falls more than MAX_BEHIND_S behind skips
 * what it missed rather than sending it in one burst (a burst that overflows the SFU's sockets
 * makes the sender later still); the skipped packets are counted and reported, so a level where
 * the sender could not keep up says so instead of passing its loss off as showrec's.
 */
import dgram from 'node:dgram';
import type { RtpTarget } from '@showrec/infra';
import type { Track } from './rtp-load.ts';

export type SenderMessage =
  | { type: 'track'; id: number; track: Track; seconds: number }
  | { type: 'add'; streams: Array<{ track: number; target: RtpTarget }> }
  | { type: 'close' };

export interface SenderReport {
  sent: number;
  skipped: number;
}

/** A phone's network may hold back a second of its media and then deliver it at once. */
const MAX_BEHIND_S = 1;

interface Stream {
  track: Track;
  seconds: number;
  socket: dgram.Socket;
  target: RtpTarget;
  startedAt: number;
  next: number;
  loop: number;
  seq: number;
}

const tracks = new Map<number, { track: Track; seconds: number }>();
const streams: Stream[] = [];
const report: SenderReport = { sent: 0, skipped: 0 };

/** One socket per target: a bundled phone's audio and video leave from one port, as WebRTC's do. */
const sockets = new Map<string, Promise<dgram.Socket>>();

function connected(target: RtpTarget): Promise<dgram.Socket> {
  const key = `${target.ip}:${target.port}`;
  let socket = sockets.get(key);
  if (!socket) {
    const udp = dgram.createSocket('udp4');
    // A node that has closed a phone's transport before the bench stops sending answers with ICMP
    // port unreachable, which a connected socket reports as an error: the phone goes on sending,
    // as a real one would until it is told otherwise.
    udp.on('error', () => undefined);
    socket = new Promise((resolve) => udp.connect(target.port, target.ip, () => resolve(udp)));
    sockets.set(key, socket);
  }
  return socket;
}

const due = (s: Stream) => s.track.packets[s.next]!.at + s.loop * s.seconds;

function advance(s: Stream): void {
  if (++s.next < s.track.packets.length) return;
  s.next = 0;
  s.loop++;
}

function send(s: Stream): void {
  const template = s.track.packets[s.next]!.bytes;
  const packet = Buffer.from(template);
  packet[1] = (template[1]! & 0x80) | s.target.payloadType;
  packet.writeUInt16BE(s.seq++ & 0xffff, 2);
  const shift = Math.round(s.loop * s.seconds * s.track.clockRate);
  packet.writeUInt32BE((template.readUInt32BE(4) + shift) >>> 0, 4);
  packet.writeUInt32BE(s.target.ssrc, 8);
  s.socket.send(packet);
  report.sent++;
}

function tick(): void {
  const now = performance.now() / 1000;
  for (const s of streams) {
    const elapsed = now - s.startedAt;
    while (due(s) < elapsed - MAX_BEHIND_S) {
      // Sequence numbers still count what is skipped: the SFU sees it as lost.
      s.seq++;
      report.skipped++;
      advance(s);
    }
    while (due(s) <= elapsed) {
      send(s);
      advance(s);
    }
  }
}

const timer = setInterval(tick, 2);
process.on('message', (message: SenderMessage) => {
  if (message.type === 'track') {
    tracks.set(message.id, { track: message.track, seconds: message.seconds });
  } else if (message.type === 'add') {
    const startedAt = performance.now() / 1000;
    void Promise.all(
      message.streams.map(async ({ track, target }) => {
        const { track: t, seconds } = tracks.get(track)!;
        const socket = await connected(target);
        streams.push({ track: t, seconds, socket, target, startedAt, next: 0, loop: 0, seq: 0 });
      }),
    );
  } else {
    clearInterval(timer);
    for (const socket of sockets.values()) void socket.then((udp) => udp.close());
    process.send!(report, () => process.exit(0));
  }
});
// The bench stopped or died without closing: the phones go with it.
process.on('disconnect', () => process.exit(0));
