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
import { RecorderPool } from './recorder/recorder-pool.js';
import { rtcpBye } from './recorder/rtp-packet.js';
import { TakeRecorder } from './take-recorder.js';
import { udpBindings } from './udp-sockets.js';

const logger = createLogger('silent');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('TakeRecorder (real mediasoup, real recorder processes, an ffmpeg phone)', () => {
  let worker: ms.Worker;
  let router: ms.Router;
  let dir: string;
  let clip: string;
  let phone: RtpPhone;
  const processes = new ChildProcesses();
  const recorders = new RecorderPool(processes, { size: 1, logger });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'showrec-recorder-'));
    clip = path.join(dir, 'clip.webm');
    await makeClip(clip, { seconds: 4, format: 'vp8-opus-webm' });
    worker = await mediasoup.createWorker({ logLevel: 'warn' });
    router = await worker.createRouter({ mediaCodecs });
    phone = await startRtpPhone(router, clip);
  });
  afterAll(async () => {
    await recorders.close();
    await phone?.close();
    worker?.close();
  });

  /** A take's folder; with segments longer than the take, it is recorded into seg-00000.mkv. */
  const folder = async (name: string) => {
    await mkdir(path.join(dir, name), { recursive: true });
    return path.join(dir, name);
  };
  const start = async (
    name: string,
    producers = phone.producers,
    segmentSeconds = 60,
    pool = recorders,
  ) =>
    TakeRecorder.start({
      router,
      producers,
      recorders: pool,
      takeId: name,
      dir: await folder(name),
      segmentSeconds,
      logger,
    });
  const firstSegment = (name: string) => path.join(dir, name, 'seg-00000.mkv');

  it('records a phone into Matroska: VP8 + Opus, as long as the take, decodable to the end', async () => {
    const recorder = await start('whole');
    expect(recorder.codecs()).toEqual({ audio: 'opus', video: 'VP8' });
    // The take's one socket listens on loopback only: the venue network cannot reach it.
    expect(await udpBindings(recorder.port)).toEqual(['127.0.0.1']);
    // Anything else on this machine that sends to it (garbage, RTP of another source, a BYE not
    // from the show-server) neither ends the take nor gets into it.
    const stranger = createSocket('udp4');
    const junk = [Buffer.from('not rtp at all'), rtcpBye(1), Buffer.alloc(1500, 0x80)];
    for (const packet of junk) stranger.send(packet, recorder.port, '127.0.0.1');
    await sleep(5000);
    stranger.close();
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
    expect(event.failure).toMatch(
      /recorder process exited unexpectedly \(code null, signal SIGKILL\)/,
    );
    await recorder.stop();
    const decoded = await decodeFully(firstSegment('crash'));
    expect(decoded.seconds).toBeGreaterThan(1.5);
    const probed = await ffprobe(firstSegment('crash'));
    expect(probed.streams.map((s) => s.codec_name).sort()).toEqual(['opus', 'vp8']);
  });

  it('writes many takes in a recorder process; one that dies ends its own takes, not the others', async () => {
    const pair = new RecorderPool(processes, { size: 2, logger });
    try {
      // The first two go to a process each, the third to the one writing fewer: the first.
      const takes = [];
      for (const name of ['shared-a', 'shared-b', 'shared-c'])
        takes.push(await start(name, phone.producers, 60, pair));
      const [a, b, c] = takes as [TakeRecorder, TakeRecorder, TakeRecorder];
      expect(a.process).toEqual(c.process);
      expect(b.process).not.toEqual(a.process);
      const died: string[] = [];
      a.once('interrupted', () => died.push('a'));
      b.once('interrupted', () => died.push('b'));
      const cDied = new Promise((resolve) => c.once('interrupted', resolve));
      await sleep(2500);
      expect(signalExactly(a.process!, 'SIGKILL')).toBe(true);
      await cDied;
      await sleep(1000);
      await b.stop();
      expect(died).toEqual(['a']);
      for (const take of takes) await take.stop();
      // Each opens on the phone's first keyframe after its start; a and c ended at the kill.
      for (const name of ['shared-a', 'shared-c'])
        expect((await decodeFully(firstSegment(name))).seconds, name).toBeGreaterThan(0.5);
      expect((await decodeFully(firstSegment('shared-b'))).seconds).toBeGreaterThan(2.5);
      const { audio, video } = await packetTimelines(firstSegment('shared-b'));
      expect(video!.end - video!.start).toBeGreaterThan(2);
      expect(Math.abs(video!.end - audio!.end)).toBeLessThan(0.1);
    } finally {
      await pair.close();
    }
  });

  it('finishes the file (trailer, duration) when the phone has gone silent before the stop', async () => {
    const silent = await startRtpPhone(router, clip);
    try {
      const recorder = await start('silent', silent.producers);
      await sleep(2500);
      // A phone frozen mid-take: nothing more arrives, and the take still ends at once.
      silent.sender.kill('SIGSTOP');
      await sleep(1000);
      await recorder.stop();
      // Matroska's duration is written as the segment closes: a killed recorder leaves none.
      const probed = await ffprobe(firstSegment('silent'));
      expect(probed.durationSeconds).toBeGreaterThan(1.5);
      expect(probed.durationSeconds).toBeLessThan(4);
    } finally {
      silent.sender.kill('SIGCONT');
      await silent.close();
    }
  });

  it('records everything it was sent when its recorder has fallen seconds behind as the take stops', async () => {
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

  it('records a phone that sends audio alone (its camera off), in segments of its own', async () => {
    const recorder = await start(
      'audio-only',
      phone.producers.filter((p) => p.kind === 'audio'),
      2,
    );
    expect(recorder.codecs()).toEqual({ audio: 'opus', video: null });
    await sleep(3500);
    await recorder.stop();
    const listed = (await readFile(path.join(dir, 'audio-only', 'segments.csv'), 'utf8'))
      .trim()
      .split('\n');
    expect(listed.length).toBeGreaterThanOrEqual(2);
    const probed = await ffprobe(firstSegment('audio-only'));
    expect(probed.streams.map((s) => s.codec_name)).toEqual(['opus']);
    const { audio } = await packetTimelines(firstSegment('audio-only'));
    expect(audio!.end - audio!.start).toBeGreaterThan(0.9);
    expect(audio!.largestStep).toBeLessThan(0.1);
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
