import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@showrec/infra';
import type { TakeManifest } from '@showrec/protocol';
import { launchChromium } from '../support/browser.js';
import { joinAs } from '../support/phones.js';
import { recordedBytes, showApi } from '../support/show-api.js';
import { createShow, startTestStack, type TestStack } from '../support/test-stack.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SEGMENT_SECONDS = 3;

/** Every file below a folder, as paths relative to it. */
async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

/** Segment numbers 0…n-1 with none missing: seg-00000.mkv, seg-00001.mkv, … */
function expectUnbroken(take: TakeManifest): void {
  expect(take.segments.map((s) => path.posix.basename(s.key))).toEqual(
    take.segments.map((_, i) => `seg-${String(i).padStart(5, '0')}.mkv`),
  );
}

/**
 * Recordings that outlive their machine: a real OpenStack Swift (s3api) as the store, the
 * show-server and the media-worker each on a data directory of its own (no shared disk), real
 * phones in Chromium.
 */
describe('media in an object store, no disk shared between show-server and media-worker', () => {
  let stack: TestStack;
  let browser: Browser;
  let workerDir: string;

  beforeAll(async () => {
    workerDir = await mkdtemp(path.join(tmpdir(), 'showrec-worker-disk-'));
    stack = await startTestStack(
      { SHOWREC_SEGMENT_SECONDS: String(SEGMENT_SECONDS) },
      { storage: 's3', workerDataDir: workerDir },
    );
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const join = (joinCode: string, names: string[]): Promise<Page[]> =>
    Promise.all(names.map((name) => joinAs(browser, stack.baseUrl, joinCode, name)));

  it('phones record; each segment is stored as it closes and leaves the server’s disk; every take is filed from the store', async () => {
    const show = await createShow(stack, 'Cloud night');
    const host = showApi(stack, show);
    const phones = await join(show.joinCode, ['Ada', 'Grace']);
    const { takeIds } = await host.capture('start');
    for (const phone of phones) await phone.locator('[data-phase="recording"]').waitFor();
    // While the takes go on, their closed segments are already in the store.
    const stored = await waitFor('two segments of each take in the store', async () => {
      const counts = await Promise.all(
        takeIds.map(async (id) => (await stack.media.list(`takes/${show.id}/${id}/`)).length),
      );
      return counts.every((n) => n >= 2) ? counts : null;
    });
    expect(stored).toHaveLength(2);
    await sleep(3000);
    await host.capture('stop');
    // The phones' part is done: closing them leaves the two cores to filing.
    for (const phone of phones) await phone.context().close();

    const records = await host.recordsFiled(2);
    const takes = await host.takes();
    for (const take of takes) {
      expectUnbroken(take);
      expect(take.segments.length).toBeGreaterThanOrEqual(3);
      const record = records.find((r) => r.takeId === take.id)!;
      expect(record.source).toBe('server');
      // Joined from every segment: as long as its recorder ran, within a second (the recorder
      // may take a few seconds to start on a loaded machine: it waits for the phone's keyframe).
      const seconds = (take.endedAt! - take.recordingAt!) / 1000;
      expect(record.media.durationMs / 1000).toBeGreaterThan(seconds - 1.5);
      expect(record.original).toBe(take.file);
      expect(await stack.media.head(take.file)).not.toBeNull();
    }
    // Nothing of the recordings stays on either machine's disk.
    expect(
      (await filesBelow(path.join(stack.dataDir, 'takes'))).filter((f) => /\.mkv$/.test(f)),
    ).toEqual([]);
    expect((await filesBelow(workerDir)).filter((f) => !f.startsWith('logs'))).toEqual([]);

    // The browser gets media from the store: redirected, ranges honoured.
    const video = await fetch(`${stack.baseUrl}${records[0]!.media.video}`, { redirect: 'manual' });
    expect(video.status).toBe(302);
    const ranged = await fetch(video.headers.get('location')!, {
      headers: { Range: 'bytes=0-99' },
    });
    expect(ranged.status).toBe(206);
    expect((await ranged.arrayBuffer()).byteLength).toBe(100);
  });

  it('the store unreachable for 30 s mid-capture: recording goes on, segments wait on disk, uploads catch up, nothing is lost', async () => {
    const show = await createShow(stack, 'Outage night');
    const host = showApi(stack, show);
    const [phone] = await join(show.joinCode, ['Lin']);
    const [takeId] = (await host.capture('start')).takeIds;
    await phone!.locator('[data-phase="recording"]').waitFor();
    await sleep(4000);

    await stack.store.swift!.stop();
    const outageStart = Date.now();
    await sleep(30_000);
    // Ten segments' worth recorded meanwhile, all still on the server's disk.
    const [during] = (await host.takes()).filter((t) => t.id === takeId);
    expect(during!.status).toBe('recording');
    const waiting = await recordedBytes(stack.dataDir, during!);
    await stack.store.swift!.start();
    const outageSeconds = (Date.now() - outageStart) / 1000;
    expect(outageSeconds).toBeGreaterThanOrEqual(30);
    expect(waiting).toBeGreaterThan(1_000_000);

    await waitFor(
      'the waiting segments stored',
      async () => (await stack.media.list(`takes/${show.id}/${takeId}/`)).length >= 10,
      60_000,
    );
    await sleep(2000);
    await host.capture('stop');
    await phone!.context().close();
    const [record] = await host.recordsFiled(1, 180_000);
    const [take] = (await host.takes()).filter((t) => t.id === takeId);
    expectUnbroken(take!);
    // Counted from when its recorder ran, as above: on a loaded machine the recorder's start and
    // the phone's first keyframe can take seconds, and that is not the outage losing anything.
    const seconds = (take!.endedAt! - take!.recordingAt!) / 1000;
    expect(seconds).toBeGreaterThan(36);
    expect(record!.media.durationMs / 1000).toBeGreaterThan(seconds - 1.5);
  }, 240_000);
});
