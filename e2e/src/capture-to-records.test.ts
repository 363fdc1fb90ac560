import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ffprobe } from '@showrec/infra';
import {
  recordListSchema,
  takeManifestSchema,
  type CaptureChanged,
  type RECord,
} from '@showrec/protocol';
import { joinAs } from './support/phones.js';
import { createShow, waitFor } from './support/test-stack.js';
import { useStackAndBrowser } from './support/stack-and-browser.js';

describe('phones record over WebRTC; every take becomes a RECord', () => {
  const env = useStackAndBrowser();

  it('two phones, one capture of about 6 s, two H.264 + AAC RECords crediting each phone', async () => {
    const show = await createShow(env.stack, 'Two Phones');
    const host = (verb: string) =>
      fetch(`${env.stack.baseUrl}/api/shows/${show.id}/${verb}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${show.hostKey}` },
      });
    const phones = await Promise.all([
      joinAs(env.browser, env.stack.baseUrl, show.joinCode, 'Ada'),
      joinAs(env.browser, env.stack.baseUrl, show.joinCode, 'Grace'),
    ]);

    const started = (await (await host('capture/start')).json()) as CaptureChanged;
    expect(started.running).toBe(true);
    expect(started.takeIds).toHaveLength(2);
    // The first phone's clock counts from when it began recording, which on a loaded machine
    // may be seconds before the second phone did.
    await phones[0]!.locator('[data-phase="recording"]').waitFor({ timeout: 10_000 });
    const firstRecording = Date.now();
    await phones[1]!.locator('[data-phase="recording"]').waitFor({ timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 6000));
    const shown = (await phones[0]!.locator('.elapsed').textContent()) ?? '';
    expect(shown).toMatch(/^00:\d\d$/);
    const recordedFor = (Date.now() - firstRecording) / 1000;
    expect(Number(shown.slice(3))).toBeGreaterThanOrEqual(Math.floor(recordedFor) - 1);
    expect(Number(shown.slice(3))).toBeLessThanOrEqual(Math.ceil(recordedFor) + 1);
    const stopped = (await (await host('capture/stop')).json()) as CaptureChanged;
    expect(stopped.takeIds.sort()).toEqual([...started.takeIds].sort());
    for (const phone of phones)
      await phone.locator('[data-phase="standby"]').waitFor({ timeout: 10_000 });

    const takes = (
      (await (
        await fetch(`${env.stack.baseUrl}/api/shows/${show.id}/takes`, {
          headers: { authorization: `Bearer ${show.hostKey}` },
        })
      ).json()) as { takes: unknown[] }
    ).takes.map((t) => takeManifestSchema.parse(t));
    expect(takes.map((t) => t.participant.name).sort()).toEqual(['Ada', 'Grace']);
    for (const take of takes) {
      expect(take).toMatchObject({
        status: 'ended',
        endReason: 'stopped',
        codecs: { audio: 'opus', video: 'VP8' },
      });
      expect(take.rtp.video!.packets).toBeGreaterThan(100);
      expect(take.rtp.audio!.packets).toBeGreaterThan(100);
    }

    const records = await waitFor(
      'two RECords',
      async () => {
        const res = await fetch(`${env.stack.baseUrl}/api/shows/${show.id}/records`, {
          headers: { authorization: `Bearer ${show.hostKey}` },
        });
        const list = recordListSchema.parse(await res.json()).records;
        return list.length === 2 ? list : null;
      },
      120_000,
    );
    expect(
      records
        .map((r: RECord) => r.contributors.map((c) => `${c.name}:${c.role}`))
        .flat()
        .sort(),
    ).toEqual(['Ada:recorded', 'Grace:recorded']);
    for (const record of records) {
      expect(started.takeIds).toContain(record.takeId);
      // Served over HTTP with range requests.
      const partial = await fetch(`${env.stack.baseUrl}${record.media.video}`, {
        headers: { range: 'bytes=0-99' },
      });
      expect(partial.status).toBe(206);
      expect((await partial.arrayBuffer()).byteLength).toBe(100);
      const full = Buffer.from(
        await (await fetch(`${env.stack.baseUrl}${record.media.video}`)).arrayBuffer(),
      );
      const file = path.join(env.stack.dataDir, `${record.id}-download.mp4`);
      await writeFile(file, full);
      const probed = await ffprobe(file);
      expect(probed.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
      // As long as its recorder ran (a loaded machine is slow to tell the phones they record, so
      // that can be more than the 6 s the test waited once they said so).
      const take = takes.find((t) => t.id === record.takeId)!;
      const ran = (take.endedAt! - take.recordingAt!) / 1000;
      expect(probed.durationSeconds).toBeGreaterThanOrEqual(Math.max(4, ran - 1.5));
      expect(probed.durationSeconds).toBeLessThanOrEqual(ran + 1.5);
      const poster = await fetch(`${env.stack.baseUrl}${record.media.poster}`);
      expect(poster.headers.get('content-type')).toBe('image/jpeg');
    }
  });
});
