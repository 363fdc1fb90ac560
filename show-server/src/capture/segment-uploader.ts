import { existsSync } from 'node:fs';
import { readdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { ChildProcesses } from '@showrec/infra/processes';
import type { MediaStore } from '@showrec/media-store';
import type { StoredSegment } from '@showrec/protocol';
import type { Logger } from '../logger.js';

/**
 * The list the recorder appends a line to as each segment closes (`name,start,end`, seconds, as
 * ffmpeg's segment muxer writes it).
 */
export const SEGMENT_LIST = 'segments.csv';

const RETRY_MS = { first: 1000, max: 15_000 };

/**
 * Puts a take's segments in the media store as the recorder closes them, one at a time, in
 * order: each is checked by the store (see MediaStore.putFile) and only then removed from this
 * disk. A store that cannot be reached is tried again, backing off to every 15 s, for as long
 * as the take lasts and after; the segments wait on disk meanwhile, and nothing is ever removed
 * unconfirmed.
 */
export class SegmentUploader {
  readonly #media: MediaStore;
  readonly #processes: ChildProcesses;
  readonly #dataDir: string;
  readonly #prefix: string;
  readonly #log: Logger;
  readonly #confirmed: StoredSegment[] = [];
  readonly #waiting: string[] = [];
  readonly #timer: NodeJS.Timeout;
  #listed = 0;
  #running: Promise<void> | null = null;
  #giveUpAt = Infinity;
  #failing = false;

  /** `prefix` is the take's folder in the store, e.g. `takes/<show>/<take>/`, below `dataDir` here. */
  constructor(
    deps: { media: MediaStore; processes: ChildProcesses; dataDir: string },
    prefix: string,
    logger: Logger,
  ) {
    this.#media = deps.media;
    this.#processes = deps.processes;
    this.#dataDir = deps.dataDir;
    this.#prefix = prefix;
    this.#log = logger.child({ component: 'segment-uploader', prefix });
    this.#timer = setInterval(() => void this.#poll(), 500);
    this.#timer.unref();
  }

  /** The segments the store has confirmed, in order. */
  get segments(): StoredSegment[] {
    return [...this.#confirmed];
  }

  /** Segments still only on this disk. */
  get pending(): string[] {
    return [...this.#waiting];
  }

  /**
   * Once the recorder has exited: reads its list a last time and puts what is left, with the
   * segment it was writing if it died (rewritten with its index first). Resolves when everything
   * is stored, or at `giveUpAfterMs` with what is still pending (it stays on disk for recovery
   * to store later).
   */
  async finish(
    giveUpAfterMs = Infinity,
  ): Promise<{ segments: StoredSegment[]; pending: string[] }> {
    clearInterval(this.#timer);
    this.#giveUpAt = Date.now() + giveUpAfterMs;
    await this.#poll();
    await this.#running;
    for (const name of await this.#unlisted()) {
      await this.#finalize(path.join(this.#dataDir, this.#prefix, name));
      this.#waiting.push(`${this.#prefix}${name}`);
    }
    for (;;) {
      await this.#running;
      if (this.#waiting.length === 0 || Date.now() >= this.#giveUpAt) break;
      this.#kick();
    }
    return { segments: this.segments, pending: this.pending };
  }

  async #poll(): Promise<void> {
    const list = await readFile(path.join(this.#dataDir, this.#prefix, SEGMENT_LIST), 'utf8').catch(
      () => '',
    );
    const names = list
      .split('\n')
      .map((line) => line.split(',')[0]!.trim())
      .filter(Boolean);
    for (const name of names.slice(this.#listed)) this.#waiting.push(`${this.#prefix}${name}`);
    this.#listed = names.length;
    this.#kick();
  }

  /** Segments on disk the recorder never listed: the one it was writing when it died. */
  async #unlisted(): Promise<string[]> {
    const known = new Set([...this.#confirmed.map((s) => s.key), ...this.#waiting]);
    const names = await readdir(path.join(this.#dataDir, this.#prefix)).catch(() => []);
    return names
      .filter((n) => /^seg-\d+\.mkv$/.test(n) && !known.has(`${this.#prefix}${n}`))
      .sort();
  }

  /**
   * A segment cut off mid-write holds every cluster up to the last second but no index or
   * duration; a stream copy writes them. One that cannot be read is stored as it is.
   */
  async #finalize(file: string): Promise<void> {
    const fixed = file.replace(/\.mkv$/, '.fixed.mkv');
    try {
      // prettier-ignore
      await this.#processes.run(process.env.FFMPEG_PATH ?? 'ffmpeg', [
        '-hide_banner', '-loglevel', 'error', '-y', '-i', file, '-map', '0', '-c', 'copy', fixed,
      ]);
      await rename(fixed, file);
    } catch (err) {
      this.#log.warn({ file, err: (err as Error).message }, 'could not rewrite a cut-off segment');
    }
  }

  #kick(): void {
    this.#running ??= this.#drain().finally(() => (this.#running = null));
  }

  async #drain(): Promise<void> {
    let delay = RETRY_MS.first;
    while (this.#waiting.length > 0) {
      const key = this.#waiting[0]!;
      const file = path.join(this.#dataDir, key);
      try {
        // Not on disk when listed again after a restart: it was stored, and only then removed.
        const stored = existsSync(file)
          ? await this.#media.putFile(key, file)
          : await this.#media.head(key);
        if (stored) this.#confirmed.push(stored);
        else this.#log.error({ key }, 'a listed segment is neither on disk nor in the store');
        this.#waiting.shift();
        delay = RETRY_MS.first;
        if (this.#failing) this.#log.info({ key }, 'the media store takes segments again');
        this.#failing = false;
      } catch (err) {
        if (!this.#failing)
          this.#log.warn(
            { err: (err as Error).message, key, waiting: this.#waiting.length },
            'could not store a segment: it stays on disk, trying again',
          );
        this.#failing = true;
        if (Date.now() + delay > this.#giveUpAt) return;
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, RETRY_MS.max);
      }
    }
  }
}
