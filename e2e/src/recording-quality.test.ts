import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCameraFeed, videoFrameSizes } from '@showrec/infra';
import { simulcastLayers } from '@showrec/protocol';
import { joinAs } from './support/phones.js';
import { showApi } from './support/show-api.js';
import { createShow, waitFor } from './support/test-stack.js';
import { useStackAndBrowser } from './support/stack-and-browser.js';

/**
 * A phone's camera as a real one is to encode: grain everywhere, so the phone's 720p layer is sent
 * at its cap, not at the few hundred kb/s Chromium's own fake camera costs. (Recorders once took
 * such a phone's 360p layer: a congestion controller with no feedback from ffmpeg held their
 * transport to 600 kb/s.)
 */
describe('a phone whose camera fills its 720p layer', () => {
  const feed = path.join(tmpdir(), `showrec-camera-feed-${process.pid}.y4m`);
  beforeAll(() => makeCameraFeed(feed, { seconds: 2, fps: 15 }));
  afterAll(() => rm(feed, { force: true }));
  const env = useStackAndBrowser({ fakeCameraFile: feed });

  it('is recorded from that layer: every frame 1280 wide, at well over what the layer below may send', async () => {
    const show = await createShow(env.stack, 'Detailed camera');
    const api = showApi(env.stack, show);
    const phone = await joinAs(env.browser, env.stack.baseUrl, show.joinCode, 'Ada');
    await api.capture('start');
    await phone.locator('[data-phase="recording"]').waitFor({ timeout: 15_000 });
    await new Promise((r) => setTimeout(r, 8000));
    await api.capture('stop');
    const take = await waitFor('the take ended', async () => {
      const [t] = await api.takes();
      return t?.status === 'ended' ? t : null;
    });

    const frames = [];
    for (const segment of take.segments) {
      const local = await env.stack.media.checkout(segment.key, env.stack.dataDir);
      frames.push(...(await videoFrameSizes(local.path)));
      await local.release();
    }
    expect(frames.length).toBeGreaterThan(30);
    expect(new Set(frames.map((f) => f.width))).toEqual(new Set([1280]));
    const seconds = (take.endedAt! - take.recordingAt!) / 1000;
    const kbps = (frames.reduce((sum, f) => sum + f.bytes, 0) * 8) / 1000 / seconds;
    console.log(`recorded at ${Math.round(kbps)} kb/s over ${seconds.toFixed(1)} s`);
    expect(kbps).toBeGreaterThan((3 * simulcastLayers[1].maxBitrate) / 1000);
  });
});
