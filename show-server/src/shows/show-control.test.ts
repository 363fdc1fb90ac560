import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedRedis, type EmbeddedRedis } from '@showrec/infra';
import { isDomainError, type CueInput, type StoredShow } from '@showrec/protocol';
import { createLogger } from '../logger.js';
import { captureAfterMove, captureSessionOf } from './capture-rules.js';
import { ShowChanges } from './show-changes.js';
import { ShowControl } from './show-control.js';
import { ShowStore } from './show-store.js';

const logger = createLogger('silent');

/**
 * Show control in-process against a real Redis. What capture does lives in the stored show; the
 * processes' recorders only follow it, so these tests watch what is stored and which shows each
 * "process" was asked to follow.
 */
describe('show control and capture rules (real Redis)', () => {
  let redis: EmbeddedRedis;
  const clients: Redis[] = [];
  const connect = () => {
    const client = new Redis(redis.url, { maxRetriesPerRequest: null });
    clients.push(client);
    return client;
  };
  /** A show-server's control as main.ts builds it, minus the media: what it applies is recorded. */
  const desk = () => {
    const applied: StoredShow[] = [];
    const store = new ShowStore(connect());
    const control = new ShowControl({
      shows: store,
      capture: { reconcile: async (show) => (applied.push(show), []) },
      logger,
    });
    return { store, control, applied };
  };
  const cues: CueInput[] = [
    { kind: 'title', text: 'Welcome' },
    { kind: 'capture', text: 'Song A', captureStopsOnNextGo: true },
    { kind: 'title', text: 'Interval' },
    { kind: 'capture', text: 'Song B', captureStopsOnNextGo: false },
    { kind: 'capture', text: 'Song C' },
    { kind: 'credits', text: 'Thanks' },
  ] as CueInput[];
  const newShow = async (store: ShowStore, control: ShowControl) => {
    const { show } = await store.create({ title: 'Rules', venue: '', date: null });
    for (const cue of cues) await control.addCue(show.id, cue);
    return store.require(show.id);
  };

  beforeAll(async () => {
    redis = await startEmbeddedRedis({ dir: await mkdtemp(path.join(tmpdir(), 'showrec-rules-')) });
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await redis?.stop();
  });

  /** GO as a desk sends it: from the cue it shows as live. */
  const goOn = async (store: ShowStore, control: ShowControl, showId: string) => {
    const show = await store.require(showId);
    return control.go(showId, { cueId: show.cues[show.currentCueIndex]?.id ?? null });
  };

  it('capture follows the live cue: entering a capture cue records it, leaving it stops only if it says so', async () => {
    const { store, control } = desk();
    const show = await newShow(store, control);
    const [welcome, songA, , songB, songC, thanks] = show.cues;
    const capture = async () => captureSessionOf(await store.require(show.id));

    await goOn(store, control, show.id);
    expect(await capture()).toBeNull();
    await goOn(store, control, show.id);
    const a = await capture();
    expect(a).toMatchObject({ cueId: songA!.id });
    await goOn(store, control, show.id);
    expect(await capture()).toBeNull();
    await goOn(store, control, show.id);
    const b = await capture();
    expect(b).toMatchObject({ cueId: songB!.id });
    // Song B keeps recording after it: a new capture cue is a new session, ending B's takes.
    await goOn(store, control, show.id);
    const c = await capture();
    expect(c).toMatchObject({ cueId: songC!.id });
    expect(c!.startedAt).toBeGreaterThanOrEqual(b!.startedAt);
    // Song C stops on the next GO (the default).
    const after = await goOn(store, control, show.id);
    expect(after.cues[after.currentCueIndex]!.id).toBe(thanks!.id);
    expect(await capture()).toBeNull();

    // Capture by hand on a non-capture cue is untagged; ending the show stops it in the same write.
    await control.jump(show.id, 0);
    expect((await store.require(show.id)).cues[0]!.id).toBe(welcome!.id);
    await control.setCapture(show.id, false);
    await control.setCapture(show.id, true);
    expect(await capture()).toMatchObject({ cueId: null });
    const ended = await control.end(show.id);
    expect(ended).toMatchObject({ ended: true, capture: { running: false } });
    await expect(control.setCapture(show.id, true)).rejects.toSatisfy((err) =>
      isDomainError(err, 'conflict'),
    );
    await expect(goOn(store, control, show.id)).rejects.toSatisfy((err) =>
      isDomainError(err, 'conflict'),
    );
  });

  it('the pure rule: a move into a capture cue of the running session carries its start on', () => {
    const base = {
      cues: [
        { id: 'cue-a', kind: 'capture', captureStopsOnNextGo: false },
        { id: 'cue-b', kind: 'title', captureStopsOnNextGo: true },
      ],
      capture: { running: true, cueId: 'cue-a', startedAt: 100 },
    } as unknown as StoredShow;
    expect(captureAfterMove(base, 1, 0, 500)).toEqual({
      running: true,
      cueId: 'cue-a',
      startedAt: 100,
    });
    expect(captureAfterMove(base, 0, 1, 500)).toBe(base.capture);
    expect(
      captureAfterMove(
        { ...base, capture: { running: false, cueId: null, startedAt: null } },
        1,
        0,
        500,
      ),
    ).toEqual({
      running: true,
      cueId: 'cue-a',
      startedAt: 500,
    });
  });

  it('two desks pressing GO from the same cue at once, many times: the show moves one cue, and capture is what that cue says', async () => {
    const one = desk();
    const two = desk();
    for (let trial = 0; trial < 10; trial++) {
      const show = await one.control.jump((await newShow(one.store, one.control)).id, 0);
      const from = { cueId: show.cues[0]!.id };
      const [first, second] = await Promise.all([
        one.control.go(show.id, from),
        two.control.go(show.id, from),
      ]);
      expect([first.currentCueIndex, second.currentCueIndex]).toEqual([1, 1]);
      const stored = await one.store.require(show.id);
      expect(stored).toMatchObject({ currentCueIndex: 1, version: show.version + 1 });
      expect(stored.capture).toMatchObject({ running: true, cueId: show.cues[1]!.id });
      // One write, applied once, by the desk that made it.
      const appliedHere = [...one.applied, ...two.applied].filter(
        (s) => s.id === show.id && s.version > show.version,
      );
      expect(appliedHere.map((s) => s.version)).toEqual([show.version + 1]);
    }
  });

  it('a GO into a capture cue racing a GO out of it: the stale one moves nothing, and capture matches the cue the show is on', async () => {
    const one = desk();
    const two = desk();
    for (let trial = 0; trial < 10; trial++) {
      const show = await one.control.jump((await newShow(one.store, one.control)).id, 0);
      await Promise.all([
        one.control.go(show.id, { cueId: show.cues[0]!.id }),
        two.control.go(show.id, { cueId: show.cues[1]!.id }),
      ]);
      const stored = await one.store.require(show.id);
      expect([1, 2]).toContain(stored.currentCueIndex);
      expect(stored.capture.running).toBe(stored.currentCueIndex === 1);
    }
  });

  it('every stored change is announced with its version, to every process', async () => {
    const { store, control } = desk();
    const listener = ShowChanges.subscribe(connect(), logger);
    await new Promise((r) => setTimeout(r, 200));
    const heard: Array<[string, number]> = [];
    listener.on('changed', (showId, version) => heard.push([showId, version]));
    const show = await newShow(store, control);
    await goOn(store, control, show.id);
    await goOn(store, control, show.id);
    await new Promise((r) => setTimeout(r, 200));
    listener.close();
    expect(heard.filter(([id]) => id === show.id).map(([, v]) => v)).toEqual(
      Array.from({ length: cues.length + 2 }, (_, i) => i + 1),
    );
  });
});
