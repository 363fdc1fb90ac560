import { describe, expect, it } from 'vitest';
import type { ReviewBoard } from '@showrec/protocol';
import { waitFor } from '@showrec/infra';
import { joinAs } from '../support/phones.js';
import { showApi } from '../support/show-api.js';
import { useStackAndBrowser } from '../support/stack-and-browser.js';
import { createShow } from '../support/test-stack.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('safety net: the phone’s own recording fills what the network lost', () => {
  const env = useStackAndBrowser();

  /**
   * A phone records for 3 s, then the venue's Wi-Fi drops: the server cuts its take, and the
   * phone's own copy goes on recording offline for 5 s more (a reload loses the copy's last
   * second or so, still being written: the tests ask for 2 s more than the server's).
   */
  async function recordThroughDrop(title: string, name: string) {
    const { stack, browser } = env;
    const show = await createShow(stack, title);
    const host = showApi(stack, show);
    const phone = await joinAs(browser, stack.baseUrl, show.joinCode, name);
    const [takeId] = (await host.capture('start')).takeIds;
    await phone.locator('[data-phase="recording"]').waitFor();
    await sleep(3000);
    await phone.context().setOffline(true);
    await waitFor(
      'the server to cut the take',
      async () => (await host.takes()).find((t) => t.id === takeId)?.status === 'ended',
    );
    await sleep(5000);
    return { show, host, phone, takeId: takeId! };
  }

  it('a take cut by a network drop is refiled from the phone’s local copy, which kept recording offline', async () => {
    const { host, phone, takeId: cut } = await recordThroughDrop('Double-ended', 'Noor');
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
    await phone.context().close();

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

  it('the phone’s copy survives a reload and is sent from Your RECords after the show; the RECord is refiled from it, verdicts kept', async () => {
    const { stack } = env;
    const { show, host, phone, takeId } = await recordThroughDrop('Reload night', 'Iris');
    await host.capture('stop');
    // The page is reloaded while still offline: everything it held in memory is gone.
    await phone.reload().catch(() => undefined);
    const fromServer = await waitFor(
      'the server’s copy filed',
      async () => (await host.records()).find((r) => r.takeId === takeId),
      60_000,
    );
    expect(fromServer.source).toBe('server');
    const verdict = await fetch(`${stack.baseUrl}/api/records/${fromServer.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${show.crewKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ review: 'selected', rating: 5 }),
    });
    expect(verdict.status).toBe(200);

    // After the show, back online: Your RECords finds the copy on the phone and sends it.
    await phone.context().setOffline(false);
    await phone.goto(`${stack.baseUrl}/me/${show.joinCode}`);
    const copy = phone.locator(`[data-testid="local-copy"][data-take-id="${takeId}"]`);
    await copy.waitFor({ timeout: 15_000 });
    await copy.getByRole('button', { name: 'Send full quality' }).click();
    await copy.getByText(/^Sent/).waitFor({ timeout: 60_000 });

    const fromPhone = await waitFor(
      'the RECord refiled from the phone’s copy',
      async () => (await host.records()).find((r) => r.takeId === takeId && r.source === 'phone'),
      120_000,
    );
    expect(fromPhone.id).toBe(fromServer.id);
    expect(fromPhone.media.durationMs).toBeGreaterThan(fromServer.media.durationMs + 2000);
    const review = (await (
      await fetch(`${stack.baseUrl}/api/shows/${show.id}/review`, {
        headers: { authorization: `Bearer ${show.crewKey}` },
      })
    ).json()) as ReviewBoard;
    expect(review.items.find((i) => i.id === fromServer.id)!.review).toMatchObject({
      review: 'selected',
      rating: 5,
    });
    // Sent, the copy leaves the phone.
    await phone.reload();
    await phone.getByRole('heading', { name: 'Your RECords' }).waitFor();
    expect(await phone.getByTestId('local-copy').count()).toBe(0);
  }, 240_000);
});
