import { describe, expect, it } from 'vitest';
import { createShow } from './support/test-stack.js';
import { useStackAndBrowser } from './support/stack-and-browser.js';

describe('audience app in a real browser', () => {
  const env = useStackAndBrowser();

  it('joins a show and gets a live camera stream', async () => {
    const show = await createShow(env.stack, 'Camera check');
    const page = await env.browser.newPage();
    await page.goto(`${env.stack.baseUrl}/join/${show.joinCode}`);
    await page.getByLabel('Your name').fill('Ada');
    await page.getByRole('button', { name: 'Join show' }).click();
    const track = await page.waitForFunction(() => {
      const video = document.querySelector<HTMLVideoElement>('video[data-testid="preview"]');
      const stream = video?.srcObject as MediaStream | null;
      const t = stream?.getVideoTracks()[0];
      return t && t.readyState === 'live' && video!.videoWidth > 0
        ? { state: t.readyState, width: video!.videoWidth }
        : null;
    });
    expect(await track.jsonValue()).toMatchObject({ state: 'live' });
    await expect(page.locator('[data-phase="standby"]').waitFor()).resolves.toBeUndefined();
  });

  it('shows a page saying so for an unknown join code, with HTTP 404', async () => {
    const page = await env.browser.newPage();
    const res = await page.goto(`${env.stack.baseUrl}/join/ZZZZZZ`);
    expect(res?.status()).toBe(404);
    await expect(page.getByRole('alert').textContent()).resolves.toContain(
      'No show has the code ZZZZZZ',
    );
  });
});
