import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedRedis, type EmbeddedRedis } from '@showrec/infra';
import {
  apiClient,
  connectSocket,
  createTestShow,
  emit,
  nextEvent,
  type TestSocket,
} from '../test-support/api-client.js';
import { startServerProcess, type ServerProcess } from '../test-support/server-process.js';

describe('two show-server processes on one Redis', () => {
  let redis: EmbeddedRedis;
  let a: ServerProcess;
  let b: ServerProcess;
  const sockets: TestSocket[] = [];
  beforeAll(async () => {
    redis = await startEmbeddedRedis({ dir: await mkdtemp(path.join(tmpdir(), 'showrec-redis-')) });
    [a, b] = await Promise.all([
      startServerProcess({ REDIS_URL: redis.url }),
      startServerProcess({ REDIS_URL: redis.url }),
    ]);
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it('a GO on one reaches the stage and the host connected to the other, with the same state', async () => {
    const show = await createTestShow(a.baseUrl, a.adminToken, 'Two servers');
    for (const text of ['Welcome', 'First act']) {
      await apiClient(a.baseUrl)('POST', `/api/shows/${show.id}/cues`, show.hostKey, {
        kind: 'title',
        text,
      });
    }
    const stageOnB = connectSocket(b.baseUrl, { role: 'stage', showId: show.id });
    const hostOnA = connectSocket(a.baseUrl, { role: 'host', showId: show.id, key: show.hostKey });
    sockets.push(stageOnB, hostOnA);
    await nextEvent(stageOnB, 'show:state');

    const seenOnB = nextEvent(stageOnB, 'show:state', (view) => view.currentCueIndex === 0);
    expect(await emit(hostOnA, 'go', { expectedCueId: null })).toMatchObject({
      ok: true,
      data: { currentCueIndex: 0 },
    });
    expect((await seenOnB).cues[0]!.text).toBe('Welcome');

    // And the other way round: a GO over HTTP on B reaches the host on A.
    const seenOnA = nextEvent(hostOnA, 'show:state', (view) => view.currentCueIndex === 1);
    expect(
      (
        await apiClient(b.baseUrl)('POST', `/api/shows/${show.id}/go`, show.hostKey, {
          expectedCueId: (await seenOnB).cues[0]!.id,
        })
      ).status,
    ).toBe(200);
    expect((await seenOnA).cues[1]!.text).toBe('First act');
  });
});
