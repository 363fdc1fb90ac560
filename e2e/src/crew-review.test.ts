import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeClip } from '@showrec/infra';
import type { ReviewBoard } from '@showrec/protocol';
import { joinAs } from './support/phones.js';
import { showApi } from './support/show-api.js';
import { useStackAndBrowser } from './support/stack-and-browser.js';
import { createShow, waitFor } from './support/test-stack.js';

describe('the crew reviews the takes in a browser', () => {
  const env = useStackAndBrowser();

  it('rates, selects, trims and publishes from the keyboard; angles play in sync; the phone gets its RECord back, claims it on another browser and remixes the other phone’s from there', async () => {
    const { stack, browser } = env;
    const show = await createShow(stack, 'Review night');
    const host = showApi(stack, show);
    const asHost = { authorization: `Bearer ${show.hostKey}`, 'content-type': 'application/json' };
    await fetch(`${stack.baseUrl}/api/shows/${show.id}/cues`, {
      method: 'POST',
      headers: asHost,
      body: JSON.stringify({ kind: 'capture', text: 'The song', performer: 'Ada' }),
    });
    const phones = await Promise.all([
      joinAs(browser, stack.baseUrl, show.joinCode, 'Ada'),
      joinAs(browser, stack.baseUrl, show.joinCode, 'Grace'),
    ]);
    await fetch(`${stack.baseUrl}/api/shows/${show.id}/go`, {
      method: 'POST',
      headers: asHost,
      body: JSON.stringify({ expectedCueId: null }),
    });
    for (const phone of phones)
      await phone.locator('[data-phase="recording"]').waitFor({ timeout: 10_000 });

    const crew = await (await browser.newContext()).newPage();
    await crew.goto(show.reviewUrl);
    // Takes are listed from the moment they start recording.
    await crew
      .locator('[data-testid="review-item"][data-status="recording"]')
      .nth(1)
      .waitFor({ timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 5000));
    await host.capture('stop');
    await host.recordsFiled(2);
    const filed = crew.locator('[data-testid="review-item"][data-status="filed"]');
    await filed.nth(1).waitFor({ timeout: 30_000 });
    await crew.getByRole('heading', { name: /1\. The song · Ada/ }).waitFor();

    // The first take is current: rate it 4 and select it, from the keyboard.
    const first = filed.first();
    const sourceId = (await first.getAttribute('data-id'))!;
    await crew.locator(`[data-testid="take-detail"][data-id="${sourceId}"]`).waitFor();
    await crew.keyboard.press('4');
    await crew.keyboard.press('s');
    await crew
      .locator(`[data-testid="review-item"][data-id="${sourceId}"][data-review="selected"]`)
      .waitFor({ timeout: 10_000 });
    await expect(
      crew
        .locator(`[data-testid="review-item"][data-id="${sourceId}"] [data-testid="item-rating"]`)
        .textContent(),
    ).resolves.toBe('★★★★');
    // Downloads go by a signed link asked for on click: no key in any URL the browser visits.
    const [csv] = await Promise.all([
      crew.waitForEvent('download'),
      crew.getByRole('link', { name: 'credits CSV' }).click(),
    ]);
    expect(csv.url()).toMatch(/\/credits\.csv\?expires=\d+&sig=[\w-]+$/);
    expect(csv.url()).not.toContain(show.crewKey);
    expect(csv.suggestedFilename()).toBe('Review night credits.csv');
    // The next take, rejected: j moves, r rejects.
    await crew.keyboard.press('j');
    await crew.keyboard.press('r');
    await crew
      .locator('[data-testid="review-item"][data-review="rejected"]')
      .waitFor({ timeout: 10_000 });
    const reviewBoard = async () =>
      (await (
        await fetch(`${stack.baseUrl}/api/shows/${show.id}/review`, {
          headers: { authorization: `Bearer ${show.crewKey}` },
        })
      ).json()) as ReviewBoard;
    const board = await reviewBoard();
    expect(board.items.find((i) => i.id === sourceId)!.review).toMatchObject({
      rating: 4,
      review: 'selected',
    });

    // Angles of this moment: both phones recorded it; once the worker has aligned them, they
    // play side by side, in step.
    const aligned = await waitFor(
      'the takes aligned',
      async () => {
        const b = await reviewBoard();
        return b.items.every((i) => i.alignment) ? b : null;
      },
      30_000,
    );
    await crew.keyboard.press('k');
    await crew.keyboard.press('m');
    await crew.locator('[data-testid="multi-angle"]').waitFor();
    expect(await crew.locator('[data-testid="angle"]').count()).toBe(2);
    // The page hears of the alignment from the server as the worker finishes it: each angle then
    // says how it was placed (the reference, by its audio), not by the server's clock.
    const methods = aligned.items.map((i) => i.alignment!.method).sort();
    await waitFor(
      'the page placing both angles as aligned',
      async () => {
        const said = await crew.getByTestId('angle-offset').allTextContents();
        return (
          said
            .map((t) => t.split(' ')[0])
            .sort()
            .join() === methods.join() || null
        );
      },
      10_000,
    );
    expect(await crew.locator('[data-testid="angle-timeline"] .lane').count()).toBe(2);
    await crew.getByTestId('angles-play').click();
    await waitFor(
      'both angles playing',
      async () => {
        const times = await crew
          .locator('[data-testid="angle"] video')
          .evaluateAll((videos) => (videos as HTMLVideoElement[]).map((v) => v.currentTime));
        return times.every((t) => t > 1.5) ? times : null;
      },
      15_000,
    );
    const otherId = aligned.items.find((i) => i.id !== sourceId)!.id;
    const placed = [sourceId, otherId].map(
      (id) => aligned.items.find((i) => i.id === id)!.alignment!.startsAt,
    );
    const times = await crew
      .locator('[data-testid="angle"] video')
      .evaluateAll((videos) => (videos as HTMLVideoElement[]).map((v) => v.currentTime));
    // On the show's timeline both videos are at the same moment (within a few frames).
    const [a, b] = [placed[0]! / 1000 + times[0]!, placed[1]! / 1000 + times[1]!];
    expect(
      Math.abs(a - b),
      `placed ${placed.join(', ')}; playing at ${times.join(', ')} s; the page says ${(
        await crew.getByTestId('angle-offset').allTextContents()
      ).join(' | ')}`,
    ).toBeLessThan(0.25);
    await crew.keyboard.press('Escape');

    // Trim the selected take from 1 s to 3 s.
    await crew.locator(`[data-testid="take-detail"][data-id="${sourceId}"]`).waitFor();
    await crew.getByLabel('Trim in').fill('1');
    await crew.getByLabel('Trim out').fill('3');
    await crew.getByLabel('Editor').fill('Sam');
    await crew.getByRole('button', { name: 'Trim', exact: true }).click();
    const trimId = (await crew.getByTestId('trim-queued').textContent())!.replace('queued as ', '');
    expect(trimId).toMatch(/^trim-[0-9a-f]{16}$/);
    const trimRow = crew.locator(`[data-testid="review-item"][data-id="${trimId}"]`);
    await trimRow.waitFor({ timeout: 10_000 });
    await crew
      .locator(`[data-testid="review-item"][data-id="${trimId}"][data-status="filed"]`)
      .waitFor({
        timeout: 60_000,
      });

    // The trimmed RECord: made from the take, crediting its phone and its editor.
    await trimRow.click();
    const ancestors = crew.getByTestId('lineage-ancestors');
    await ancestors.waitFor({ timeout: 10_000 });
    await expect(ancestors.textContent()).resolves.toMatch(/Review night · (Ada|Grace)/);
    const credits = await crew.getByTestId('lineage-credits').textContent();
    expect(credits).toMatch(/(Ada|Grace) recorded/);
    expect(credits).toContain('Sam edited');
    // And the take knows what it was made into.
    await crew.locator(`[data-testid="review-item"][data-id="${sourceId}"]`).click();
    await expect(
      crew.getByTestId('lineage-descendants').textContent({ timeout: 10_000 }),
    ).resolves.toContain('trim');

    // A remix of the take, uploaded from the review: filed by the worker, crediting everyone.
    const remixFile = path.join(stack.dataDir, 'my remix.webm');
    await makeClip(remixFile, { seconds: 2, format: 'vp8-opus-webm', width: 320, height: 240 });
    await crew.getByLabel('Remix title').fill('Slowed down');
    await crew.getByLabel('Made by').fill('Bo');
    await crew.getByLabel('File', { exact: true }).setInputFiles(remixFile);
    await crew.getByRole('button', { name: 'Upload remix' }).click();
    const remixRow = crew.locator(
      '[data-testid="review-item"][data-id^="remix-"][data-status="filed"]',
    );
    await remixRow.waitFor({ timeout: 60_000 });
    await remixRow.click();
    await crew.getByTestId('lineage-ancestors').waitFor({ timeout: 10_000 });
    const remixCredits = await crew.getByTestId('lineage-credits').textContent();
    expect(remixCredits).toMatch(/^Bo remixed(Ada|Grace) recorded$/);

    // After the show: the crew publishes the take with `p` (and the other phone's over the API);
    // the take's phone finds it under "Your RECords" and moves it to another browser with the
    // claim link; from there, that contributor remixes the other phone's take.
    await crew.locator(`[data-testid="review-item"][data-id="${sourceId}"]`).click();
    await crew.keyboard.press('p');
    await crew
      .locator(`[data-testid="review-item"][data-id="${sourceId}"][data-published="true"]`)
      .waitFor({ timeout: 10_000 });
    await crew.close();
    const published = await fetch(`${stack.baseUrl}/api/records/${otherId}/published`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${show.crewKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ published: true }),
    });
    expect(published.status).toBe(200);
    const maker = (await reviewBoard()).items.find((i) => i.id === sourceId)!.contributors[0]!;
    const otherName = maker.name === 'Ada' ? 'Grace' : 'Ada';
    const ownPhone = maker.name === 'Ada' ? phones[0]! : phones[1]!;
    await ownPhone.goto(`${stack.baseUrl}/me/${show.joinCode}`);
    const mine = ownPhone.locator(`[data-testid="your-record"][data-id="${sourceId}"]`);
    await mine.waitFor({ timeout: 10_000 });
    await waitFor('its video to load', () =>
      mine.locator('video').evaluate((v) => (v as HTMLVideoElement).readyState >= 1),
    );
    await ownPhone.getByRole('button', { name: 'Move my RECords to another device' }).click();
    const claimUrl = (await ownPhone.getByTestId('claim-link').textContent())!;
    const laptop = await (await browser.newContext()).newPage();
    await laptop.goto(claimUrl);
    await laptop
      .locator(`[data-testid="your-record"][data-id="${sourceId}"]`)
      .waitFor({ timeout: 10_000 });

    const remixBytes = (await readFile(remixFile)).toString('base64');
    const uploaded = await laptop.evaluate(
      async ({ joinCode, showId, parent, bytes }) => {
        const form = new FormData();
        form.append('title', 'My take on it');
        form.append('parents', parent);
        const file = Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0));
        form.append('file', new Blob([file]), 'remix.webm');
        const token = localStorage.getItem(`showrec:device:${joinCode}`)!;
        const res = await fetch(`/api/shows/${showId}/records`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
          body: form,
        });
        return { status: res.status, body: (await res.json()) as { recordId: string } };
      },
      { joinCode: show.joinCode, showId: show.id, parent: otherId, bytes: remixBytes },
    );
    await laptop.close();
    expect(uploaded.status).toBe(202);
    const phoneRemix = await waitFor(
      'the contributor’s remix filed',
      async () => (await host.records()).find((r) => r.id === uploaded.body.recordId),
      60_000,
    );
    expect(phoneRemix.contributors).toEqual([
      { participantId: expect.any(String), name: maker.name, role: 'remixed' },
    ]);
    const lineage = (await (
      await fetch(`${stack.baseUrl}/api/records/${phoneRemix.id}/lineage`, {
        headers: { authorization: `Bearer ${show.crewKey}` },
      })
    ).json()) as { credits: Array<{ name: string; role: string }> };
    expect(lineage.credits.map((c) => `${c.name} ${c.role}`)).toEqual([
      `${maker.name} remixed`,
      `${otherName} recorded`,
    ]);
  }, 300_000);
});
