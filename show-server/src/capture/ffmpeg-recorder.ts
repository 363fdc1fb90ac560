import { EventEmitter } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import type { ChildProcesses, OwnedChild, ProcessIdentity } from '@showrec/infra/processes';
import { SEGMENT_LIST } from './segment-uploader.js';
import { socketsHeldBy, UDP_RECEIVE_BUFFER_BYTES, unreadUdpBytes } from './udp-sockets.js';

/**
 * Recorders whose ffmpeg is starting (spawned, not yet listening), two per core at most. Node's
 * spawn blocks the event loop until the child has exec'd, and each ffmpeg costs 0.15 s of CPU to
 * load (215 shared libraries): a capture cue spawning a hundred at once held the loop for ten
 * seconds and more, no consumer was resumed meanwhile, and ffmpegs that got nothing for 10 s gave
 * up (their SDP input's fixed timeout). A few at a time, each is fed as soon as it listens, and
 * the SFU keeps its share of the cores while the rest wait their turn.
 */
const starting = pLimit(2 * os.availableParallelism());

/** Another process bound one of the ports ffmpeg was given before ffmpeg could. */
export class PortsTakenError extends Error {
  override readonly name = 'PortsTakenError';
}

export interface FfmpegRecorderEvents {
  /** ffmpeg is gone; `expected` is false when it died on its own. */
  exit: [
    { expected: boolean; code: number | null; signal: NodeJS.Signals | null; stderrTail: string },
  ];
}

/**
 * One ffmpeg that reads RTP described by an SDP file and copies it, untouched, into Matroska
 * segments of about `segmentSeconds` (each opens on a video keyframe and keeps the recording's
 * timestamps), adding a line to SEGMENT_LIST as each closes, so that it can be stored at once.
 * Matroska is written cluster by cluster (at most one second each) and flushed to disk as it
 * goes, so a crash or a kill leaves a playable segment holding everything up to the last second.
 */
export class FfmpegRecorder extends EventEmitter<FfmpegRecorderEvents> {
  readonly #child: OwnedChild;
  /** Its RTP ports (each with its RTCP port above it). */
  readonly #ports: number[];
  #stopping = false;
  #stderr = '';

  private constructor(child: OwnedChild, ports: number[]) {
    super();
    this.#child = child;
    this.#ports = ports;
    child.process.stderr!.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-4000);
    });
    void child.exited.then(({ code, signal }) =>
      this.emit('exit', {
        expected: this.#stopping,
        code,
        signal,
        stderrTail: this.#stderr.trim(),
      }),
    );
  }

  static start(
    processes: ChildProcesses,
    sdpFile: string,
    output: { dir: string; segmentSeconds: number },
    ports: number[],
  ): Promise<FfmpegRecorder> {
    return starting(async () => {
      const child = await FfmpegRecorder.#spawn(processes, sdpFile, output);
      const recorder = new FfmpegRecorder(child, ports);
      try {
        await recorder.#waitUntilListening(ports);
      } catch (err) {
        await child.stop('SIGKILL');
        throw err;
      }
      return recorder;
    });
  }

  static #spawn(
    processes: ChildProcesses,
    sdpFile: string,
    output: { dir: string; segmentSeconds: number },
  ): Promise<OwnedChild> {
    // prettier-ignore
    return processes.spawn(
      process.env.FFMPEG_PATH ?? 'ffmpeg',
      [
        '-hide_banner', '-nostdin', '-loglevel', 'warning',
        '-protocol_whitelist', 'file,udp,rtp',
        '-fflags', '+genpts',
        // Loopback only: nobody on the venue network can reach the ports and inject packets.
        '-localaddr', '127.0.0.1',
        // A busy ffmpeg can fall a second behind; its own default buffer (128 kB) holds 0.4 s.
        '-buffer_size', String(UDP_RECEIVE_BUFFER_BYTES),
        '-i', sdpFile,
        '-map', '0', '-c', 'copy',
        '-f', 'segment', '-segment_time', String(output.segmentSeconds),
        // The recorder asks the phone for a keyframe at each boundary; one arriving up to a second
        // early still starts the next segment.
        '-segment_time_delta', '1', '-reset_timestamps', '0',
        '-segment_format', 'matroska',
        '-segment_format_options', 'cluster_time_limit=1000:flush_packets=1',
        '-segment_list', path.join(output.dir, SEGMENT_LIST), '-segment_list_type', 'csv',
        '-y', path.join(output.dir, 'seg-%05d.mkv'),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  }

  get identity(): ProcessIdentity | null {
    return this.#child.identity;
  }

  /**
   * `endInput` sends an RTCP BYE down each stream's RTP socket (ffmpeg's RTP demuxer reads RTCP
   * there too). Queued behind what ffmpeg has not read yet, it ends the input only after the last
   * packet the SFU sent: ffmpeg reads a stream's RTCP socket before its RTP one, so a BYE there
   * would overtake the seconds of media a recorder starved of CPU still holds. ffmpeg then writes
   * its trailer and closes the file. The wait lasts as long as ffmpeg keeps reading; the BYEs go
   * again once its sockets are empty (a full socket drops what arrives). One that reads nothing
   * for `stallMs` is hung: SIGINT, SIGKILL if that fails too. Every way leaves a playable file.
   * Returns what was left unread in its sockets: 0 unless it had to be stopped.
   */
  async stop(endInput: () => Promise<unknown>, stallMs = 5000): Promise<number> {
    this.#stopping = true;
    let exited = false;
    const exit = this.#child.exited.then(() => (exited = true));
    await endInput();
    let unread = Infinity;
    let progressAt = Date.now();
    let endedAgainAt = Date.now();
    while (!exited) {
      const now = await unreadUdpBytes(this.#ports);
      if (now < unread) [unread, progressAt] = [now, Date.now()];
      if (now === 0 && Date.now() - endedAgainAt > 500) {
        endedAgainAt = Date.now();
        await endInput();
      }
      if (Date.now() - progressAt > stallMs) break;
      await Promise.race([exit, sleep(100, undefined, { ref: false })]);
    }
    if (exited) return 0;
    await this.#child.stop('SIGINT', 5000);
    return unread;
  }

  /**
   * Media sent before ffmpeg binds its ports is lost, so wait until it has: ffmpeg opens an RTP
   * and then an RTCP socket for each stream, binding each to its port as it opens it (or exiting
   * if the port is taken), so once it holds two sockets a stream every RTP port is bound. Read
   * from ffmpeg's own file descriptors: the kernel's UDP table takes 0.4 s a read with a hundred
   * takes' sockets in it, and ffmpeg gives up on an input that sends nothing for 10 s.
   * Patient: on a loaded machine (a capture cue starting many recorders at once beside the phones'
   * own encoders) ffmpeg has taken over 5 s to start, and giving up costs the whole take.
   */
  async #waitUntilListening(ports: number[], timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.#child.process.exitCode !== null) {
        const said = this.#stderr.trim();
        throw said.includes('Address already in use')
          ? new PortsTakenError(`ffmpeg could not bind its RTP ports: ${said}`)
          : new Error(`ffmpeg exited at start: ${said}`);
      }
      const sockets = await socketsHeldBy(this.#child.process.pid!).catch(() => []);
      if (sockets.length >= 2 * ports.length) return;
      if (Date.now() > deadline)
        throw new Error(`ffmpeg did not open its RTP ports within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
