import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@showrec/infra';
import {
  FILE_TAKE_JOB,
  FILE_TAKE_QUEUE,
  redisKeys,
  takeManifestSchema,
  type ReviewBoard,
  type ReviewItem,
  type ShowCreated,
  type TakeManifest,
} from '@showrec/protocol';
import {
  apiClient,
  connectSocket,
  createTestShow,
  type TestSocket,
} from '../test-support/api-client.js';
import { storeRecord, testRecord } from '../test-support/records.js';
import { startServerWithRedis, type ServerWithRedis } from '../test-support/server-process.js';

describe('review board (real server process, Redis, BullMQ)', () => {
  let server: ServerWithRedis;
  let client: Redis;
  let takeQueue: Queue;
  let show: ShowCreated;
  let crew: TestSocket;
  let api: ReturnType<typeof apiClient>;
  const heard: Array<[string, unknown]> = [];
  const t0 = Date.parse('2026-11-21T20:00:00Z');

  async function seedTake(id: string, startedAt: number, extra: Partial<TakeManifest> = {}) {
    const take = takeManifestSchema.parse({
      id,
      showId: show.id,
      cueId: null,
      participant: { id: `part-${id}`, name: `Phone ${id.slice(-2)}` },
      status: 'ended',
      startedAt,
      endedAt: startedAt + 5000,
      endReason: 'stopped',
      file: `takes/${show.id}/${id}.mkv`,
      codecs: { audio: 'opus', video: 'VP8' },
      rtp: { audio: null, video: null },
      failure: null,
      ...extra,
    });
    await client.set(redisKeys.take(id), JSON.stringify(take));
    await client.zadd(redisKeys.showTakes(show.id), startedAt, id);
  }

  async function fileRecord(takeId: string) {
    await storeRecord(
      client,
      testRecord(`rec-${takeId}`, show.id, {
        takeId,
        title: `Cabaret · ${takeId}`,
        contributors: [{ participantId: `part-${takeId}`, name: 'Ada', role: 'recorded' }],
        createdAt: new Date(t0 + 60_000).toISOString(),
      }),
    );
  }

  const board = async () =>
    (await api<ReviewBoard>('GET', `/api/shows/${show.id}/review`, show.crewKey)).body;
  const item = (b: ReviewBoard, id: string): ReviewItem => b.items.find((i) => i.id === id)!;

  beforeAll(async () => {
    server = await startServerWithRedis();
    client = new Redis(server.redisUrl, { maxRetriesPerRequest: null });
    takeQueue = new Queue(FILE_TAKE_QUEUE, { connection: client });
    api = apiClient(server.baseUrl);
    show = await createTestShow(server.baseUrl, server.adminToken, 'Cabaret');
    crew = connectSocket(server.baseUrl, { role: 'crew', showId: show.id, key: show.crewKey });
    for (const event of ['review:changed', 'review:progress'] as const)
      crew.on(event, (payload: unknown) => heard.push([event, payload]));
    await new Promise<void>((resolve) => crew.on('show:state', () => resolve()));

    await seedTake('take-filed01', t0);
    await fileRecord('take-filed01');
    await seedTake('take-rec0001', t0 + 1000, {
      status: 'recording',
      endedAt: null,
      endReason: null,
    });
    await seedTake('take-proc001', t0 + 2000);
    await seedTake('take-fail001', t0 + 3000);
    await client.set(redisKeys.takeFailure('take-fail001'), 'the recording holds no video');
    await client.set(
      redisKeys.recordAlignment('rec-take-filed01'),
      JSON.stringify({
        referenceId: 'rec-take-filed01',
        offsetMs: 0,
        startsAt: t0,
        method: 'reference',
        confidence: null,
      }),
    );
  });
  afterAll(async () => {
    crew?.close();
    await takeQueue?.close();
    client?.disconnect();
    await server?.stop();
  });

  it('lists every take in time order with its state: recording, waiting or processing, filed, failed with its reason', async () => {
    // No media-worker runs: a queued take says it is waiting for one, not "processing" forever.
    expect((await board()).items.map((i) => [i.id, i.status])).toEqual([
      ['rec-take-filed01', 'filed'],
      ['rec-take-rec0001', 'recording'],
      ['rec-take-proc001', 'waiting'],
      ['rec-take-fail001', 'failed'],
    ]);
    const connection = new Redis(server.redisUrl, { maxRetriesPerRequest: null });
    const worker = new Worker(FILE_TAKE_QUEUE, async () => undefined, { connection });
    await worker.waitUntilReady();
    const b = await board();
    await worker.close();
    // A connection handed to BullMQ stays its owner's to close.
    connection.disconnect();
    expect(b.show).toEqual({ id: show.id, title: 'Cabaret', cues: [] });
    expect(b.items.map((i) => [i.id, i.status])).toEqual([
      ['rec-take-filed01', 'filed'],
      ['rec-take-rec0001', 'recording'],
      ['rec-take-proc001', 'processing'],
      ['rec-take-fail001', 'failed'],
    ]);
    expect(item(b, 'rec-take-fail001').failure).toBe('the recording holds no video');
    expect(item(b, 'rec-take-filed01')).toMatchObject({
      kind: 'take',
      review: { rating: null, review: 'pending', notes: [] },
      alignment: { method: 'reference', startsAt: t0 },
      record: { id: 'rec-take-filed01' },
    });
    expect(item(b, 'rec-take-rec0001').contributors).toEqual([
      { participantId: 'part-take-rec0001', name: 'Phone 01', role: 'recorded' },
    ]);
  });

  it('shows a transcode’s progress as the worker reports it, live to the crew', async () => {
    const job = await takeQueue.add(
      FILE_TAKE_JOB,
      { takeId: 'take-proc001' },
      { jobId: 'take-proc001' },
    );
    await job.updateProgress(42);
    expect(item(await board(), 'rec-take-proc001').progress).toBe(42);
    await waitFor(
      'progress reaching the crew',
      async () =>
        heard.some(
          ([e, p]) =>
            e === 'review:progress' &&
            JSON.stringify(p) === JSON.stringify({ id: 'rec-take-proc001', progress: 42 }),
        ),
      10_000,
    );
  });

  it('a verdict or a trim is heard by the crew and listed at once', async () => {
    await api('PATCH', '/api/records/rec-take-filed01', show.crewKey, {
      rating: 5,
      review: 'selected',
    });
    await waitFor(
      'the change reaching the crew',
      async () =>
        heard.some(
          ([e, p]) => e === 'review:changed' && (p as { id: string }).id === 'rec-take-filed01',
        ),
      10_000,
    );
    const trim = await api<{ recordId: string }>(
      'POST',
      '/api/records/rec-take-filed01/trim',
      show.crewKey,
      {
        inMs: 500,
        outMs: 2500,
        editor: 'Sam',
      },
    );
    const b = await board();
    expect(item(b, 'rec-take-filed01').review).toMatchObject({ rating: 5, review: 'selected' });
    expect(item(b, trim.body.recordId)).toMatchObject({
      kind: 'trim',
      status: 'waiting',
      title: 'Cabaret · take-filed01 · trim',
      contributors: [
        { participantId: 'part-take-filed01', name: 'Ada', role: 'recorded' },
        { participantId: null, name: 'Sam', role: 'edited' },
      ],
    });
  });

  it('only the show’s crew, host or admin may read it', async () => {
    expect((await api('GET', `/api/shows/${show.id}/review`)).status).toBe(401);
    expect((await api('GET', `/api/shows/${show.id}/review`, 'not-a-key')).status).toBe(403);
    expect((await api('GET', `/api/shows/${show.id}/review`, show.hostKey)).status).toBe(200);
    expect((await api('GET', '/api/shows/show-nosuch1/review', show.crewKey)).status).toBe(404);
  });

  it('the host’s key opens the crew’s live channel too; another show’s key does not', async () => {
    const connects = (key: string) =>
      new Promise<string>((resolve) => {
        const socket = connectSocket(server.baseUrl, { role: 'crew', showId: show.id, key });
        socket.on('show:state', () => {
          socket.close();
          resolve('connected');
        });
        socket.on('connect_error', (err) => {
          socket.close();
          resolve(err.message);
        });
      });
    expect(await connects(show.hostKey)).toBe('connected');
    const other = await createTestShow(server.baseUrl, server.adminToken, 'Other');
    expect(await connects(other.hostKey)).toBe('wrong crew key for this show');
  });
});
