import { mkdir, readFile, statfs } from 'node:fs/promises';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip } from '@showrec/infra';
import {
  FILE_TAKE_QUEUE,
  redisKeys,
  takeManifestSchema,
  type ShowCreated,
} from '@showrec/protocol';
import { hashSecret } from '../shows/secrets.js';
import { createTestShow } from '../test-support/api-client.js';
import { answerBeforeBody } from '../test-support/partial-request.js';
import { startServerWithRedis, type ServerWithRedis } from '../test-support/server-process.js';

describe('uploads of a phone’s own copy (real server process, Redis and ffprobe)', () => {
  let client: Redis;
  let server: ServerWithRedis;
  let show: ShowCreated;
  let clip: Buffer;
  const device = 'device-token-of-ada-0123456789';

  async function seedTake(takeId: string, uploadRequested = true) {
    await client.hset(redisKeys.showDevices(show.id), hashSecret(device), 'part-ada001');
    await client.set(
      redisKeys.take(takeId),
      JSON.stringify(
        takeManifestSchema.parse({
          id: takeId,
          showId: show.id,
          cueId: null,
          participant: { id: 'part-ada001', name: 'Ada' },
          status: 'ended',
          startedAt: Date.now() - 5000,
          endedAt: Date.now(),
          endReason: 'disconnected',
          file: path.join('takes', show.id, `${takeId}.mkv`),
          codecs: { audio: 'opus', video: 'VP8' },
          rtp: { audio: null, video: null },
          failure: null,
          uploadRequested,
        }),
      ),
    );
  }
  const call = (method: string, url: string, token = device, body?: Buffer) =>
    fetch(`${server.baseUrl}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/octet-stream' } : {}),
      },
      body,
    });

  beforeAll(async () => {
    server = await startServerWithRedis({ SHOWREC_MAX_UPLOAD_MB: '1' });
    client = new Redis(server.redisUrl);
    show = await createTestShow(server.baseUrl, server.adminToken, 'Uploads');
    await mkdir(path.join(server.dataDir, 'takes', show.id), { recursive: true });
    const file = path.join(server.dataDir, 'clip.webm');
    await makeClip(file, { seconds: 2, format: 'vp8-opus-webm', width: 320, height: 240 });
    clip = await readFile(file);
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
  });

  it('resumes where an upload stopped, refuses a wrong offset, and files the take again when complete', async () => {
    await seedTake('take-up0001');
    const half = Math.floor(clip.length / 2);
    expect(
      await (
        await call('PUT', '/api/uploads/take-up0001?offset=0', device, clip.subarray(0, half))
      ).json(),
    ).toEqual({ takeId: 'take-up0001', offset: half });
    // The connection dropped here; the phone asks where to resume.
    expect(await (await call('GET', '/api/uploads/take-up0001')).json()).toEqual({
      takeId: 'take-up0001',
      offset: half,
    });
    const wrong = await call(
      'PUT',
      '/api/uploads/take-up0001?offset=0',
      device,
      clip.subarray(0, 10),
    );
    expect(wrong.status).toBe(409);
    expect(await wrong.json()).toEqual({ error: `this upload continues at byte ${half}, not 0` });
    await call('PUT', `/api/uploads/take-up0001?offset=${half}`, device, clip.subarray(half));
    const done = await call('POST', '/api/uploads/take-up0001/complete');
    expect(done.status).toBe(202);

    const take = takeManifestSchema.parse(
      JSON.parse((await client.get(redisKeys.take('take-up0001')))!),
    );
    expect(take.phoneCopy).toEqual({
      file: `takes/${show.id}/take-up0001.phone.webm`,
      bytes: clip.length,
    });
    expect(await buffer(await server.media.read(take.phoneCopy!.file))).toEqual(clip);
    const queue = new Queue(FILE_TAKE_QUEUE, { connection: client });
    expect((await queue.getJob('take-up0001-phone'))?.data).toEqual({ takeId: 'take-up0001' });
    await queue.close();
    expect((await call('POST', '/api/uploads/take-up0001/complete')).status).toBe(409);
  });

  it('only the phone that recorded a take may upload it, and only when asked', async () => {
    await seedTake('take-up0002', false);
    expect(
      (await call('GET', '/api/uploads/take-up0002', 'someone-elses-device-token')).status,
    ).toBe(403);
    expect(await (await call('GET', '/api/uploads/take-up0002')).json()).toEqual({
      error: 'no upload was asked for this take',
    });
    expect((await call('GET', '/api/uploads/no-such-take')).status).toBe(404);
  });

  it('takes the phone’s offer of a take after the show: only its own phone, only until uploaded', async () => {
    await seedTake('take-up0005', false);
    expect(
      (await call('POST', '/api/uploads/take-up0005/offer', 'someone-elses-device-token')).status,
    ).toBe(403);
    expect(await (await call('POST', '/api/uploads/take-up0005/offer')).json()).toEqual({
      takeId: 'take-up0005',
      offset: 0,
    });
    await call('PUT', '/api/uploads/take-up0005?offset=0', device, clip);
    expect((await call('POST', '/api/uploads/take-up0005/complete')).status).toBe(202);
    const again = await call('POST', '/api/uploads/take-up0005/offer');
    expect([again.status, await again.json()]).toEqual([
      409,
      { error: 'this take’s phone copy is already uploaded' },
    ]);
  });

  it('refuses what is too big, and a file that is not a recording, leaving nothing half-written', async () => {
    await seedTake('take-up0003');
    const big = await call(
      'PUT',
      '/api/uploads/take-up0003?offset=0',
      device,
      Buffer.alloc(1024 * 1024 + 1),
    );
    expect(big.status).toBe(413);
    await call(
      'PUT',
      '/api/uploads/take-up0003?offset=0',
      device,
      Buffer.from('not a video at all'),
    );
    const bad = await call('POST', '/api/uploads/take-up0003/complete');
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: string }).error).toMatch(
      /^the uploaded file is not a playable recording/,
    );
    expect(await (await call('GET', '/api/uploads/take-up0003')).json()).toEqual({
      takeId: 'take-up0003',
      offset: 0,
    });
  });

  it('a chunk sent many times at once lands once', async () => {
    await seedTake('take-up0004');
    const chunk = clip.subarray(0, 256 * 1024);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        call('PUT', '/api/uploads/take-up0004?offset=0', device, chunk),
      ),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    expect(await (await call('GET', '/api/uploads/take-up0004')).json()).toEqual({
      takeId: 'take-up0004',
      offset: chunk.length,
    });
    const partial = path.join(server.dataDir, 'takes', show.id, 'take-up0004.phone.webm.partial');
    expect((await readFile(partial)).equals(chunk)).toBe(true);
  });

  it('refuses a stranger’s chunk before reading its body', async () => {
    await seedTake('take-up0005');
    const url = `${server.baseUrl}/api/uploads/take-up0005?offset=0`;
    const raw = { 'content-type': 'application/octet-stream' };
    expect(await answerBeforeBody(url, 'PUT', raw)).toBe(401);
    expect(
      await answerBeforeBody(url, 'PUT', {
        ...raw,
        authorization: 'Bearer made-up-device-token-0123456789',
      }),
    ).toBe(403);
  });

  it('refuses a phone copy while the disk is below its floor', async () => {
    const { bavail, bsize } = await statfs(server.dataDir);
    const full = await startServerWithRedis({
      SHOWREC_MIN_FREE_MB: String(Math.ceil((bavail * bsize) / 1048576) + 1024),
    });
    const redis = new Redis(full.redisUrl);
    try {
      const crowded = await createTestShow(full.baseUrl, full.adminToken, 'Full disk');
      await redis.hset(redisKeys.showDevices(crowded.id), hashSecret(device), 'part-ada001');
      await redis.set(
        redisKeys.take('take-up0006'),
        (await client.get(redisKeys.take('take-up0005')))!
          .replaceAll('take-up0005', 'take-up0006')
          .replaceAll(show.id, crowded.id),
      );
      const res = await fetch(`${full.baseUrl}/api/uploads/take-up0006?offset=0`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${device}`, 'content-type': 'application/octet-stream' },
        body: clip.subarray(0, 1024),
      });
      expect(res.status).toBe(507);
      expect(((await res.json()) as { error: string }).error).toMatch(/below its floor/);
    } finally {
      redis.disconnect();
      await full.stop();
    }
  });
});
