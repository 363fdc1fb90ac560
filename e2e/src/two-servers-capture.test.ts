import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeTcpPort, startStack, type Stack } from '@showrec/infra';
import {
  reviewBoardSchema,
  showViewSchema,
  type ShowCreated,
  type TakeManifest,
} from '@showrec/protocol';
import { launchChromium } from './support/browser.js';
import { joinAs } from './support/phones.js';
import { recordedBytes, showApi } from './support/show-api.js';
import {
  TEST_STACK_ENV,
  createShow,
  startTestStack,
  waitFor,
  type TestStack,
} from './support/test-stack.js';

/**
 * Two show-server processes on one Redis, a phone on each, two hosts pressing at once. Capture is
 * stored with the cue move in one write and each process follows the stored show, so whatever the
 * interleaving, both processes end up recording exactly what the show says.
 */
describe('two show-servers, two hosts pressing GO at once', () => {
  let a: TestStack;
  let b: Stack;
  let browser: Browser;
  const phones: Page[] = [];

  beforeAll(async () => {
    a = await startTestStack();
    b = await startStack({
      dataDir: a.dataDir,
      port: await freeTcpPort(),
      redis: { kind: 'url', url: a.redisUrl },
      logDir: path.join(a.dataDir, 'logs-b'),
      env: {
        ...TEST_STACK_ENV,
        ...a.store.env,
      },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await b?.stop();
    await a?.stop();
  });

  const press = (stack: Stack, show: ShowCreated, action: string, body?: object) =>
    fetch(`${stack.baseUrl}/api/shows/${show.id}/${action}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${show.hostKey}`, 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });
  const goFrom = (stack: Stack, show: ShowCreated, cueId: string) =>
    press(stack, show, 'go', { expectedCueId: cueId });
  const view = async (show: ShowCreated) =>
    showViewSchema.parse(
      await (
        await fetch(`${a.baseUrl}/api/shows/${show.id}`, {
          headers: { authorization: `Bearer ${show.hostKey}` },
        })
      ).json(),
    );
  const recordingPhones = async (pages: Page[]) =>
    (await Promise.all(pages.map((p) => p.locator('[data-phase="recording"]').count()))).reduce(
      (n, c) => n + c,
      0,
    );

  it('a GO pressed at both desks moves one cue; racing GOs leave capture as the live cue says, on both processes: no take lost or doubled', async () => {
    const show = await createShow(a, 'Two desks');
    const api = showApi(a, show);
    const cues = [
      { kind: 'title', text: 'Welcome' },
      { kind: 'capture', text: 'Song A', captureStopsOnNextGo: true },
      { kind: 'title', text: 'Interval' },
      { kind: 'capture', text: 'Song B' },
      { kind: 'capture', text: 'Song C' },
    ];
    const ids: string[] = [];
    for (const cue of cues) {
      const res = await fetch(`${a.baseUrl}/api/shows/${show.id}/cues`, {
        method: 'POST',
        headers: { authorization: `Bearer ${show.hostKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(cue),
      });
      ids.push(((await res.json()) as { id: string }).id);
    }
    phones.push(await joinAs(browser, a.baseUrl, show.joinCode, 'Ada on A'));
    phones.push(await joinAs(browser, b.baseUrl, show.joinCode, 'Bo on B'));

    // Both desks press GO on Welcome at once: one move, into Song A.
    expect((await press(a, show, 'cue/0')).status).toBe(200);
    const both = await Promise.all([goFrom(a, show, ids[0]!), goFrom(b, show, ids[0]!)]);
    const seen = await Promise.all(
      both.map(async (res) => showViewSchema.parse(await res.json()).currentCueIndex),
    );
    expect(seen).toEqual([1, 1]);
    expect(await view(show)).toMatchObject({ currentCueIndex: 1, capture: { running: true } });
    await waitFor(
      'both phones recording Song A',
      async () => (await recordingPhones(phones)) === 2,
    );

    // GO into a capture cue racing GO out of it (which stops capture), from either desk.
    for (let trial = 0; trial < 4; trial++) {
      expect((await press(a, show, 'cue/0')).status).toBe(200);
      const answers = await Promise.all([goFrom(a, show, ids[0]!), goFrom(b, show, ids[1]!)]);
      expect(answers.map((r) => r.status)).toEqual([200, 200]);
      const now = await view(show);
      expect([1, 2]).toContain(now.currentCueIndex);
      expect(now.capture.running).toBe(now.currentCueIndex === 1);
      if (now.currentCueIndex === 1) expect((await goFrom(b, show, ids[1]!)).status).toBe(200);
      expect(await view(show)).toMatchObject({ currentCueIndex: 2, capture: { running: false } });
      await waitFor('both phones back on standby', async () => {
        const takes = await api.takes();
        return takes.every((t) => t.status !== 'recording') && (await recordingPhones(phones)) === 0
          ? takes
          : null;
      });
    }
    const songA = (await api.takes()).filter((t) => t.cueId === ids[1]);
    // A take per phone per entry into Song A at most (the GO out may land before a recorder starts).
    for (const name of ['Ada on A', 'Bo on B'])
      expect(songA.filter((t) => t.participant.name === name).length).toBeLessThanOrEqual(5);
    expect(songA.every((t) => t.status === 'ended' && t.endReason === 'stopped')).toBe(true);

    // GO into Song B and GO into Song C at once: both processes end on Song C, one take per phone.
    expect((await press(a, show, 'cue/2')).status).toBe(200);
    const answers = await Promise.all([goFrom(a, show, ids[2]!), goFrom(b, show, ids[3]!)]);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    if ((await view(show)).currentCueIndex === 3)
      expect((await goFrom(a, show, ids[3]!)).status).toBe(200);
    expect((await view(show)).currentCueIndex).toBe(4);
    const songC = await waitFor('each phone recording Song C once', async () => {
      const live = (await api.takes()).filter((t) => t.status === 'recording');
      return live.length === 2 && live.every((t) => t.cueId === ids[4]) ? live : null;
    });
    expect(songC.map((t) => t.participant.name).sort()).toEqual(['Ada on A', 'Bo on B']);
    expect(new Set(songC.map((t) => t.serverId)).size).toBe(2);
    await waitFor('both phones recording', async () => (await recordingPhones(phones)) === 2);
    // The song plays: both takes hold real media (past their first keyframe) before it ends.
    await waitFor('both Song C takes holding media', async () => {
      const sizes = await Promise.all(songC.map((t) => recordedBytes(a.dataDir, t)));
      return sizes.every((bytes) => bytes > 200_000);
    });

    const stopped = await (await press(b, show, 'capture/stop')).json();
    expect(stopped).toMatchObject({ running: false });
    const all = await waitFor('every take ended', async () => {
      const takes = await api.takes();
      return takes.every((t: TakeManifest) => t.status !== 'recording') ? takes : null;
    });
    expect(all.filter((t) => t.cueId === ids[3] && t.status === 'recording')).toEqual([]);
    for (const phone of phones) await phone.context().close();
    // Nothing lost: every take ended and was queued; each is filed, or failed because the next GO
    // cut it before its first keyframe (no media in it); both full takes of Song C are filed.
    expect(all.every((t) => t.endedAt !== null && t.endReason !== null)).toBe(true);
    const board = await waitFor(
      'every take filed or failed on the review board',
      async () => {
        const res = await fetch(`${a.baseUrl}/api/shows/${show.id}/review`, {
          headers: { authorization: `Bearer ${show.hostKey}` },
        });
        const items = reviewBoardSchema
          .parse(await res.json())
          .items.filter((i) => i.kind === 'take');
        return items.length === all.length &&
          items.every((i) => i.status === 'filed' || i.status === 'failed')
          ? items
          : null;
      },
      180_000,
    );
    for (const item of board.filter((i) => i.status === 'failed'))
      expect(item.failure).toMatch(
        /is empty: it ended before its first keyframe|holds no video|could not read/,
      );
    const filed = new Set(board.filter((i) => i.status === 'filed').map((i) => i.takeId));
    expect(songC.every((t) => filed.has(t.id))).toBe(true);
  }, 300_000);
});
