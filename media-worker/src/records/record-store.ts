import type { Redis } from 'ioredis';
import {
  alignmentSchema,
  recordSchema,
  recordsOfShow,
  redisKeys,
  storedShowSchema,
  takeManifestSchema,
  type Alignment,
  type RECord,
  type StoredShow,
  type TakeManifest,
} from '@showrec/protocol';

/** The worker's view of Redis: it reads takes and shows, and files RECords. */
export class RecordStore {
  constructor(private readonly redis: Redis) {}

  async take(takeId: string): Promise<TakeManifest | null> {
    const raw = await this.redis.get(redisKeys.take(takeId));
    return raw ? takeManifestSchema.parse(JSON.parse(raw)) : null;
  }

  async show(showId: string): Promise<StoredShow | null> {
    const raw = await this.redis.get(redisKeys.show(showId));
    return raw ? storedShowSchema.parse(JSON.parse(raw)) : null;
  }

  async get(recordId: string): Promise<RECord | null> {
    const raw = await this.redis.get(redisKeys.record(recordId));
    return raw ? recordSchema.parse(JSON.parse(raw)) : null;
  }

  async listForShow(showId: string): Promise<RECord[]> {
    return recordsOfShow(this.redis, showId);
  }

  async alignment(recordId: string): Promise<Alignment | null> {
    const raw = await this.redis.get(redisKeys.recordAlignment(recordId));
    return raw ? alignmentSchema.parse(JSON.parse(raw)) : null;
  }

  /**
   * Places RECords on their show's timeline in one write: readers (the review page) never see a
   * cluster half moved to a new reference, with two references or an offset from the old one.
   */
  async saveAlignments(alignments: Map<string, Alignment>): Promise<void> {
    if (alignments.size === 0) return;
    await this.redis.mset(
      [...alignments].flatMap(([id, alignment]) => [
        redisKeys.recordAlignment(id),
        JSON.stringify(alignment),
      ]),
    );
  }

  /** Files the RECord and lists it under its show in one transaction. */
  async file(record: RECord): Promise<void> {
    const tx = this.redis.multi();
    for (const parent of record.parents) tx.sadd(redisKeys.recordChildren(parent), record.id);
    if (record.takeId) tx.del(redisKeys.takeFailure(record.takeId));
    await tx
      .set(redisKeys.record(record.id), JSON.stringify(recordSchema.parse(record)))
      .zadd(redisKeys.showRecords(record.showId), Date.parse(record.createdAt), record.id)
      .srem(redisKeys.showPendingRecords(record.showId), record.id)
      .exec();
  }

  /** A take whose filing failed for good keeps its reason next to it (the input file stays too). */
  async markFilingFailed(takeId: string, reason: string): Promise<void> {
    await this.redis.set(redisKeys.takeFailure(takeId), reason);
  }
}
