import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const renew = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
const release = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** The lock was held by someone else; nothing was run. */
export class LockBusy extends Error {
  constructor(readonly key: string) {
    super(`${key} is held by someone else`);
    this.name = 'LockBusy';
  }
}

/**
 * Runs `work` while holding `key` in Redis, across every process sharing that Redis. The lock
 * expires after `ttlMs` if its holder dies, and is renewed while `work` runs; it is released only
 * by its holder. Throws LockBusy at once when another holder has it.
 */
export async function withRedisLock<R>(
  redis: Redis,
  key: string,
  ttlMs: number,
  work: () => Promise<R>,
): Promise<R> {
  const holder = randomUUID();
  if ((await redis.set(key, holder, 'PX', ttlMs, 'NX')) !== 'OK') throw new LockBusy(key);
  const renewal = setInterval(
    () => void redis.eval(renew, 1, key, holder, ttlMs).catch(() => undefined),
    ttlMs / 3,
  );
  try {
    return await work();
  } finally {
    clearInterval(renewal);
    await redis.eval(release, 1, key, holder).catch(() => undefined);
  }
}
