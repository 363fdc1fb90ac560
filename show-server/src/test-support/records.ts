import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { MediaStore } from '@showrec/media-store';
import { recordSchema, redisKeys, type RECord } from '@showrec/protocol';

/** A filed RECord of `showId` credited to Ada, with whatever the test sets over it. */
export function testRecord(id: string, showId: string, extra: Partial<RECord> = {}): RECord {
  return recordSchema.parse({
    id,
    showId,
    cueId: null,
    takeId: null,
    title: 'Cabaret · Ada',
    contributors: [{ participantId: 'part-ada001', name: 'Ada', role: 'recorded' }],
    media: {
      video: `/media/records/${id}/video.mp4`,
      poster: `/media/records/${id}/poster.jpg`,
      durationMs: 5000,
    },
    createdAt: new Date().toISOString(),
    status: 'filed',
    ...extra,
  });
}

/** Stores a RECord as the media-worker files it: the RECord, and its place in its show's list. */
export async function storeRecord(redis: Redis, record: RECord): Promise<void> {
  await redis
    .multi()
    .set(redisKeys.record(record.id), JSON.stringify(record))
    .zadd(redisKeys.showRecords(record.showId), Date.parse(record.createdAt), record.id)
    .exec();
}

/** Puts `bytes` in the media store under `key`, as the media-worker or an upload leaves them. */
export async function storeBytes(media: MediaStore, key: string, bytes: Buffer): Promise<void> {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'showrec-bytes-')), 'object');
  await writeFile(file, bytes);
  await media.putFile(key, file);
}
