import { recordSchema, type RECord } from './record.js';
import { redisKeys } from './redis-keys.js';

/** The two reads of a show's RECords; structural, so this package needs no Redis client. */
export interface RecordReads {
  zrange(key: string, start: number, stop: number): Promise<string[]>;
  mget(keys: string[]): Promise<Array<string | null>>;
}

/** A show's RECords in filing order, in two round trips however many there are. */
export async function recordsOfShow(redis: RecordReads, showId: string): Promise<RECord[]> {
  const ids = await redis.zrange(redisKeys.showRecords(showId), 0, -1);
  if (ids.length === 0) return [];
  const raws = await redis.mget(ids.map((id) => redisKeys.record(id)));
  return raws.filter((r): r is string => r !== null).map((r) => recordSchema.parse(JSON.parse(r)));
}
