import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { udpPortFree } from './port-allocator.js';

export interface FfmpegRecorderEvents {
  /** ffmpeg is gone; `expected` is false when it died on its own. */
  exit: [
    { expected: boolean; code: number | null; signal: NodeJS.Signals | null; stderrTail: string },
  ];
}

/**
 * One ffmpeg that reads RTP described by an SDP file and copies it, untouched, into Matroska.
 * Matroska is written cluster by cluster (at most one second each) and flushed to disk as it
 * goes, so a crash or a kill leaves a playable file holding everything up to the last second.
 */
export class FfmpegRecorder extends EventEmitter<FfmpegRecorderEvents> {
  readonly #child: ChildProcess;
  #stopping = false;
  #stderr = '';
  readonly #exited: Promise<void>;

  private constructor(child: ChildProcess) {
    super();
    this.#child = child;
    child.stderr!.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-4000);
    });
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.emit('exit', {
          expected: this.#stopping,
          code,
          signal,
          stderrTail: this.#stderr.trim(),
        });
        resolve();
      });
    });
  }

  static async start(
    sdpFile: string,
    outputFile: string,
    ports: number[],
  ): Promise<FfmpegRecorder> {
    // prettier-ignore
    const child = spawn(
      process.env.FFMPEG_PATH ?? 'ffmpeg',
      [
        '-hide_banner', '-nostdin', '-loglevel', 'warning',
        '-protocol_whitelist', 'file,udp,rtp',
        '-fflags', '+genpts',
        '-i', sdpFile,
        '-map', '0', '-c', 'copy',
        '-cluster_time_limit', '1000', '-flush_packets', '1',
        '-f', 'matroska', '-y', outputFile,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    const recorder = new FfmpegRecorder(child);
    try {
      await recorder.#waitUntilListening(ports);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    return recorder;
  }

  get pid(): number {
    return this.#child.pid!;
  }

  /** SIGINT makes ffmpeg write its trailer and close the file; SIGKILL if it hangs. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#stopping = true;
      this.#child.kill('SIGINT');
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
      await this.#exited;
      clearTimeout(timer);
    }
  }

  /** Media sent before ffmpeg binds its ports is lost, so wait until every port is taken. */
  async #waitUntilListening(ports: number[], timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.#child.exitCode !== null)
        throw new Error(`ffmpeg exited at start: ${this.#stderr.trim()}`);
      const free = await Promise.all(ports.map((p) => udpPortFree(p)));
      if (free.every((f) => !f)) return;
      if (Date.now() > deadline)
        throw new Error(`ffmpeg did not open its RTP ports within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
