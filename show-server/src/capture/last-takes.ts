import type { Redis } from 'ioredis';
import { redisKeys, type TakeEndReason } from '@showrec/protocol';

export interface LastTake {
  takeId: string;
  cueId: string | null;
  /** Null while it records, or when its node died before it could say how it ended. */
  reason: TakeEndReason | null;
}

/**
 * Each phone's latest take in a show's running capture, in Redis: a phone that comes back on any
 * node (after a drop, a drain, its node's death) links its next take to this one.
 */
export class LastTakes {
  constructor(private readonly redis: Redis) {}

  async get(showId: string, participantId: string): Promise<LastTake | null> {
    const raw = await this.redis.hget(redisKeys.showLastTakes(showId), participantId);
    return raw ? (JSON.parse(raw) as LastTake) : null;
  }

  async set(showId: string, participantId: string, take: LastTake): Promise<void> {
    await this.redis.hset(redisKeys.showLastTakes(showId), participantId, JSON.stringify(take));
  }

  /** Capture stopped: the next capture's takes carry on nothing. */
  async clear(showId: string): Promise<void> {
    await this.redis.del(redisKeys.showLastTakes(showId));
  }
}
