import { describe, expect, it } from 'vitest';
import { waitFor } from '@showrec/infra';
import type { ShowView } from '@showrec/protocol';
import { joinAs } from '../support/phones.js';
import { showApi } from '../support/show-api.js';
import { useStackAndBrowser } from '../support/stack-and-browser.js';
import { createShow } from '../support/test-stack.js';

describe('fault: Redis restarts mid-show', () => {
  const env = useStackAndBrowser();

  /** A show of a capture cue and credits, with one phone joined; `call` is the host's REST. */
  async function songShow(title: string, phoneName: string) {
    const { stack, browser } = env;
    const show = await createShow(stack, title);
    const call = async (method: string, path: string, body?: object) =>
      fetch(`${stack.baseUrl}/api/shows/${show.id}${path}`, {
        method,
        headers: { authorization: `Bearer ${show.hostKey}`, 'content-type': 'application/json' },
        body: body && JSON.stringify(body),
      });
    await call('POST', '/cues', { kind: 'capture', text: 'The song' });
    await call('POST', '/cues', { kind: 'credits', text: 'Thanks' });
    const phone = await joinAs(browser, stack.baseUrl, show.joinCode, phoneName);
    return { host: showApi(stack, show), call, phone };
  }

  it('the show comes back from the AOF where it was, and the take recording through the restart is filed', async () => {
    const { stack } = env;
    const { host, call, phone } = await songShow('Redis blip', 'Lin');
    await call('POST', '/go', { expectedCueId: null });
    await phone.locator('[data-phase="recording"]').waitFor();
    await new Promise((r) => setTimeout(r, 2000));

    await stack.restartRedis();
    await waitFor(
      'healthz 200 again',
      async () => (await fetch(`${stack.baseUrl}/healthz`)).status === 200,
      30_000,
    );
    const view = (await (await call('GET', '')).json()) as ShowView;
    expect(view).toMatchObject({
      currentCueIndex: 0,
      capture: { running: true },
      cues: [{ text: 'The song' }, { text: 'Thanks' }],
    });
    await new Promise((r) => setTimeout(r, 2000));

    expect((await call('POST', '/go', { expectedCueId: view.cues[0]!.id })).status).toBe(200);
    await phone.locator('[data-phase="standby"]').waitFor();
    await phone.context().close();
    const [take] = await host.takes();
    expect(take).toMatchObject({ status: 'ended', endReason: 'stopped' });
    const [record] = await host.recordsFiled(1);
    expect(record!.takeId).toBe(take!.id);
    expect(record!.media.durationMs).toBeGreaterThan(3500);
  });

  it('a Redis that comes back without its last acknowledged writes (a failover to a lagging replica) loses no take: the node stores it again', async () => {
    const { stack } = env;
    const { host, call, phone } = await songShow('Lost writes', 'Mo');
    // No worker: the take's job must live in Redis alone when Redis forgets it.
    await stack.stopWorker();
    await call('POST', '/go', { expectedCueId: null });
    await phone.locator('[data-phase="recording"]').waitFor();
    const [recording] = await waitFor('the take stored as recording', async () => {
      const takes = await host.takes();
      return takes.length === 1 ? takes : null;
    });
    const before = await stack.snapshotRedis();
    await new Promise((r) => setTimeout(r, 3000));
    const view = (await (await call('GET', '')).json()) as ShowView;
    expect((await call('POST', '/go', { expectedCueId: view.cues[0]!.id })).status).toBe(200);
    await phone.locator('[data-phase="standby"]').waitFor();
    await waitFor('the take ended and queued', async () => {
      const [take] = await host.takes();
      return take?.status === 'ended' ? take : null;
    });

    // Redis loses everything since the snapshot: the take's end, its job, the cue move.
    await stack.restartRedis({ rollBackTo: before });
    const repaired = await waitFor(
      'the node to store the ended take again',
      async () => {
        const takes = await host.takes().catch(() => []);
        return takes[0]?.status === 'ended' ? takes[0] : null;
      },
      30_000,
    );
    expect(repaired).toMatchObject({ id: recording!.id, endReason: 'stopped' });
    await stack.startWorker();
    const [record] = await host.recordsFiled(1);
    expect(record!.takeId).toBe(recording!.id);
    expect(record!.media.durationMs).toBeGreaterThan(2500);
  });
});
