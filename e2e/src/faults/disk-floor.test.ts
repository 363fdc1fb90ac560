import { execFileSync } from 'node:child_process';
import { rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '@showrec/infra';
import type { ShowView } from '@showrec/protocol';
import { launchChromium } from '../support/browser.js';
import { joinAs } from '../support/phones.js';
import { showApi } from '../support/show-api.js';
import { createShow, startTestStack } from '../support/test-stack.js';

const freeMb = async (dir: string) => {
  const s = await statfs(dir);
  return Math.floor((s.bavail * s.bsize) / (1024 * 1024));
};

describe('fault: the disk fills past its floor mid-capture', () => {
  it('new takes are refused with a warning for the host; the take already recording carries on and is filed', async () => {
    // Fill half the free space (at most 1.5 GB) and put the floor halfway through the filler:
    // below it mid-show, whatever disk this machine has.
    const free = await freeMb(tmpdir());
    const fillerMb = Math.min(1500, Math.floor(free / 2));
    const floor = free - Math.floor(fillerMb / 2);
    const stack = await startTestStack({ SHOWREC_MIN_FREE_MB: String(floor) });
    const browser = await launchChromium();
    const filler = path.join(stack.dataDir, 'filler.bin');
    try {
      const show = await createShow(stack, 'Full disk');
      const host = showApi(stack, show);
      const ada = await joinAs(browser, stack.baseUrl, show.joinCode, 'Ada');
      expect((await host.capture('start')).takeIds).toHaveLength(1);
      await ada.locator('[data-phase="recording"]').waitFor();

      execFileSync('fallocate', ['-l', `${fillerMb}M`, filler]);
      const view = await waitFor('the disk warning', async () => {
        const v = (await (
          await fetch(`${stack.baseUrl}/api/shows/${show.id}`, {
            headers: { authorization: `Bearer ${show.hostKey}` },
          })
        ).json()) as ShowView;
        return v.warnings.length > 0 ? v : null;
      });
      expect(view.warnings[0]).toMatch(
        /^The recording disk is below its floor: \d+ MB free \(floor \d+ MB\)\. New takes are refused/,
      );
      const grace = await joinAs(browser, stack.baseUrl, show.joinCode, 'Grace');
      await new Promise((r) => setTimeout(r, 3000));
      expect(await grace.locator('[data-phase="standby"]').count()).toBe(1);
      expect(await ada.locator('[data-phase="recording"]').count()).toBe(1);

      const stopped = (await host.capture('stop')).takeIds;
      expect(stopped).toHaveLength(1);
      const takes = await host.takes();
      expect(takes.map((t) => t.participant.name)).toEqual(['Ada']);
      await rm(filler);
      const [record] = await host.recordsFiled(1);
      expect(record!.media.durationMs).toBeGreaterThan(3000);
    } finally {
      await rm(filler, { force: true });
      await browser.close();
      await stack.stop();
    }
  });
});
