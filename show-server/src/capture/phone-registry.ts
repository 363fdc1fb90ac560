import type { Redis } from 'ioredis';
import { redisKeys, type PhoneStatus } from '@showrec/protocol';

interface StoredPhone extends PhoneStatus {
  updatedAt: number;
}

/** A phone whose process hasn't refreshed it for this long is gone (its server died). */
const STALE_MS = 10_000;

/**
 * Every phone's live status, in Redis so that every show-server process (and so every control
 * panel) sees the phones connected to the others. Each process refreshes its own phones.
 */
export class PhoneRegistry {
  constructor(private readonly redis: Redis) {}

  async put(showId: string, phones: PhoneStatus[], now = Date.now()): Promise<void> {
    if (phones.length === 0) return;
    const fields = phones.flatMap((p) => [
      p.participantId,
      JSON.stringify({ ...p, updatedAt: now } satisfies StoredPhone),
    ]);
    await this.redis.hset(redisKeys.showPhones(showId), ...fields);
  }

  async remove(showId: string, participantId: string): Promise<void> {
    await this.redis.hdel(redisKeys.showPhones(showId), participantId);
  }

  /** A phone of the show was turned away (this process was at capacity), and why. */
  async noteRefused(showId: string, reason: string): Promise<void> {
    await this.redis
      .multi()
      .hincrby(redisKeys.showRefusals(showId), 'count', 1)
      .hset(redisKeys.showRefusals(showId), 'reason', reason)
      .exec();
  }

  async refusals(showId: string): Promise<{ count: number; reason: string } | null> {
    const { count, reason } = await this.redis.hgetall(redisKeys.showRefusals(showId));
    return count && reason ? { count: Number(count), reason } : null;
  }

  async list(showId: string, now = Date.now()): Promise<PhoneStatus[]> {
    const all = await this.redis.hvals(redisKeys.showPhones(showId));
    return all
      .map((raw) => JSON.parse(raw) as StoredPhone)
      .filter((p) => now - p.updatedAt < STALE_MS)
      .map(({ updatedAt: _updatedAt, ...phone }) => phone)
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}
