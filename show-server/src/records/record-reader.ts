import type { Redis } from 'ioredis';
import { recordSchema, redisKeys, type RECord } from '@showrec/protocol';

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

  async listForShow(showId: string): Promise<RECord[]> {
    const ids = await this.redis.zrange(redisKeys.showRecords(showId), 0, -1);
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => redisKeys.record(id)));
    return raws
      .filter((r): r is string => r !== null)
      .map((r) => recordSchema.parse(JSON.parse(r)));
  }
}
