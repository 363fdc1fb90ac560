import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { signalExactly } from '@showrec/infra/processes';
import { describe, expect, it } from 'vitest';
import type { ShowCreated } from '@showrec/protocol';
import { joinAs } from '../support/phones.js';
import { showApi } from '../support/show-api.js';
import { createShow, waitFor } from '../support/test-stack.js';
import { useStackAndBrowser } from '../support/stack-and-browser.js';

describe('capture faults: nothing a phone recorded is lost', () => {
  const env = useStackAndBrowser();

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const capture = (show: ShowCreated, verb: 'start' | 'stop') =>
    showApi(env.stack, show).capture(verb);
  const takes = (show: ShowCreated) => showApi(env.stack, show).takes();
  const records = (show: ShowCreated, count: number) =>
    showApi(env.stack, show).recordsFiled(count);

  it('a recorder killed mid-take: the take is marked failed with the reason, its partial file is filed, and recording resumes', async () => {
    const show = await createShow(env.stack, 'Recorder crash');
    const phone = await joinAs(env.browser, env.stack.baseUrl, show.joinCode, 'Lin');
    const [firstTake] = (await capture(show, 'start')).takeIds;
    await phone.locator('[data-phase="recording"]').waitFor();
    await sleep(3000);
    const recording = (await takes(show)).find((t) => t.id === firstTake);
    expect(signalExactly(recording!.recorder!, 'SIGKILL')).toBe(true);

    const [failed, resumed] = await waitFor('a second take', async () => {
      const all = await takes(show);
      return all.length === 2 && all[0]!.status === 'failed' ? all : null;
    });
    expect(failed).toMatchObject({
      id: firstTake,
      endReason: 'recorder-died',
      participant: { name: 'Lin' },
    });
    expect(failed!.failure).toMatch(
      /recorder process exited unexpectedly \(code null, signal SIGKILL\)/,
    );
    expect(resumed).toMatchObject({ status: 'recording', participant: { name: 'Lin' } });
    await phone.locator('[data-phase="recording"]').waitFor();
    await sleep(3000);
    expect((await capture(show, 'stop')).takeIds).toEqual([resumed!.id]);
    await phone.context().close();

    const filed = await records(show, 2);
    const byTake = new Map(filed.map((r) => [r.takeId, r]));
    expect(byTake.get(firstTake!)!.media.durationMs).toBeGreaterThan(1500);
    expect(byTake.get(resumed!.id)!.media.durationMs).toBeGreaterThan(1500);
    expect(filed.every((r) => r.contributors[0]!.name === 'Lin')).toBe(true);
  });

  it('a phone that vanishes mid-take: its take ends with what arrived and is filed', async () => {
    const show = await createShow(env.stack, 'Phone drop');
    const phone = await joinAs(env.browser, env.stack.baseUrl, show.joinCode, 'Kim');
    const [takeId] = (await capture(show, 'start')).takeIds;
    await phone.locator('[data-phase="recording"]').waitFor();
    await sleep(3500);
    await phone.context().close();

    const [ended] = await waitFor('the take to end', async () => {
      const all = await takes(show);
      return all[0]?.status === 'ended' ? all : null;
    });
    expect(ended).toMatchObject({
      id: takeId,
      endReason: expect.stringMatching(/^(left|disconnected)$/),
    });
    const [record] = await records(show, 1);
    expect(record!.takeId).toBe(takeId);
    expect(record!.media.durationMs).toBeGreaterThan(2500);
    expect((await capture(show, 'stop')).takeIds).toEqual([]);
  });

  it('a recorder killed while Redis refuses writes: the show-server keeps running, and the take is filed once Redis takes writes again', async () => {
    const show = await createShow(env.stack, 'Full disk on Redis');
    const phone = await joinAs(env.browser, env.stack.baseUrl, show.joinCode, 'Mo');
    const [takeId] = (await capture(show, 'start')).takeIds;
    await phone.locator('[data-phase="recording"]').waitFor();
    await sleep(3000);
    const recording = (await takes(show)).find((t) => t.id === takeId);
    const redis = new Redis(env.stack.redisUrl);
    // What Redis answers every write when its AOF cannot be written (a full disk, say).
    await redis.config('SET', 'min-replicas-to-write', '1');
    try {
      expect(signalExactly(recording!.recorder!, 'SIGKILL')).toBe(true);
      const log = path.join(env.stack.dataDir, 'logs', 'show-server.log');
      await waitFor('the refused write in the log', async () =>
        (await readFile(log, 'utf8')).includes('could not store or queue a finished take'),
      );
      await sleep(2000);
      expect(env.stack.server.exitCode).toBeNull();
    } finally {
      await redis.config('SET', 'min-replicas-to-write', '0');
      redis.disconnect();
    }
    await waitFor(
      'the take ended as its recorder died',
      async () => {
        const take = (await takes(show)).find((t) => t.id === takeId);
        return take?.status === 'failed' && take.endReason === 'recorder-died';
      },
      30_000,
    );
    await capture(show, 'stop');
    await phone.context().close();
    const filed = await waitFor(
      'the killed take filed',
      async () =>
        (await showApi(env.stack, show).records()).find((r) => r.takeId === takeId) ?? null,
      120_000,
    );
    expect(filed.media.durationMs).toBeGreaterThan(1500);
  });
});
