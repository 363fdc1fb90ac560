import type { Redis } from 'ioredis';
import { redisKeys, takeManifestSchema, type TakeManifest } from '@showrec/protocol';

/** Take manifests in Redis, indexed per show by start time. */
export class TakeStore {
  constructor(private readonly redis: Redis) {}

  async save(take: TakeManifest): Promise<void> {
    const tx = this.redis
      .multi()
      .set(redisKeys.take(take.id), JSON.stringify(takeManifestSchema.parse(take)))
      .zadd(redisKeys.showTakes(take.showId), take.startedAt, take.id);
    // Open from its first save until `markQueued`: an ended take not yet queued is still ours.
    if (take.status === 'recording') tx.sadd(redisKeys.takesOpen(), take.id);
    await tx.exec();
  }

  /** The take is with the media-worker now (and its phone asked for its copy, if wanted). */
  async markQueued(takeId: string): Promise<void> {
    await this.redis.srem(redisKeys.takesOpen(), takeId);
  }

  /** The worker's reason for giving up on filing it, dropped when it is filed again. */
  async clearFilingFailure(takeId: string): Promise<void> {
    await this.redis.del(redisKeys.takeFailure(takeId));
  }

  /** Ids of every take recording, or ended and not yet queued, by any process. */
  async openIds(): Promise<string[]> {
    return this.redis.smembers(redisKeys.takesOpen());
  }

  async get(takeId: string): Promise<TakeManifest | null> {
    const raw = await this.redis.get(redisKeys.take(takeId));
    return raw ? takeManifestSchema.parse(JSON.parse(raw)) : null;
  }

  async listForShow(showId: string): Promise<TakeManifest[]> {
    const ids = await this.redis.zrange(redisKeys.showTakes(showId), 0, -1);
    if (ids.length === 0) return [];
    // One round trip however many takes: every show view lists them.
    const raws = await this.redis.mget(ids.map((id) => redisKeys.take(id)));
    return raws
      .filter((r): r is string => r !== null)
      .map((r) => takeManifestSchema.parse(JSON.parse(r)));
  }
}
