import type { Redis } from 'ioredis';
import { redisKeys, type ShowSummary, type StoredShow } from '@showrec/protocol';

/** Each show's line in the admin's list, with its takes and RECords counted in one round trip. */
export async function summarizeShows(redis: Redis, shows: StoredShow[]): Promise<ShowSummary[]> {
  if (shows.length === 0) return [];
  const tx = redis.pipeline();
  for (const show of shows)
    tx.zcard(redisKeys.showTakes(show.id)).zcard(redisKeys.showRecords(show.id));
  const counts = ((await tx.exec()) ?? []).map(([err, n]) => {
    if (err) throw err;
    return n as number;
  });
  return shows.map((show, i) => ({
    id: show.id,
    title: show.title,
    venue: show.venue,
    date: show.date,
    createdAt: show.createdAt,
    state: show.ended ? 'ended' : show.currentCueIndex >= 0 ? 'running' : 'not started',
    cues: show.cues.length,
    takes: counts[2 * i]!,
    records: counts[2 * i + 1]!,
  }));
}
