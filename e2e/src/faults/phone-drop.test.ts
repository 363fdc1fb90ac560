import { describe, expect, it } from 'vitest';
import { waitFor } from '@showrec/infra';
import { joinAs } from '../support/phones.js';
import { showApi } from '../support/show-api.js';
import { useStackAndBrowser } from '../support/stack-and-browser.js';
import { createShow } from '../support/test-stack.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fault: a phone’s network drops mid-take', () => {
  const env = useStackAndBrowser();

  it('the take ends with what arrived; back online, the phone records a new take linked as the next part', async () => {
    const { stack, browser } = env;
    const show = await createShow(stack, 'Bad Wi-Fi');
    const host = showApi(stack, show);
    const phone = await joinAs(browser, stack.baseUrl, show.joinCode, 'Kim');
    const [first] = (await host.capture('start')).takeIds;
    await phone.locator('[data-phase="recording"]').waitFor();
    await sleep(3000);

    await phone.context().setOffline(true);
    await phone.locator('[data-phase="reconnecting"]').waitFor();
    const cut = await waitFor('the cut take to end', async () => {
      const take = (await host.takes()).find((t) => t.id === first);
      return take?.status === 'ended' ? take : null;
    });
    expect(cut.endReason).toBe('disconnected');

    await phone.context().setOffline(false);
    await phone.locator('[data-phase="recording"]').waitFor({ timeout: 30_000 });
    await sleep(3000);
    const [second] = (await host.capture('stop')).takeIds;
    const takes = await host.takes();
    expect(takes.find((t) => t.id === second)).toMatchObject({
      continues: first,
      participant: { name: 'Kim' },
    });

    const records = await host.recordsFiled(2);
    const [part1, part2] = [
      records.find((r) => r.takeId === first)!,
      records.find((r) => r.takeId === second)!,
    ];
    expect(part1.continues).toBeNull();
    expect(part2.continues).toBe(part1.id);
    expect(part1.media.durationMs).toBeGreaterThan(2500);
    expect(part2.media.durationMs).toBeGreaterThan(2500);
  });
});
