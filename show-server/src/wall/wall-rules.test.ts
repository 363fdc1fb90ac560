import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  defaultWallState,
  onScreenIds,
  stageProgram,
  wallLayouts,
  type Cue,
  type PhoneStatus,
  type WallState,
} from '@showrec/protocol';
import { layerFor, planTiles } from './viewer-budget.js';

const phone = (id: string, over: Partial<PhoneStatus> = {}): PhoneStatus => ({
  participantId: id,
  name: id,
  state: 'recording',
  bitrate: 0,
  packetsLost: 0,
  stalled: false,
  showOnStage: true,
  video: true,
  onScreen: false,
  ...over,
});
const wallCue = { id: 'cue-wall01', kind: 'wall' } as Cue;
const titleCue = { id: 'cue-title1', kind: 'title' } as Cue;
const program = (wall: Partial<WallState>, phones: PhoneStatus[], now = 0, liveCue = wallCue) =>
  stageProgram({ wall: { ...defaultWallState, ...wall }, ended: false, liveCue }, phones, now);

describe('the stage program', () => {
  it('shows the live cue unless a wall cue is live, the wall is put up, or a phone is featured', () => {
    const phones = [phone('a'), phone('b')];
    expect(program({}, phones, 0, titleCue)).toEqual({ kind: 'cue' });
    expect(program({ onStage: true }, phones, 0, titleCue).kind).toBe('wall');
    expect(program({ featured: 'b' }, phones, 0, titleCue)).toEqual({
      kind: 'featured',
      tile: { participantId: 'b', name: 'b', pinned: false },
    });
    expect(
      stageProgram(
        { wall: { ...defaultWallState, featured: 'b' }, ended: true, liveCue: wallCue },
        phones,
        0,
      ),
    ).toEqual({ kind: 'cue' });
  });

  it('never puts up a phone that said no or sends no video, even featured or pinned', () => {
    const phones = [
      phone('a'),
      phone('shy', { showOnStage: false }),
      phone('dark', { video: false }),
    ];
    expect(onScreenIds(program({}, phones))).toEqual(['a']);
    expect(program({ featured: 'shy' }, phones).kind).toBe('wall');
    expect(onScreenIds(program({ pinned: ['shy', 'dark'] }, phones))).toEqual(['a']);
  });

  it('pinned phones stay while the others rotate; no phone twice; never more than the layout', () => {
    const phones = 'abcdefghij'.split('').map((id) => phone(id));
    const at = (turn: number) =>
      onScreenIds(program({ layout: 4, pinned: ['j'], rotateSeconds: 10 }, phones, turn * 10_000));
    expect(at(0)).toEqual(['j', 'a', 'b', 'c']);
    expect(at(1)).toEqual(['j', 'd', 'e', 'f']);
    expect(at(3)).toEqual(['j', 'a', 'b', 'c']);
    expect(onScreenIds(program({ layout: 4, rotateSeconds: 0 }, phones, 99_000))).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
  });

  it('rotation is fair: over as many turns as there are phones, every unpinned phone is on equally often', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 80 }),
        fc.constantFrom(...wallLayouts),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 60 }),
        (count, layout, pinnedCount, rotateSeconds) => {
          const phones = Array.from({ length: count }, (_, i) =>
            phone(`p${String(i).padStart(3, '0')}`),
          );
          const pinned = phones
            .slice(0, Math.min(pinnedCount, layout - 1))
            .map((p) => p.participantId);
          const seen = new Map<string, number>();
          const rest = count - pinned.length;
          for (let turn = 0; turn < Math.max(rest, 1); turn++) {
            const ids = onScreenIds(
              program({ layout, pinned, rotateSeconds }, phones, turn * rotateSeconds * 1000),
            );
            expect(new Set(ids).size).toBe(ids.length);
            expect(ids.length).toBe(Math.min(layout, count));
            expect(ids.slice(0, pinned.length)).toEqual(pinned);
            for (const id of ids.slice(pinned.length)) seen.set(id, (seen.get(id) ?? 0) + 1);
          }
          const counts = new Set(seen.values());
          expect(counts.size).toBeLessThanOrEqual(1);
          expect(seen.size).toBe(rest);
        },
      ),
    );
  });
});

describe('what one viewer receives', () => {
  const simulcast = [120_000, 400_000, 2_500_000];
  const rates = (ids: string[], layers = simulcast) => new Map(ids.map((id) => [id, layers]));
  const tile = (participantId: string, heightPx: number, priority = false) => ({
    participantId,
    heightPx,
    priority,
  });

  it('each tile gets the lowest layer that fills it; a one-layer phone its only layer', () => {
    expect([135, 240, 360, 540, 1080].map((h) => layerFor(h, 3))).toEqual([0, 1, 1, 2, 2]);
    expect(layerFor(1080, 1)).toBe(0);
  });

  it('at most maxTiles resumed, priority first; the rest paused', () => {
    const ids = ['a', 'b', 'c', 'd'];
    const plan = planTiles(
      [tile('a', 135), tile('b', 135), tile('c', 135), tile('d', 360, true)],
      rates(ids),
      {
        maxTiles: 2,
        maxBps: 100e6,
      },
    );
    expect(Object.fromEntries(plan)).toEqual({ d: 1, a: 0, b: null, c: null });
  });

  it('over the bitrate cap, the largest layers come down first, priority last, and only then tiles pause', () => {
    const ids = ['feat', 'x', 'y'];
    const tiles = [tile('feat', 1080, true), tile('x', 1080), tile('y', 1080)];
    const plan = (maxBps: number) =>
      Object.fromEntries(planTiles(tiles, rates(ids), { maxTiles: 48, maxBps }));
    expect(plan(10e6)).toEqual({ feat: 2, x: 2, y: 2 });
    expect(plan(3.5e6)).toEqual({ feat: 2, x: 1, y: 1 });
    expect(plan(2.8e6)).toEqual({ feat: 2, x: 0, y: 0 });
    expect(plan(1e6)).toEqual({ feat: 1, x: 0, y: 0 });
    expect(plan(0.2e6)).toEqual({ feat: 0, x: null, y: null });
  });

  it('a phone nothing is known of (no video here) gets no tile', () => {
    expect(
      Object.fromEntries(planTiles([tile('gone', 135)], new Map(), { maxTiles: 48, maxBps: 1e9 })),
    ).toEqual({
      gone: null,
    });
  });
});
