import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { Redis } from 'ioredis';
import { redisKeys } from '@showrec/protocol';

/**
 * Short-lived links for downloads a browser follows (a link cannot carry a header): an HMAC over
 * the path and an expiry, so no key ever sits in a URL, a proxy log or the browser's history.
 * The signing key lives in Redis, made once, so a link minted by one show-server process works
 * on every other.
 */
export class DownloadLinks {
  private constructor(
    private readonly key: Buffer,
    private readonly ttlMs: number,
  ) {}

  static async open(redis: Redis, ttlMs: number): Promise<DownloadLinks> {
    const stored = redisKeys.downloadLinkKey();
    await redis.set(stored, randomBytes(32).toString('base64'), 'NX');
    return new DownloadLinks(Buffer.from((await redis.get(stored))!, 'base64'), ttlMs);
  }

  sign(path: string, now = Date.now()): { url: string; expiresAt: number } {
    const expiresAt = now + this.ttlMs;
    return { url: `${path}?expires=${expiresAt}&sig=${this.#mac(path, expiresAt)}`, expiresAt };
  }

  /** Whether the request carries a valid, unexpired signature for exactly its own path. */
  verify(req: Request, now = Date.now()): boolean {
    const { expires, sig } = req.query;
    if (typeof expires !== 'string' || typeof sig !== 'string' || !/^\d{1,15}$/.test(expires))
      return false;
    if (Number(expires) < now) return false;
    const expected = Buffer.from(this.#mac(req.path, Number(expires)));
    const given = Buffer.from(sig);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  #mac(path: string, expiresAt: number): string {
    return createHmac('sha256', this.key).update(`${path}\n${expiresAt}`).digest('base64url');
  }
}
