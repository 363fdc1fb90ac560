import type { Redis } from 'ioredis';
import {
  alignmentSchema,
  recordSchema,
  recordsOfShow,
  redisKeys,
  type Alignment,
  type RECord,
} from '@showrec/protocol';

/** The show-server only reads RECords; the media-worker files them. */
export class RecordReader {
  constructor(private readonly redis: Redis) {}

  async get(recordId: string): Promise<RECord | null> {
    const raw = await this.redis.get(redisKeys.record(recordId));
    return raw ? recordSchema.parse(JSON.parse(raw)) : null;
  }

  async children(recordId: string): Promise<string[]> {
    return this.redis.smembers(redisKeys.recordChildren(recordId));
  }

  /** Where each RECord sits on its show's timeline, once the worker has aligned it. */
  async alignments(recordIds: string[]): Promise<Array<Alignment | null>> {
    if (recordIds.length === 0) return [];
    const raws = await this.redis.mget(recordIds.map((id) => redisKeys.recordAlignment(id)));
    return raws.map((r) => (r ? alignmentSchema.parse(JSON.parse(r)) : null));
  }

  /** Why each take could not be filed, for those that could not. */
  async filingFailures(takeIds: string[]): Promise<Array<string | null>> {
    if (takeIds.length === 0) return [];
    return this.redis.mget(takeIds.map((id) => redisKeys.takeFailure(id)));
  }

  /** Trims and remixes asked for and not yet filed. */
  async pendingIds(showId: string): Promise<string[]> {
    return this.redis.smembers(redisKeys.showPendingRecords(showId));
  }

  async listForShow(showId: string): Promise<RECord[]> {
    return recordsOfShow(this.redis, showId);
  }
}
