import { copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip, waitFor } from '@showrec/infra';
import {
  redisKeys,
  reviewBoardSchema,
  takeManifestSchema,
  type ReviewItem,
  type ShowCreated,
} from '@showrec/protocol';
import { createShow, startTestStack, type TestStack } from '../support/test-stack.js';

/**
 * A take its show-server stored as ended and died before queueing (the window between the two
 * writes), filed by the real media-worker from a file that cannot be read, then filed again once
 * the file is good; and what the crew sees while no media-worker runs.
 */
describe('fault: a take never queued, a filing that failed for good, no media-worker', () => {
  let stack: TestStack;
  let client: Redis;
  let show: ShowCreated;
  let clip: string;

  beforeAll(async () => {
    stack = await startTestStack();
    client = new Redis(stack.redisUrl);
    show = await createShow(stack, 'Retry night');
    clip = path.join(stack.dataDir, 'clip.webm');
    await makeClip(clip, { seconds: 2, format: 'vp8-opus-webm', width: 320, height: 240 });
  });
  afterAll(async () => {
    client?.disconnect();
    await stack?.stop();
  });

  const item = async (takeId: string): Promise<ReviewItem | undefined> => {
    const res = await fetch(`${stack.baseUrl}/api/shows/${show.id}/review`, {
      headers: { authorization: `Bearer ${show.crewKey}` },
    });
    return reviewBoardSchema.parse(await res.json()).items.find((i) => i.takeId === takeId);
  };
  /** What a show-server that died between storing the take as ended and queueing it leaves. */
  const orphan = async (takeId: string, bytes: Buffer | null) => {
    const file = `takes/${show.id}/${takeId}.mkv`;
    await store(file, bytes);
    const take = takeManifestSchema.parse({
      id: takeId,
      showId: show.id,
      cueId: null,
      participant: { id: 'part-retry001', name: 'Ada' },
      status: 'ended',
      serverId: 'server-dead01',
      startedAt: Date.now() - 60_000,
      endedAt: Date.now() - 40_000,
      endReason: 'stopped',
      file,
      codecs: { audio: 'opus', video: 'VP8' },
      rtp: { audio: { packets: 100, lost: 0 }, video: { packets: 100, lost: 0 } },
      failure: null,
    });
    await client
      .multi()
      .set(redisKeys.take(takeId), JSON.stringify(take))
      .zadd(redisKeys.showTakes(show.id), take.startedAt, takeId)
      .sadd(redisKeys.takesOpen(), takeId)
      .exec();
    return file;
  };
  /** Puts `bytes` (or the clip) in the stack's media store under `key`. */
  const store = async (key: string, bytes: Buffer | null) => {
    const local = path.join(stack.dataDir, 'to-store');
    if (bytes) await writeFile(local, bytes);
    else await copyFile(clip, local);
    await stack.media.putFile(key, local);
  };

  it('recovery queues the take; a permanent failure can be filed again once its cause is gone', async () => {
    const file = await orphan('take-retry001', Buffer.from('not a recording'));
    const failed = await waitFor(
      'the filing to fail for good',
      async () => {
        const it = await item('take-retry001');
        return it?.status === 'failed' ? it : null;
      },
      60_000,
    );
    expect(failed.failure).not.toContain(stack.dataDir);
    const retry = (id: string) =>
      fetch(`${stack.baseUrl}/api/shows/${show.id}/review/${id}/retry`, {
        method: 'POST',
        headers: { authorization: `Bearer ${show.crewKey}` },
      });
    await store(file, null);
    // Two crew members pressing "File it again" at once: both are answered, it is filed once.
    const both = await Promise.all([retry(failed.id), retry(failed.id)]);
    expect(both.map((r) => r.status)).toEqual([202, 202]);
    await waitFor(
      'the take filed',
      async () => (await item('take-retry001'))?.status === 'filed',
      60_000,
    );
    expect((await retry(failed.id)).status).toBe(409);
  });

  it('with no media-worker running, a queued take says it waits for one, and is filed when one starts', async () => {
    await stack.stopWorker();
    await orphan('take-retry002', null);
    await waitFor(
      'the take waiting for a media-worker',
      async () => (await item('take-retry002'))?.status === 'waiting',
      60_000,
    );
    await stack.startWorker();
    await waitFor(
      'the take filed',
      async () => (await item('take-retry002'))?.status === 'filed',
      60_000,
    );
  });
});
