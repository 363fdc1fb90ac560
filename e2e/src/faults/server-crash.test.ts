import { describe, expect, it } from 'vitest';
import { waitFor } from '@showrec/infra';
import { joinAs } from '../support/phones.js';
import { showApi } from '../support/show-api.js';
import { useStackAndBrowser } from '../support/stack-and-browser.js';
import { createShow } from '../support/test-stack.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fault: the show-server is killed mid-capture', () => {
  const env = useStackAndBrowser();

  it('kill -9, restart: the takes it was recording are recovered and filed; phones record again', async () => {
    const { stack, browser } = env;
    const show = await createShow(stack, 'Crash night');
    const host = showApi(stack, show);
    const phones = await Promise.all(
      ['Ada', 'Grace'].map((name) => joinAs(browser, stack.baseUrl, show.joinCode, name)),
    );
    const before = (await host.capture('start')).takeIds;
    expect(before).toHaveLength(2);
    for (const phone of phones) await phone.locator('[data-phase="recording"]').waitFor();
    await sleep(4000);

    stack.server.kill('SIGKILL');
    for (const phone of phones) await phone.locator('[data-phase="reconnecting"]').waitFor();
    await stack.restartServer();

    // Capture is still on for the show: the phones come back and record new takes.
    for (const phone of phones)
      await phone.locator('[data-phase="recording"]').waitFor({ timeout: 30_000 });
    const recovered = await waitFor(
      'the killed server’s takes to be recovered',
      async () => {
        const takes = await host.takes();
        const old = takes.filter((t) => before.includes(t.id));
        return old.every((t) => t.status === 'ended') ? old : null;
      },
      40_000,
    );
    for (const take of recovered)
      expect(take).toMatchObject({ endReason: 'server-crashed', failure: null });
    await sleep(3000);
    const after = (await host.capture('stop')).takeIds;
    expect(after).toHaveLength(2);
    for (const phone of phones) await phone.context().close();

    const records = await host.recordsFiled(4);
    const byTake = new Map(records.map((r) => [r.takeId, r]));
    for (const takeId of [...before, ...after])
      expect(byTake.get(takeId)?.media.durationMs).toBeGreaterThan(2000);
    // The recovered takes hold what was recorded before the kill (about 4 s).
    for (const takeId of before) expect(byTake.get(takeId)!.media.durationMs).toBeGreaterThan(3000);
    expect(records.map((r) => r.contributors[0]!.name).sort()).toEqual([
      'Ada',
      'Ada',
      'Grace',
      'Grace',
    ]);
  });
});
