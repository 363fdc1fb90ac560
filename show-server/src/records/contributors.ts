import type { Redis } from 'ioredis';
import {
  DomainError,
  claimedSchema,
  redisKeys,
  type Claimed,
  type RECord,
  type StoredShow,
} from '@showrec/protocol';
import { hashSecret, newSecret } from '../shows/secrets.js';
import type { ShowStore } from '../shows/show-store.js';
import type { RecordReader } from './record-reader.js';

/** Someone who recorded in a show, as their phone's device token proves. */
export interface KnownContributor {
  participantId: string;
  name: string;
}

/** A claim link lasts a week: long enough to reach the other device, short enough to leak little. */
const CLAIM_TTL_S = 7 * 24 * 3600;

/**
 * The people who recorded in a show, known by their phones: their RECords, and claim links
 * that move those to another device (the link's code is the secret; it works once).
 */
export class Contributors {
  constructor(
    private readonly redis: Redis,
    private readonly shows: ShowStore,
    private readonly records: RecordReader,
  ) {}

  /**
   * The contributor a device token stands for, or null: a phone is one once a RECord of the show
   * credits it (by the name it recorded under).
   */
  async find(show: StoredShow, deviceToken: string): Promise<KnownContributor | null> {
    const participantId = await this.shows.participantOfDevice(show.id, deviceToken);
    if (!participantId) return null;
    const credit = (await this.records.listForShow(show.id))
      .flatMap((r) => r.contributors)
      .find((c) => c.participantId === participantId);
    return credit ? { participantId, name: credit.name } : null;
  }

  async require(show: StoredShow, deviceToken: string): Promise<KnownContributor> {
    const found = await this.find(show, deviceToken);
    if (!found)
      throw new DomainError('forbidden', 'no RECord of this show was recorded by this phone');
    return found;
  }

  /** The RECords that credit them, newest first. */
  async recordsOf(showId: string, participantId: string): Promise<RECord[]> {
    return (await this.records.listForShow(showId))
      .filter((r) => r.contributors.some((c) => c.participantId === participantId))
      .reverse();
  }

  /** A code for a link that moves this phone's RECords to whichever device opens it first. */
  async claimCode(showId: string, participantId: string, deviceToken: string) {
    const code = newSecret().slice(0, 32);
    const expiresAt = Date.now() + CLAIM_TTL_S * 1000;
    await this.redis.set(
      redisKeys.claim(hashSecret(code)),
      JSON.stringify({ showId, participantId, from: hashSecret(deviceToken) }),
      'EX',
      CLAIM_TTL_S,
    );
    return { code, expiresAt };
  }

  /** Opens a claim link: the new device gets a token of its own, the old one's stops working. */
  async claim(code: string): Promise<Claimed> {
    const raw = await this.redis.getdel(redisKeys.claim(hashSecret(code)));
    if (!raw) throw new DomainError('not-found', 'this claim link was used already or has expired');
    const { showId, participantId, from } = JSON.parse(raw) as {
      showId: string;
      participantId: string;
      from: string;
    };
    const show = await this.shows.require(showId);
    const deviceToken = newSecret();
    await this.shows.moveDevice(showId, participantId, from, deviceToken);
    return claimedSchema.parse({ showId, joinCode: show.joinCode, deviceToken });
  }
}
