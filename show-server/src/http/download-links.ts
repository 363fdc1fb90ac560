import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { Redis } from 'ioredis';
import { redisKeys, type RECord } from '@showrec/protocol';

/**
 * Short-lived links for downloads a browser follows (a link cannot carry a header): an HMAC over
 * the path and an expiry, so no key ever sits in a URL, a proxy log or the browser's history.
 * The signing key lives in Redis, made once, so a link minted by one show-server process works
 * on every other.
 */
export class DownloadLinks {
  #key: Promise<Buffer> | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly ttlMs: number,
  ) {}

  async sign(path: string, now = Date.now()): Promise<{ url: string; expiresAt: number }> {
    const expiresAt = now + this.ttlMs;
    const sig = await this.#mac(path, expiresAt);
    return { url: `${path}?expires=${expiresAt}&sig=${sig}`, expiresAt };
  }

  /**
   * A link whose expiry is rounded up to the next ten minutes, so that the same media signed
   * again a moment later has the same URL and the browser's cache keeps working.
   */
  async signCacheable(path: string, now = Date.now()): Promise<string> {
    const step = 600_000;
    const expiresAt = Math.ceil((now + this.ttlMs) / step) * step;
    return `${path}?expires=${expiresAt}&sig=${await this.#mac(path, expiresAt)}`;
  }

  /** A RECord whose media links work for whoever received it (a video tag sends no key). */
  async withMediaLinks(record: RECord): Promise<RECord> {
    const [video, poster] = await Promise.all([
      this.signCacheable(record.media.video),
      this.signCacheable(record.media.poster),
    ]);
    return { ...record, media: { ...record.media, video, poster } };
  }

  /** Whether the request carries a valid, unexpired signature for exactly its own path. */
  async verify(req: Request, now = Date.now()): Promise<boolean> {
    const { expires, sig } = req.query;
    if (typeof expires !== 'string' || typeof sig !== 'string' || !/^\d{1,15}$/.test(expires))
      return false;
    if (Number(expires) < now) return false;
    const expected = Buffer.from(await this.#mac(req.path, Number(expires)));
    const given = Buffer.from(sig);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  async #mac(path: string, expiresAt: number): Promise<string> {
    return createHmac('sha256', await this.#signingKey())
      .update(`${path}\n${expiresAt}`)
      .digest('base64url');
  }

  /** Made once for every process, read on first use (Redis may not be up when the server starts). */
  #signingKey(): Promise<Buffer> {
    this.#key ??= (async () => {
      const stored = redisKeys.downloadLinkKey();
      await this.redis.set(stored, randomBytes(32).toString('base64'), 'NX');
      return Buffer.from((await this.redis.get(stored))!, 'base64');
    })();
    this.#key.catch(() => (this.#key = null));
    return this.#key;
  }
}
