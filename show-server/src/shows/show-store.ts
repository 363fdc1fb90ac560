import type { Redis } from 'ioredis';
import { redisKeys, storedShowSchema, type StoredShow } from '@showrec/protocol';
import { hashSecret, newId, newJoinCode, newSecret } from './secrets.js';

export class ShowNotFoundError extends Error {
  constructor(readonly showId: string) {
    super(`no show with id ${showId}`);
  }
}

/** Shows in Redis: one JSON document per show, plus a join-code index. */
export class ShowStore {
  constructor(private readonly redis: Redis) {}

  async create(title: string): Promise<{ show: StoredShow; hostKey: string }> {
    const hostKey = newSecret();
    const id = newId();
    for (let attempt = 0; attempt < 20; attempt++) {
      const joinCode = newJoinCode();
      // Claim the code first so two shows never share one.
      const claimed = await this.redis.set(redisKeys.showByJoinCode(joinCode), id, 'NX');
      if (claimed !== 'OK') continue;
      const show: StoredShow = {
        id,
        title,
        joinCode,
        hostKeyHash: hashSecret(hostKey),
        createdAt: new Date().toISOString(),
        capture: { running: false, startedAt: null },
      };
      await this.redis.set(redisKeys.show(id), JSON.stringify(show));
      return { show, hostKey };
    }
    throw new Error('could not find a free join code after 20 attempts');
  }

  async get(showId: string): Promise<StoredShow | null> {
    const raw = await this.redis.get(redisKeys.show(showId));
    return raw ? storedShowSchema.parse(JSON.parse(raw)) : null;
  }

  async require(showId: string): Promise<StoredShow> {
    const show = await this.get(showId);
    if (!show) throw new ShowNotFoundError(showId);
    return show;
  }

  async findByJoinCode(joinCode: string): Promise<StoredShow | null> {
    const id = await this.redis.get(redisKeys.showByJoinCode(joinCode));
    return id ? this.get(id) : null;
  }

  async setCapture(showId: string, running: boolean, now = Date.now()): Promise<StoredShow> {
    const show = await this.require(showId);
    show.capture = { running, startedAt: running ? (show.capture.startedAt ?? now) : null };
    await this.redis.set(redisKeys.show(showId), JSON.stringify(show));
    return show;
  }

  /** A phone keeps its participant id across reconnects by presenting its device token. */
  async participantForDevice(
    showId: string,
    deviceToken: string,
    newParticipantId: string,
  ): Promise<string> {
    const key = redisKeys.showDevices(showId);
    await this.redis.hsetnx(key, hashSecret(deviceToken), newParticipantId);
    return (await this.redis.hget(key, hashSecret(deviceToken)))!;
  }
}
