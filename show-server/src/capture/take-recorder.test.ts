import { createSocket } from 'node:dgram';
import { mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFully, ffprobe, makeClip, packetTimelines } from '@showrec/infra';
import { ChildProcesses, signalExactly } from '@showrec/infra/processes';
import { createLogger } from '../logger.js';
import { mediaCodecs } from '../sfu/media-codecs.js';
import { startRtpPhone, type RtpPhone } from '../test-support/rtp-phone.js';
import { PortAllocator } from './port-allocator.js';
import { TakeRecorder } from './take-recorder.js';
import { udpBindings } from './udp-sockets.js';

const logger = createLogger('silent');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('TakeRecorder (real mediasoup, real ffmpeg)', () => {
  let worker: ms.Worker;
  let router: ms.Router;
  let dir: string;
  let clip: string;
  let phone: RtpPhone;
  const ports = new PortAllocator(46000, 46999);
  const processes = new ChildProcesses();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'showrec-recorder-'));
    clip = path.join(dir, 'clip.webm');
    await makeClip(clip, { seconds: 4, format: 'vp8-opus-webm' });
    worker = await mediasoup.createWorker({ logLevel: 'warn' });
    router = await worker.createRouter({ mediaCodecs });
    phone = await startRtpPhone(router, clip);
  });
  afterAll(async () => {
    await phone?.close();
    worker?.close();
  });

  /** A take's folder; with segments longer than the take, it is recorded into seg-00000.mkv. */
  const folder = async (name: string) => {
    await mkdir(path.join(dir, name), { recursive: true });
    return path.join(dir, name);
  };
  const start = async (name: string, producers = phone.producers, segmentSeconds = 60) =>
    TakeRecorder.start({
      router,
      producers,
      ports,
      processes,
      dir: await folder(name),
      segmentSeconds,
      logger,
    });
  const firstSegment = (name: string) => path.join(dir, name, 'seg-00000.mkv');

  it('records a phone into Matroska: VP8 + Opus, as long as the take, decodable to the end', async () => {
    const recorder = await start('whole');
    expect(recorder.codecs()).toEqual({ audio: 'opus', video: 'VP8' });
    // ffmpeg's RTP and RTCP sockets listen on loopback only: the venue network cannot reach them.
    const sdp = await readFile(path.join(dir, 'whole', 'take.sdp'), 'utf8');
    const rtpPorts = [...sdp.matchAll(/^m=\w+ (\d+)/gm)].map((m) => Number(m[1]));
    expect(rtpPorts).toHaveLength(2);
    for (const port of rtpPorts.flatMap((p) => [p, p + 1]))
      expect(await udpBindings(port), `port ${port}`).toEqual(['127.0.0.1']);
    await sleep(5000);
    await recorder.stop();
    const file = firstSegment('whole');
    const probed = await ffprobe(file);
    expect(probed.streams.map((s) => s.codec_name).sort()).toEqual(['opus', 'vp8']);
    expect(probed.durationSeconds).toBeGreaterThan(4);
    expect(probed.durationSeconds).toBeLessThan(6);
    const decoded = await decodeFully(file);
    expect(decoded.seconds).toBeGreaterThan(4);
    // Audio and video start together and end together, on one unbroken clock each: the file
    // plays in sync from its first frame, whatever the SFU's RTCP says.
    const { audio, video } = await packetTimelines(file);
    expect(video!.firstIsKeyframe).toBe(true);
    expect(Math.abs(video!.end - audio!.end)).toBeLessThan(0.1);
    expect(video!.largestStep).toBeLessThan(0.1);
    expect(audio!.largestStep).toBeLessThan(0.1);
    const counts = recorder.rtpCounts();
    expect(counts.video!.packets).toBeGreaterThan(50);
    expect(counts.audio!.packets).toBeGreaterThan(100);
    // A stopped recorder released its ports and transports; stopping again is harmless.
    await recorder.stop();
  });

  it('cuts the take into segments on keyframes, each listed as it closes, one clock across them', async () => {
    const recorder = await start('segments', phone.producers, 2);
    await sleep(5500);
    // Listed while the take goes on, so each can be stored at once.
    const listedEarly = (await readFile(path.join(dir, 'segments', 'segments.csv'), 'utf8'))
      .trim()
      .split('\n');
    expect(listedEarly.length).toBeGreaterThanOrEqual(1);
    await sleep(2000);
    await recorder.stop();
    const listed = (await readFile(path.join(dir, 'segments', 'segments.csv'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => line.split(',')[0]);
    expect(listed.length).toBeGreaterThanOrEqual(3);
    expect(listed.slice(0, listedEarly.length)).toEqual(listedEarly.map((l) => l.split(',')[0]));
    expect((await readdir(path.join(dir, 'segments'))).filter((n) => n.startsWith('seg-'))).toEqual(
      listed,
    );
    let previousEnd = -1;
    for (const name of listed) {
      const { audio, video } = await packetTimelines(path.join(dir, 'segments', name!));
      expect(video!.firstIsKeyframe, name).toBe(true);
      if (previousEnd >= 0) expect(video!.start - previousEnd, name).toBeLessThan(0.1);
      expect(video!.start, name).toBeGreaterThan(previousEnd);
      expect(audio, name).not.toBeNull();
      previousEnd = video!.end;
    }
  });

  it('reports a recorder that dies, and the partial file it leaves still plays', async () => {
    const recorder = await start('crash');
    const interrupted = new Promise<{ reason: string; failure: string | null }>((resolve) =>
      recorder.once('interrupted', resolve),
    );
    await sleep(3500);
    expect(processes.size).toBe(1);
    expect(signalExactly(recorder.process!, 'SIGKILL')).toBe(true);
    const event = await interrupted;
    expect(processes.size).toBe(0);
    expect(event.reason).toBe('recorder-died');
    expect(event.failure).toMatch(/ffmpeg exited unexpectedly \(code null, signal SIGKILL\)/);
    await recorder.stop();
    const decoded = await decodeFully(firstSegment('crash'));
    expect(decoded.seconds).toBeGreaterThan(1.5);
    const probed = await ffprobe(firstSegment('crash'));
    expect(probed.streams.map((s) => s.codec_name).sort()).toEqual(['opus', 'vp8']);
  });

  it('starts on other ports when another process binds its pair before ffmpeg does', async () => {
    const squatter = createSocket('udp4');
    /** The allocator's check passes; then, before ffmpeg binds it, someone else takes the port. */
    class Contested extends PortAllocator {
      taken: number | null = null;
      override async reservePair(): Promise<number> {
        const port = await super.reservePair();
        if (this.taken === null) {
          this.taken = port;
          await new Promise<void>((resolve) => squatter.bind(port, '127.0.0.1', resolve));
        }
        return port;
      }
    }
    const contested = new Contested(46000, 46999);
    try {
      const recorder = await TakeRecorder.start({
        router,
        producers: phone.producers,
        ports: contested,
        processes,
        dir: await folder('contested'),
        segmentSeconds: 60,
        logger,
      });
      expect(contested.taken).not.toBeNull();
      expect(recorder.ports).not.toContain(contested.taken);
      await sleep(2500);
      await recorder.stop();
      expect((await decodeFully(firstSegment('contested'))).seconds).toBeGreaterThan(1.5);
    } finally {
      squatter.close();
    }
  });

  it('finishes the file (trailer, duration) when the phone has gone silent before the stop', async () => {
    const silent = await startRtpPhone(router, clip);
    try {
      const recorder = await start('silent', silent.producers);
      await sleep(2500);
      // A phone frozen mid-take: ffmpeg receives nothing more, so a SIGINT alone would not end it.
      silent.sender.kill('SIGSTOP');
      await sleep(1000);
      await recorder.stop();
      expect(processes.size).toBe(0);
      // Matroska's duration is written by the trailer: a killed ffmpeg leaves none.
      const probed = await ffprobe(firstSegment('silent'));
      expect(probed.durationSeconds).toBeGreaterThan(1.5);
      expect(probed.durationSeconds).toBeLessThan(4);
    } finally {
      silent.sender.kill('SIGCONT');
      await silent.close();
    }
  });

  it('records everything it was sent when ffmpeg has fallen seconds behind as the take stops', async () => {
    const recorder = await start('behind');
    await sleep(1500);
    // A recorder starved of CPU (a hundred stopping at once on a busy machine): it reads nothing
    // for 3 s before the stop and 3.5 s into it while the phone goes on sending, so its sockets
    // hold those seconds when the stop begins.
    const pid = recorder.process!.pid;
    process.kill(pid, 'SIGSTOP');
    await sleep(3000);
    const stopping = recorder.stop();
    await sleep(3500);
    process.kill(pid, 'SIGCONT');
    await stopping;
    const { audio, video } = await packetTimelines(firstSegment('behind'));
    expect(video!.end - video!.start).toBeGreaterThan(4);
    expect(Math.abs(video!.end - audio!.end)).toBeLessThan(0.1);
    expect((await decodeFully(firstSegment('behind'))).errors).toBe('');
  });

  it('records a phone that sends H.264 as H.264', async () => {
    const h264Clip = path.join(dir, 'clip-h264.mkv');
    await makeClip(h264Clip, { seconds: 4, format: 'h264-opus-mkv' });
    const h264Phone = await startRtpPhone(router, h264Clip, 'h264');
    try {
      const recorder = await start('h264', h264Phone.producers);
      expect(recorder.codecs()).toEqual({ audio: 'opus', video: 'H264' });
      await sleep(4000);
      await recorder.stop();
      const probed = await ffprobe(firstSegment('h264'));
      expect(probed.streams.map((s) => s.codec_name).sort()).toEqual(['h264', 'opus']);
      expect(probed.streams.find((s) => s.codec_type === 'video')).toMatchObject({
        width: 640,
        height: 360,
      });
      expect((await decodeFully(firstSegment('h264'))).seconds).toBeGreaterThan(2.5);
    } finally {
      await h264Phone.close();
    }
  });
});
