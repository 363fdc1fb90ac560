import { EventEmitter } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcesses, OwnedChild, ProcessIdentity } from '@showrec/infra/processes';
import { SEGMENT_LIST } from './segment-uploader.js';
import { boundUdpPorts, UDP_RECEIVE_BUFFER_BYTES, unreadUdpBytes } from './udp-sockets.js';

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

  static async start(
    processes: ChildProcesses,
    sdpFile: string,
    output: { dir: string; segmentSeconds: number },
    ports: number[],
  ): Promise<FfmpegRecorder> {
    // prettier-ignore
    const child = await processes.spawn(
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
    const recorder = new FfmpegRecorder(child, ports);
    try {
      await recorder.#waitUntilListening(ports);
    } catch (err) {
      await child.stop('SIGKILL');
      throw err;
    }
    return recorder;
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
   * Media sent before ffmpeg binds its ports is lost, so wait until the kernel lists every one.
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
      const bound = await boundUdpPorts();
      if (ports.every((p) => bound.has(p))) return;
      if (Date.now() > deadline)
        throw new Error(`ffmpeg did not open its RTP ports within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
