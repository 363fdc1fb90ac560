import type { Redis } from 'ioredis';
import { recordSchema, redisKeys, type RECord } from '@showrec/protocol';

/** The show-server only reads RECords; the media-worker files them. */
export class RecordReader {
  constructor(private readonly redis: Redis) {}

  async listForShow(showId: string): Promise<RECord[]> {
    const ids = await this.redis.zrange(redisKeys.showRecords(showId), 0, -1);
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => redisKeys.record(id)));
    return raws
      .filter((r): r is string => r !== null)
      .map((r) => recordSchema.parse(JSON.parse(r)));
  }
}
