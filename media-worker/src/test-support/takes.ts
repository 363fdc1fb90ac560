import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import {
  redisKeys,
  storedShowSchema,
  takeManifestSchema,
  type StoredShow,
  type TakeManifest,
} from '@showrec/protocol';

export const testShow: StoredShow = storedShowSchema.parse({
  id: 'show-abc123',
  title: 'Open Mic',
  joinCode: 'ABC234',
  hostKeyHash: 'x',
  crewKeyHash: 'y',
  createdAt: new Date().toISOString(),
  capture: { running: false, startedAt: null },
});

export function endedTake(takeId: string, file: string): TakeManifest {
  return takeManifestSchema.parse({
    id: takeId,
    showId: testShow.id,
    cueId: null,
    participant: { id: 'part-ada001', name: 'Ada' },
    status: 'ended',
    serverId: null,
    startedAt: Date.now() - 5000,
    endedAt: Date.now(),
    endReason: 'stopped',
    file,
    codecs: { audio: 'opus', video: 'VP8' },
    rtp: { audio: { packets: 250, lost: 0 }, video: { packets: 600, lost: 0 } },
    failure: null,
    continues: null,
  });
}

/** Stores the show and an ended take whose recording `write` creates; returns the file's path. */
export async function seedTake(
  redis: Redis,
  dataDir: string,
  takeId: string,
  write: (file: string) => Promise<void>,
  manifest: Partial<TakeManifest> = {},
): Promise<string> {
  const relative = path.join('takes', testShow.id, `${takeId}.mkv`);
  await mkdir(path.join(dataDir, 'takes', testShow.id), { recursive: true });
  await write(path.join(dataDir, relative));
  await redis.set(redisKeys.show(testShow.id), JSON.stringify(testShow));
  await redis.set(
    redisKeys.take(takeId),
    JSON.stringify({ ...endedTake(takeId, relative), ...manifest }),
  );
  return path.join(dataDir, relative);
}

/**
 * Gives a seeded take the phone's own copy, as a finished upload leaves it: `write` makes the
 * file beside the server's recording. Returns the copy's path.
 */
export async function attachPhoneCopy(
  redis: Redis,
  dataDir: string,
  takeId: string,
  write: (file: string) => Promise<void>,
): Promise<string> {
  const take = takeManifestSchema.parse(JSON.parse((await redis.get(redisKeys.take(takeId)))!));
  const file = path.join(dataDir, take.file.replace(/\.mkv$/, '.phone.webm'));
  await write(file);
  const phoneCopy = { file: path.relative(dataDir, file), bytes: (await stat(file)).size };
  await redis.set(
    redisKeys.take(takeId),
    JSON.stringify({ ...take, uploadRequested: true, phoneCopy }),
  );
  return file;
}
