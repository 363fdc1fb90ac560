import { execFile } from 'node:child_process';
import { mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Redis } from 'ioredis';
import type { MediaStore } from '@showrec/media-store';
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

/** A file named `name` in a fresh temporary folder, for a test to write and put in the store. */
async function scratchFile(name: string): Promise<string> {
  return path.join(await mkdtemp(path.join(tmpdir(), 'showrec-seed-')), name);
}

/**
 * Stores the show and an ended take whose recording `write` creates, as one file in the media
 * store; returns its key.
 */
export async function seedTake(
  redis: Redis,
  media: MediaStore,
  takeId: string,
  write: (file: string) => Promise<void>,
  manifest: Partial<TakeManifest> = {},
): Promise<string> {
  const key = `takes/${testShow.id}/${takeId}.mkv`;
  const file = await scratchFile(`${takeId}.mkv`);
  await write(file);
  // Kept where it was written too, for the test to compare with what is filed.
  await media.putFile(key, file, { keepLocal: true });
  await redis.set(redisKeys.show(testShow.id), JSON.stringify(testShow));
  await redis.set(
    redisKeys.take(takeId),
    JSON.stringify({ ...endedTake(takeId, key), ...manifest }),
  );
  return key;
}

/**
 * Gives a seeded take the phone's own copy, as a finished upload leaves it: `write` makes the
 * file, which goes into the store beside the server's recording. Returns its key.
 */
export async function attachPhoneCopy(
  redis: Redis,
  media: MediaStore,
  takeId: string,
  write: (file: string) => Promise<void>,
): Promise<string> {
  const take = takeManifestSchema.parse(JSON.parse((await redis.get(redisKeys.take(takeId)))!));
  const key = take.file.replace(/\.mkv$/, '.phone.webm');
  const file = await scratchFile(path.posix.basename(key));
  await write(file);
  const phoneCopy = { file: key, bytes: (await stat(file)).size };
  await media.putFile(key, file);
  await redis.set(
    redisKeys.take(takeId),
    JSON.stringify({ ...take, uploadRequested: true, phoneCopy }),
  );
  return key;
}

/** A stored object as a local file the test can probe (a download, for an S3 store). */
export async function storedFile(media: MediaStore, key: string): Promise<string> {
  return (await media.checkout(key, await mkdtemp(path.join(tmpdir(), 'showrec-stored-')))).path;
}

/** The names of the files stored under a folder-like prefix, such as a RECord's media. */
export async function storedNames(media: MediaStore, prefix: string): Promise<string[]> {
  return (await media.list(prefix)).map((o) => path.posix.basename(o.key)).sort();
}

/**
 * Stores an ended take as the recorder leaves it: Matroska segments of `segmentSeconds` cut from
 * `clip` (by ffmpeg's segment muxer, timestamps kept), each in the store, listed in the manifest.
 */
export async function seedSegmentedTake(
  redis: Redis,
  media: MediaStore,
  takeId: string,
  clip: string,
  segmentSeconds: number,
): Promise<TakeManifest> {
  const dir = await mkdtemp(path.join(tmpdir(), 'showrec-segments-'));
  // prettier-ignore
  await promisify(execFile)('ffmpeg', [
    '-hide_banner', '-v', 'error', '-i', clip, '-map', '0', '-c', 'copy',
    '-f', 'segment', '-segment_time', String(segmentSeconds), '-segment_format', 'matroska',
    path.join(dir, 'seg-%05d.mkv'),
  ]);
  const prefix = `takes/${testShow.id}/${takeId}/`;
  const segments = [];
  for (const name of (await readdir(dir)).sort())
    segments.push(await media.putFile(`${prefix}${name}`, path.join(dir, name)));
  const take = { ...endedTake(takeId, `takes/${testShow.id}/${takeId}.mkv`), segments };
  await redis.set(redisKeys.show(testShow.id), JSON.stringify(testShow));
  await redis.set(redisKeys.take(takeId), JSON.stringify(take));
  return take;
}
