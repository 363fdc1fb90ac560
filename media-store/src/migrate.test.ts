import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Environment, startSwift, type SwiftServer } from '@showrec/infra';
import { migrateMedia } from './migrate.js';
import { S3Store } from './s3-store.js';
import { s3SettingsFromEnv } from './store-config.js';

describe('storage:migrate (a data directory into a real Swift)', () => {
  let swift: SwiftServer;
  let dir: string;
  let dataDir: string;
  const media: Record<string, Buffer> = {
    'takes/show-a/take-1/seg-00000.mkv': randomBytes(5000),
    'takes/show-a/take-1/seg-00001.mkv': randomBytes(3000),
    'takes/show-a/take-1.mkv': randomBytes(8000),
    'takes/show-a/take-2.phone.webm': randomBytes(2000),
    'uploads/show-a/remix-1.mp4': randomBytes(4000),
    'records/rec-take-1/video.mp4': randomBytes(6000),
    'records/rec-take-1/poster.jpg': randomBytes(500),
  };
  const notMedia = [
    'uploads/.incoming/remix-2',
    'takes/show-a/take-3/segments.csv',
    'takes/show-a/take-3/take.sdp',
    'takes/show-a/take-2.phone.webm.partial',
    'redis/appendonly.aof',
    'admin-token',
  ];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'showrec-migrate-'));
    swift = await startSwift({ dir: path.join(dir, 'swift') });
    dataDir = path.join(dir, 'data');
    for (const [key, bytes] of Object.entries(media)) {
      await mkdir(path.dirname(path.join(dataDir, key)), { recursive: true });
      await writeFile(path.join(dataDir, key), bytes);
    }
    for (const key of notMedia) {
      await mkdir(path.dirname(path.join(dataDir, key)), { recursive: true });
      await writeFile(path.join(dataDir, key), 'not media');
    }
  });
  afterAll(async () => {
    await swift?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('copies every media file under its own key, verified, leaving the data directory as it was; again, it copies nothing', async () => {
    const store = await S3Store.open(s3SettingsFromEnv(s3Environment(swift, 'laptop-show'))!);
    const first = await migrateMedia(dataDir, store);
    expect(first).toMatchObject({ copied: 7, skipped: 0, failed: [] });
    expect((await store.list('')).map((o) => o.key).sort()).toEqual(Object.keys(media).sort());
    for (const [key, bytes] of Object.entries(media)) {
      expect((await buffer(await store.read(key))).equals(bytes), key).toBe(true);
      expect((await readFile(path.join(dataDir, key))).equals(bytes), key).toBe(true);
    }
    expect(await migrateMedia(dataDir, store)).toMatchObject({ copied: 0, skipped: 7 });
    store.close();
  });

  it('resumes: what is missing, or differs from the file, is copied again', async () => {
    const store = await S3Store.open(s3SettingsFromEnv(s3Environment(swift, 'resumed'))!);
    const key = 'records/rec-take-1/video.mp4';
    const half = path.join(dir, 'half');
    await writeFile(half, media[key]!.subarray(0, 100));
    await store.putFile(key, half);
    const sameSize = path.join(dir, 'same-size');
    await writeFile(sameSize, randomBytes(media['takes/show-a/take-1.mkv']!.length));
    await store.putFile('takes/show-a/take-1.mkv', sameSize);
    expect(await migrateMedia(dataDir, store)).toMatchObject({ copied: 7, skipped: 0 });
    expect((await buffer(await store.read(key))).equals(media[key]!)).toBe(true);
    expect(
      (await buffer(await store.read('takes/show-a/take-1.mkv'))).equals(
        media['takes/show-a/take-1.mkv']!,
      ),
    ).toBe(true);
    store.close();
  });

  it('as `npm run storage:migrate`: names what it copied, says what is wrong, and fails without a store', async () => {
    const cli = path.join(import.meta.dirname, '..', 'dist', 'migrate-cli.js');
    const run = (env: Record<string, string>) =>
      promisify(execFile)(process.execPath, [cli, '--from', dataDir, '--quiet'], {
        env: { PATH: process.env.PATH, ...env },
      });
    const { stdout } = await run(s3Environment(swift, 'from-cli'));
    expect(stdout).toMatch(/7 copied \(0\.0 MB\), 0 already there, 0 failed/);
    await expect(run({})).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/set SHOWREC_S3_ENDPOINT/),
    });
  });
});
