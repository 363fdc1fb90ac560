import { describe, expect, it } from 'vitest';
import { waitFor } from '@showrec/infra';
import { joinAs } from '../support/phones.js';
import { showApi } from '../support/show-api.js';
import { useStackAndBrowser } from '../support/stack-and-browser.js';
import { createShow } from '../support/test-stack.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('safety net: the phone’s own recording fills what the network lost', () => {
  const env = useStackAndBrowser();

  it('a take cut by a network drop is refiled from the phone’s local copy, which kept recording offline', async () => {
    const { stack, browser } = env;
    const show = await createShow(stack, 'Double-ended');
    const host = showApi(stack, show);
    const phone = await joinAs(browser, stack.baseUrl, show.joinCode, 'Noor');
    const [cut] = (await host.capture('start')).takeIds;
    await phone.locator('[data-phase="recording"]').waitFor();
    await sleep(3000);

    await phone.context().setOffline(true);
    await waitFor(
      'the server to cut the take',
      async () => (await host.takes()).find((t) => t.id === cut)?.status === 'ended',
    );
    await sleep(3000);
    await phone.context().setOffline(false);

    await phone
      .getByTestId('upload-status')
      .getByText('Your recording was sent. Thank you!')
      .waitFor({ timeout: 60_000 });
    const take = (await host.takes()).find((t) => t.id === cut)!;
    expect(take).toMatchObject({ endReason: 'disconnected', uploadRequested: true });
    expect(take.phoneCopy!.bytes).toBeGreaterThan(10_000);
    await phone.locator('[data-phase="recording"]').waitFor();
    await sleep(3000);
    await host.capture('stop');

    const record = await waitFor(
      'the cut take to be refiled from the phone’s copy',
      async () => (await host.records()).find((r) => r.takeId === cut && r.source === 'phone'),
      120_000,
    );
    // The server's copy ends at the drop (about 3 s); the phone's runs on until it came back.
    const serverSeconds = (take.endedAt! - take.startedAt) / 1000;
    expect(record.media.durationMs / 1000).toBeGreaterThan(serverSeconds + 2);
    expect(record.contributors).toEqual([
      { participantId: take.participant.id, name: 'Noor', role: 'recorded' },
    ]);
  }, 180_000);
});
