import type { Redis } from 'ioredis';
import { ipKeyGenerator, type ClientRateLimitInfo, type Store } from 'express-rate-limit';
import { DomainError, redisKeys } from '@showrec/protocol';

const WINDOW_MS = 60_000;

/** Counts a hit and starts the window on the first one, in one step. */
const hit = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}`;

export const TOO_MANY_JOINS =
  'too many join attempts from this address: wait a minute and try again';

/**
 * Missed join-code attempts per address per minute, in Redis: the HTTP lookup (/api/join,
 * /join/) and the socket `join` event draw on the same count, on every show-server process.
 */
export class JoinAttempts implements Store {
  readonly localKeys = false;
  readonly prefix = 'join:';

  constructor(
    private readonly redis: Redis,
    readonly perMinute: number,
  ) {}

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const [totalHits, ttl] = (await this.redis.eval(
      hit,
      1,
      redisKeys.joinAttempts(key),
      WINDOW_MS,
    )) as [number, number];
    return { totalHits, resetTime: new Date(Date.now() + Math.max(ttl, 0)) };
  }

  async decrement(key: string): Promise<void> {
    await this.redis.decr(redisKeys.joinAttempts(key));
  }

  async resetKey(key: string): Promise<void> {
    await this.redis.del(redisKeys.joinAttempts(key));
  }

  /**
   * For the socket edge: counts an attempt from `address`, refusing it over the limit, and
   * `hit(true)` gives it back once the code proved valid (only misses count, as for HTTP).
   */
  async take(address: string): Promise<{ hit: (valid: boolean) => Promise<void> }> {
    const key = ipKeyGenerator(address);
    const { totalHits } = await this.increment(key);
    if (totalHits > this.perMinute) throw new DomainError('too-many-requests', TOO_MANY_JOINS);
    return { hit: async (valid) => (valid ? this.decrement(key) : undefined) };
  }
}
