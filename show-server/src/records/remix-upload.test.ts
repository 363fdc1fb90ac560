import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip } from '@showrec/infra';
import {
  EDIT_RECORD_QUEUE,
  FILE_UPLOAD_JOB,
  redisKeys,
  type ReviewBoard,
  type ShowCreated,
} from '@showrec/protocol';
import { apiClient, createTestShow } from '../test-support/api-client.js';
import { storeRecord, testRecord } from '../test-support/records.js';
import { answerBeforeBody, trickle } from '../test-support/partial-request.js';
import { startServerWithRedis, type ServerWithRedis } from '../test-support/server-process.js';

describe('remix uploads (real server process, Redis, ffprobe)', () => {
  let server: ServerWithRedis;
  let client: Redis;
  let edits: Queue;
  let show: ShowCreated;
  let other: ShowCreated;
  let clip: Buffer;

  beforeAll(async () => {
    // What a crashed process was receiving: an old partial file, and one another process is still writing.
    const dataDir = await mkdtemp(path.join(tmpdir(), 'showrec-remix-'));
    const incoming = path.join(dataDir, 'uploads', '.incoming');
    await mkdir(incoming, { recursive: true });
    await writeFile(path.join(incoming, 'remix-stale0001'), 'half');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(path.join(incoming, 'remix-stale0001'), twoHoursAgo, twoHoursAgo);
    await writeFile(path.join(incoming, 'remix-fresh0001'), 'still coming');
    server = await startServerWithRedis({
      SHOWREC_MAX_UPLOAD_MB: '1',
      SHOWREC_DATA_DIR: dataDir,
    });
    client = new Redis(server.redisUrl);
    edits = new Queue(EDIT_RECORD_QUEUE, { connection: client });
    show = await createTestShow(server.baseUrl, server.adminToken, 'Remix night');
    other = await createTestShow(server.baseUrl, server.adminToken, 'Another show');
    const file = path.join(server.dataDir, 'clip.mkv');
    await makeClip(file, { seconds: 2, width: 320, height: 240 });
    clip = await readFile(file);
    await storeRecord(
      client,
      testRecord('rec-take-parent1', show.id, {
        takeId: 'take-parent1',
        title: 'Remix night · Ada',
      }),
    );
  });
  afterAll(async () => {
    await edits?.close();
    client?.disconnect();
    await server?.stop();
  });

  async function upload(
    key: string | undefined,
    fields: Record<string, string>,
    file?: { bytes: Buffer; name: string },
    showId = show.id,
  ): Promise<{ status: number; body: { error?: string; recordId?: string; parents?: string[] } }> {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    if (file) form.append('file', new Blob([new Uint8Array(file.bytes)]), file.name);
    const res = await fetch(`${server.baseUrl}/api/shows/${showId}/records`, {
      method: 'POST',
      headers: key ? { authorization: `Bearer ${key}` } : {},
      body: form,
    });
    return { status: res.status, body: (await res.json()) as { error?: string } };
  }

  const fields = () => ({
    title: 'Ada, slowed down',
    contributor: 'Bo',
    parents: 'rec-take-parent1',
  });

  /** Nothing of a refused upload may stay: no file, no job, nothing pending in the show. */
  async function expectNothingLeft(): Promise<void> {
    const uploads = path.join(server.dataDir, 'uploads');
    const files = await readdir(uploads, { recursive: true }).catch(() => []);
    expect(files.filter((f) => !['.incoming', show.id].includes(f))).toEqual([]);
    expect(await server.media.list('uploads/')).toEqual([]);
    expect(await client.scard(redisKeys.showPendingRecords(show.id))).toBe(0);
    expect(await edits.count()).toBe(0);
  }

  it('at start, removes what a crashed process left half-received, and only that', async () => {
    expect(await readdir(path.join(server.dataDir, 'uploads', '.incoming'))).toEqual([
      'remix-fresh0001',
    ]);
    await rm(path.join(server.dataDir, 'uploads', '.incoming', 'remix-fresh0001'));
  });

  it('refuses a file that is not media, with ffprobe’s reason, and keeps nothing', async () => {
    const res = await upload(show.crewKey, fields(), {
      bytes: randomBytes(64 * 1024),
      name: 'remix.mp4',
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatch(/^the file is not a playable video: ffprobe cannot read it/);
    await expectNothingLeft();
  });

  it('refuses a file over the size limit while it streams, and keeps nothing', async () => {
    const res = await upload(show.crewKey, fields(), {
      bytes: Buffer.concat([clip, randomBytes(1536 * 1024)]),
      name: 'remix.mkv',
    });
    expect(res).toEqual({
      status: 413,
      body: { error: 'the file is larger than the 1 MB allowed' },
    });
    await expectNothingLeft();
  });

  it('refuses a wrong extension before writing a byte, even when the bytes are a video', async () => {
    const res = await upload(show.crewKey, fields(), { bytes: clip, name: 'remix.txt' });
    expect(res.status).toBe(415);
    expect(res.body.error).toBe(
      '"remix.txt" is not a video file: a remix must be .mp4, .mov, .m4v, .webm, .mkv',
    );
    await expectNothingLeft();
  });

  it('refuses a stranger before reading a byte of the upload', async () => {
    const url = `${server.baseUrl}/api/shows/${show.id}/records`;
    const multipart = { 'content-type': 'multipart/form-data; boundary=x' };
    expect(await answerBeforeBody(url, 'POST', multipart)).toBe(401);
    expect(
      await answerBeforeBody(url, 'POST', {
        ...multipart,
        authorization: `Bearer ${other.crewKey}`,
      }),
    ).toBe(403);
  });

  it('refuses strangers, parents from another show, missing fields and non-multipart bodies', async () => {
    const file = { bytes: clip, name: 'remix.mkv' };
    expect((await upload(undefined, fields(), file)).status).toBe(401);
    expect((await upload(other.crewKey, fields(), file)).status).toBe(403);
    expect((await upload(other.crewKey, fields(), file, other.id)).body.error).toBe(
      'parent rec-take-parent1 is not a RECord of this show',
    );
    expect((await upload(show.crewKey, {}, file)).status).toBe(400);
    expect((await upload(show.crewKey, fields())).body.error).toMatch(/no "file" part/);
    const json = await apiClient(server.baseUrl)(
      'POST',
      `/api/shows/${show.id}/records`,
      show.crewKey,
      fields(),
    );
    expect(json.status).toBe(415);
    await expectNothingLeft();
  });

  it('accepts a video, keeps it as the original and queues it for filing with its parents', async () => {
    const res = await upload(show.crewKey, fields(), { bytes: clip, name: 'My Remix.MKV' });
    expect(res.status).toBe(202);
    expect(res.body.recordId).toMatch(/^remix-[\w-]+$/);
    expect(res.body.parents).toEqual(['rec-take-parent1']);
    const recordId = res.body.recordId!;
    const file = `uploads/${show.id}/${recordId}.mkv`;
    expect(await buffer(await server.media.read(file))).toEqual(clip);
    const job = await edits.getJob(recordId);
    expect(job?.name).toBe(FILE_UPLOAD_JOB);
    expect(job?.data).toEqual({
      recordId,
      showId: show.id,
      file,
      title: 'Ada, slowed down',
      contributor: 'Bo',
      participantId: null,
      parents: ['rec-take-parent1'],
    });

    const board = await apiClient(server.baseUrl)<ReviewBoard>(
      'GET',
      `/api/shows/${show.id}/review`,
      show.crewKey,
    );
    expect(board.body.items.find((i) => i.id === recordId)).toMatchObject({
      kind: 'remix',
      status: 'waiting',
      title: 'Ada, slowed down',
      contributors: [{ participantId: null, name: 'Bo', role: 'remixed' }],
    });
  });
});

describe('remix uploads on a full disk (real server process)', () => {
  it('are refused while the disk is below the recording floor, and keep nothing', async () => {
    const server = await startServerWithRedis({ SHOWREC_MIN_FREE_MB: String(1024 ** 3) });
    try {
      const show = await createTestShow(server.baseUrl, server.adminToken, 'Full disk');
      const form = new FormData();
      for (const [name, value] of Object.entries({
        title: 'Too late',
        contributor: 'Bo',
      }))
        form.append(name, value);
      form.append('file', new Blob([new Uint8Array(1024)]), 'remix.mp4');
      const res = await fetch(`${server.baseUrl}/api/shows/${show.id}/records`, {
        method: 'POST',
        headers: { authorization: `Bearer ${show.crewKey}` },
        body: form,
      });
      expect(res.status).toBe(507);
      expect(((await res.json()) as { error: string }).error).toMatch(
        /^the server's disk is below its floor/,
      );
      expect(await readdir(path.join(server.dataDir, 'uploads')).catch(() => [])).toEqual([]);
      expect(await server.media.list('uploads/')).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});

describe('slow uploads on venue Wi-Fi (real server process)', () => {
  it('carries on as long as bytes keep coming, and closes a connection that goes silent', async () => {
    const server = await startServerWithRedis({ SHOWREC_HTTP_IDLE_TIMEOUT_S: '2' });
    try {
      const show = await createTestShow(server.baseUrl, server.adminToken, 'Slow Wi-Fi');
      const boundary = 'slowwifi';
      const body = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\ncontent-disposition: form-data; name="title"\r\n\r\nSlow\r\n` +
            `--${boundary}\r\ncontent-disposition: form-data; name="contributor"\r\n\r\nBo\r\n` +
            `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="slow.mp4"\r\n` +
            'content-type: video/mp4\r\n\r\n',
        ),
        Buffer.alloc(64 * 1024, 7),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const url = `${server.baseUrl}/api/shows/${show.id}/records`;
      const headers = {
        authorization: `Bearer ${show.crewKey}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      };
      // Six seconds in all, never more than 0.5 s apart: three times the idle timeout, answered.
      expect(await trickle(url, headers, body, { pieces: 12, gapMs: 500 })).toBe(422);
      // Three seconds of silence mid-upload: the connection is closed.
      expect(await trickle(url, headers, body, { pieces: 4, gapMs: 100, stallMs: 3000 })).toBe(
        'closed',
      );
    } finally {
      await server.stop();
    }
  });
});
