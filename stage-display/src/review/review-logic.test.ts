import { describe, expect, it } from 'vitest';
import { reviewBoardSchema, reviewItemSchema, type ReviewItem } from '@showrec/protocol';
import { anglesOf, localSeconds } from './angles.js';
import { NO_FILTERS, contributorNames, groupByCue } from './review-filters.js';

/** A review item as the server sends it: checked by the same schema the page uses. */
function item(id: string, over: Record<string, unknown> = {}): ReviewItem {
  const durationMs = (over.durationMs as number | undefined) ?? 10_000;
  const startedAt = (over.startedAt as number | undefined) ?? 0;
  const name = (over.name as string | undefined) ?? 'Ada';
  const status = (over.status as string | undefined) ?? 'filed';
  const cueId = 'cueId' in over ? over.cueId : 'cue-song';
  return reviewItemSchema.parse({
    id,
    kind: over.kind ?? 'take',
    takeId: `take-${id}`,
    cueId,
    title: id,
    contributors: [{ participantId: `person-${name}`, name, role: 'recorded' }],
    startedAt,
    status,
    progress: null,
    failure: null,
    record:
      status === 'filed'
        ? {
            id,
            showId: 'show-abc123',
            cueId,
            takeId: `take-${id}`,
            title: id,
            contributors: [{ participantId: `person-${name}`, name, role: 'recorded' }],
            media: { video: `/v/${id}`, poster: `/p/${id}`, durationMs },
            createdAt: new Date(0).toISOString(),
            status: 'filed',
            source: 'server',
            parents: [],
            original: null,
            continues: null,
          }
        : null,
    review: { rating: over.rating ?? null, review: over.review ?? 'pending', notes: [] },
    alignment: over.alignedAt
      ? {
          referenceId: 'reference1',
          offsetMs: 0,
          startsAt: over.alignedAt,
          method: 'audio',
          confidence: 0.9,
        }
      : null,
  });
}

describe('angles of a moment', () => {
  it('lines up filed takes that share time with the chosen one, by their aligned start, itself first', () => {
    const chosen = item('chosen', { startedAt: 1000 });
    const items = [
      chosen,
      item('late01', { startedAt: 9000, name: 'Bo' }),
      // Its clock says 20 s, but the audio puts it at 2 s: it overlaps.
      item('aligned', { startedAt: 20_000, alignedAt: 2000, name: 'Cy' }),
      item('after1', { startedAt: 11_000, name: 'Di' }),
      item('recording', { startedAt: 1000, status: 'recording', name: 'Ed' }),
      item('trim01', { startedAt: 1000, kind: 'trim', name: 'Fa' }),
    ];
    const angles = anglesOf(chosen, items);
    expect(angles.map((a) => a.item.id)).toEqual(['chosen', 'aligned', 'late01']);
    const aligned = angles[1]!;
    expect(localSeconds(aligned, 2000)).toBe(0);
    expect(localSeconds(aligned, 4500)).toBe(2.5);
    expect(localSeconds(aligned, 1999)).toBeNull();
    expect(localSeconds(aligned, 12_001)).toBeNull();
    expect(anglesOf(item('xxxxxx', { status: 'processing' }), items)).toEqual([]);
  });
});

describe('review filters', () => {
  const board = reviewBoardSchema.parse({
    show: {
      id: 'show-abc123',
      title: 'Open Mic',
      cues: [
        { id: 'cue-intro', title: 'Intro' },
        { id: 'cue-song', title: 'Song' },
      ],
    },
    items: [
      item('song02', { startedAt: 2, rating: 4, review: 'selected', name: 'Bo' }),
      item('intro1', { startedAt: 1, cueId: 'cue-intro', rating: 2 }),
      item('song01', { startedAt: 1, status: 'processing', name: 'Cy' }),
      item('loose1', { startedAt: 3, cueId: null }),
      item('gone01', { startedAt: 4, cueId: 'cue-deleted', rating: 5 }),
    ],
  });
  const ids = (filters: Partial<typeof NO_FILTERS>) =>
    groupByCue(board, { ...NO_FILTERS, ...filters }).map((g) => [
      g.title,
      g.items.map((i) => i.id),
    ]);

  it('groups by cue in run-of-show order, takes of unknown or no cue last', () => {
    expect(ids({})).toEqual([
      ['Intro', ['intro1']],
      ['Song', ['song02', 'song01']],
      ['Outside any cue', ['loose1', 'gone01']],
    ]);
  });

  it('filters by cue, contributor, status, verdict and rating; empty groups disappear', () => {
    expect(ids({ cue: 'cue-song' })).toEqual([['Song', ['song02', 'song01']]]);
    expect(ids({ cue: 'none' })).toEqual([['Outside any cue', ['loose1']]]);
    expect(ids({ contributor: 'Cy' })).toEqual([['Song', ['song01']]]);
    expect(ids({ status: 'processing' })).toEqual([['Song', ['song01']]]);
    expect(ids({ review: 'selected' })).toEqual([['Song', ['song02']]]);
    expect(ids({ rating: 4 })).toEqual([
      ['Song', ['song02']],
      ['Outside any cue', ['gone01']],
    ]);
    expect(ids({ rating: -1 })).toEqual([
      ['Song', ['song01']],
      ['Outside any cue', ['loose1']],
    ]);
    expect(contributorNames(board)).toEqual(['Ada', 'Bo', 'Cy']);
  });
});
