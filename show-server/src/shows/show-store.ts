import type { Redis } from 'ioredis';
import { redisKeys, storedShowSchema, type StoredShow, DomainError } from '@showrec/protocol';
import { captureStopped } from './capture-rules.js';
import { hashSecret, newId, newJoinCode, newSecret } from './secrets.js';

/**
 * Sets the show only if nobody changed it since it was read (its version is unchanged), and in
 * the same step tells every show-server process which show changed and to what version.
 */
const compareAndSet = `
local current = redis.call('GET', KEYS[1])
if not current then return -1 end
if cjson.decode(current).version ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1`;

/** Returned by an `update` change that finds nothing to do: nothing is written. */
export const unchanged = Symbol('unchanged');

/** A new show with its keys, in the clear this once: only their hashes are stored. */
export interface NewShowKeys {
  show: StoredShow;
  hostKey: string;
  crewKey: string;
  oscKey: string;
}

export interface NewShow {
  title: string;
  venue: string;
  date: string | null;
}

/**
 * Shows in Redis: one JSON document per show, plus a join-code index. Every change goes through
 * `update`, a compare-and-set on the show's version, so two show-server processes driving the
 * same show never lose each other's changes.
 */
export class ShowStore {
  constructor(private readonly redis: Redis) {}

  async create(details: NewShow, cues: StoredShow['cues'] = []): Promise<NewShowKeys> {
    const hostKey = newSecret();
    const crewKey = newSecret();
    const oscKey = newSecret();
    const id = newId();
    for (let attempt = 0; attempt < 20; attempt++) {
      const joinCode = newJoinCode();
      // Claim the code first so two shows never share one.
      const claimed = await this.redis.set(redisKeys.showByJoinCode(joinCode), id, 'NX');
      if (claimed !== 'OK') continue;
      const show = storedShowSchema.parse({
        id,
        ...details,
        joinCode,
        hostKeyHash: hashSecret(hostKey),
        crewKeyHash: hashSecret(crewKey),
        oscKeyHash: hashSecret(oscKey),
        createdAt: new Date().toISOString(),
        cues,
        capture: captureStopped,
      });
      await this.redis
        .multi()
        .set(redisKeys.show(id), JSON.stringify(show))
        .zadd(redisKeys.shows(), Date.parse(show.createdAt), id)
        .exec();
      return { show, hostKey, crewKey, oscKey };
    }
    throw new Error('could not find a free join code after 20 attempts');
  }

  /** A new show from an old one's details and cues, with its own code and keys. */
  async duplicate(showId: string): Promise<NewShowKeys> {
    const source = await this.require(showId);
    const cues = source.cues.map((cue) => ({ ...cue, id: newId() }));
    return this.create({ title: source.title, venue: source.venue, date: source.date }, cues);
  }

  async get(showId: string): Promise<StoredShow | null> {
    const raw = await this.redis.get(redisKeys.show(showId));
    return raw ? storedShowSchema.parse(JSON.parse(raw)) : null;
  }

  async require(showId: string): Promise<StoredShow> {
    const show = await this.get(showId);
    if (!show) throw new DomainError('not-found', `no show with id ${showId}`);
    return show;
  }

  /** Every show, newest first. */
  async list(): Promise<StoredShow[]> {
    await this.#indexOlderShows();
    const ids = await this.redis.zrevrange(redisKeys.shows(), 0, -1);
    if (ids.length === 0) return [];
    const raw = await this.redis.mget(ids.map((id) => redisKeys.show(id)));
    return raw.flatMap((r) => (r ? [storedShowSchema.parse(JSON.parse(r))] : []));
  }

  /** Shows made before the index existed are added to it once, by whoever lists first. */
  async #indexOlderShows(): Promise<void> {
    if (await this.redis.exists(redisKeys.showsIndexed())) return;
    const showKey = /^showrec:show:([A-Za-z0-9_-]+)$/;
    for await (const keys of this.redis.scanStream({ match: 'showrec:show:*', count: 1000 })) {
      const ids = (keys as string[]).flatMap((k) => showKey.exec(k)?.[1] ?? []);
      if (ids.length === 0) continue;
      const raw = await this.redis.mget(ids.map((id) => redisKeys.show(id)));
      const tx = this.redis.multi();
      raw.forEach((r, i) => {
        if (r) tx.zadd(redisKeys.shows(), 'NX', Date.parse(JSON.parse(r).createdAt), ids[i]!);
      });
      await tx.exec();
    }
    await this.redis.set(redisKeys.showsIndexed(), '1');
  }

  async findByJoinCode(joinCode: string): Promise<StoredShow | null> {
    const id = await this.redis.get(redisKeys.showByJoinCode(joinCode));
    return id ? this.get(id) : null;
  }

  /**
   * Applies `change` to the latest show and stores it, retrying if another writer got there
   * first. `change` may throw to refuse, or return `unchanged` to leave the show as it is; it must
   * not have side effects (it may run again).
   */
  async update(
    showId: string,
    change: (show: StoredShow) => StoredShow | void | typeof unchanged,
  ): Promise<StoredShow> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const current = await this.require(showId);
      const next = structuredClone(current);
      const result = change(next);
      if (result === unchanged) return current;
      const changed = result ?? next;
      changed.version = current.version + 1;
      const stored = await this.redis.eval(
        compareAndSet,
        1,
        redisKeys.show(showId),
        current.version,
        JSON.stringify(changed),
        redisKeys.showChanges(),
        JSON.stringify({ showId, version: changed.version }),
      );
      if (stored === 1) return changed;
      if (stored === -1) throw new DomainError('not-found', `no show with id ${showId}`);
    }
    throw new Error(`show ${showId} is changing too fast to update`);
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

  /** The participant a phone's device token stands for in a show, if any. */
  async participantOfDevice(showId: string, deviceToken: string): Promise<string | null> {
    return this.redis.hget(redisKeys.showDevices(showId), hashSecret(deviceToken));
  }

  /**
   * Moves a participant from one device token to a new one (a claim link): the new token stands
   * for them, the old one no longer does.
   */
  async moveDevice(
    showId: string,
    participantId: string,
    fromTokenHash: string,
    toToken: string,
  ): Promise<void> {
    await this.redis
      .multi()
      .hset(redisKeys.showDevices(showId), hashSecret(toToken), participantId)
      .hdel(redisKeys.showDevices(showId), fromTokenHash)
      .exec();
  }
}
