import type { Redis } from 'ioredis';
import { QueueEvents, type Queue } from 'bullmq';
import type { Server } from 'socket.io';
import {
  EDIT_RECORD_QUEUE,
  FILE_TAKE_QUEUE,
  recordIdForTake,
  type EditJob,
  type FileTakeJob,
} from '@showrec/protocol';
import type { TakeStore } from '../capture/take-store.js';
import type { Logger } from '../logger.js';
import type { RecordReader } from '../records/record-reader.js';
import type { ReviewNotices } from '../records/review-notices.js';
import { fullRoom } from './show-broadcaster.js';

export interface ReviewEventsDeps {
  io: Server;
  /** Duplicated for each queue's events (they block on their connection). */
  redis: Redis;
  takeQueue: Queue<FileTakeJob>;
  edits: Queue<EditJob>;
  takes: TakeStore;
  records: RecordReader;
  notices: ReviewNotices;
  logger: Logger;
}

interface Target {
  showId: string;
  /** The review item the job works on; null for work on the whole show (alignment). */
  itemId: string | null;
}

const PROGRESS_EVERY_MS = 500;

/**
 * Tells a show's host and crew what the media-worker is doing to its review items: progress as
 * it happens, and a change when an item is queued, filed or fails. Every show-server process
 * hears the queue events, so each tells only its own clients.
 */
export class ReviewEvents {
  readonly #targets = new Map<string, Target>();
  readonly #lastProgress = new Map<string, number>();
  readonly #listeners: QueueEvents[] = [];

  constructor(private readonly deps: ReviewEventsDeps) {}

  start(): void {
    // A person changed an item (rated it, asked for a cut): every process's clients hear it.
    this.deps.notices.on('changed', (showId, itemId) =>
      this.deps.io.to(fullRoom(showId)).emit('review:changed', { id: itemId }),
    );
    for (const queue of [this.deps.takeQueue, this.deps.edits] as Queue[]) {
      const events = new QueueEvents(queue.name, { connection: this.deps.redis });
      events.on('error', (err) =>
        this.deps.logger.debug({ err: err.message }, 'queue events error'),
      );
      events.on('progress', ({ jobId, data }) => {
        if (typeof data !== 'number') return;
        const last = this.#lastProgress.get(jobId) ?? 0;
        if (Date.now() - last < PROGRESS_EVERY_MS && data < 100) return;
        this.#lastProgress.set(jobId, Date.now());
        void this.#target(queue, jobId).then((t) => {
          if (t?.itemId)
            this.deps.io.local
              .to(fullRoom(t.showId))
              .emit('review:progress', { id: t.itemId, progress: data });
        });
      });
      for (const event of ['waiting', 'completed', 'failed'] as const) {
        events.on(event, ({ jobId }: { jobId: string }) => {
          this.#lastProgress.delete(jobId);
          void this.#target(queue, jobId).then((t) => {
            if (t)
              this.deps.io.local.to(fullRoom(t.showId)).emit('review:changed', { id: t.itemId });
          });
        });
      }
      this.#listeners.push(events);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.#listeners.map((l) => l.close()));
  }

  async #target(queue: Queue, jobId: string): Promise<Target | null> {
    const known = this.#targets.get(jobId);
    if (known) return known;
    const target = await this.#lookUp(queue, jobId).catch((err: Error) => {
      this.deps.logger.debug({ err: err.message, jobId }, 'could not place a job in a show');
      return null;
    });
    if (target) {
      if (this.#targets.size > 5000) this.#targets.clear();
      this.#targets.set(jobId, target);
    }
    return target;
  }

  async #lookUp(queue: Queue, jobId: string): Promise<Target | null> {
    const job = await queue.getJob(jobId);
    if (!job) return null;
    const data = job.data as Partial<{
      takeId: string;
      showId: string;
      recordId: string;
      sourceId: string;
    }>;
    if (queue.name === FILE_TAKE_QUEUE && data.takeId) {
      const take = await this.deps.takes.get(data.takeId);
      return take ? { showId: take.showId, itemId: recordIdForTake(take.id) } : null;
    }
    if (queue.name !== EDIT_RECORD_QUEUE) return null;
    if (data.showId) return { showId: data.showId, itemId: data.recordId ?? null };
    if (data.sourceId && data.recordId) {
      const source = await this.deps.records.get(data.sourceId);
      return source ? { showId: source.showId, itemId: data.recordId } : null;
    }
    return null;
  }
}
