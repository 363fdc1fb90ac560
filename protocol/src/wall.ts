import { z } from 'zod';
import { idSchema } from './ids.js';
import type { PhoneStatus } from './show.js';
import type { Cue } from './cue.js';

/** How many phones the stage wall shows at once: square grids, then 48 for a big projector. */
export const wallLayouts = [1, 4, 9, 16, 25, 36, 48] as const;
export type WallLayout = (typeof wallLayouts)[number];
const wallLayoutSchema = z.union(
  wallLayouts.map((n) => z.literal(n)) as [
    z.ZodLiteral<WallLayout>,
    z.ZodLiteral<WallLayout>,
    ...z.ZodLiteral<WallLayout>[],
  ],
);

/** A phone's camera as the audience app sends it: its top simulcast layer, and the H.264 cap. */
export const TOP_LAYER = { width: 1280, height: 720, maxBitrate: 2_500_000 } as const;

/**
 * The simulcast layers phones send, lowest first: the stage and control panel take the one a
 * tile needs, the recorder the top one. Each halves the one above it.
 */
export const simulcastLayers = [
  { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 120_000 },
  { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 400_000 },
  { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: TOP_LAYER.maxBitrate },
] as const;

/** Columns and rows of a wall of `layout` tiles, for a 16:9 screen. */
export function wallGrid(layout: number): { columns: number; rows: number } {
  if (layout === 48) return { columns: 8, rows: 6 };
  const columns = Math.ceil(Math.sqrt(layout));
  return { columns, rows: Math.ceil(layout / columns) };
}

/** The most phones a wall or a page of the control panel's tiles holds. */
export const MAX_WALL_TILES = 48;
/** Phones per page of the control panel's live tiles. */
export const TILES_PER_PAGE = 25;

const wallFields = {
  layout: wallLayoutSchema,
  /** Phones that stay on the wall while the others rotate. */
  pinned: z.array(idSchema).max(MAX_WALL_TILES),
  /** One phone full screen on the stage, over whatever else it shows. */
  featured: idSchema.nullable(),
  /** How often the unpinned tiles change; 0 holds them. */
  rotateSeconds: z.number().int().min(0).max(600),
  /** The wall is on the stage although the live cue is not a wall cue. */
  onStage: z.boolean(),
};

/** The stage wall as the host set it: stored with the show, so every node shows the same. */
export const wallStateSchema = z.object({
  layout: wallFields.layout.default(9),
  pinned: wallFields.pinned.default([]),
  featured: wallFields.featured.default(null),
  rotateSeconds: wallFields.rotateSeconds.default(10),
  onStage: wallFields.onStage.default(false),
});
export type WallState = z.infer<typeof wallStateSchema>;
export const defaultWallState: WallState = wallStateSchema.parse({});

export const wallPatchSchema = z
  .strictObject(wallFields)
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, 'nothing to change');
export type WallPatch = z.infer<typeof wallPatchSchema>;

export interface WallTile {
  participantId: string;
  name: string;
  pinned: boolean;
}

/** What the stage shows now: the live cue, one phone full screen, or the wall. */
export type StageProgram =
  | { kind: 'cue' }
  | { kind: 'featured'; tile: WallTile }
  | { kind: 'wall'; layout: WallLayout; tiles: WallTile[] };

/** A phone may be put on the stage: it said yes and its camera is sending. */
export const showablePhone = (p: PhoneStatus): boolean => p.showOnStage && p.video;

/**
 * The stage's program, the same on every node for the same show, phones and time: the featured
 * phone if it may be shown; else, when the wall is up, the pinned phones and, in the other
 * tiles, the rest in turn — each turn moves on by as many tiles as rotate, so over a cycle every
 * phone is on as long as any other.
 */
export function stageProgram(
  show: { wall: WallState; ended: boolean; liveCue: Cue | undefined },
  phones: PhoneStatus[],
  now: number,
): StageProgram {
  if (show.ended) return { kind: 'cue' };
  const showable = new Map(phones.filter(showablePhone).map((p) => [p.participantId, p]));
  const tile = (p: PhoneStatus, pinned: boolean): WallTile => ({
    participantId: p.participantId,
    name: p.name,
    pinned,
  });
  const featured = show.wall.featured ? showable.get(show.wall.featured) : undefined;
  if (featured)
    return {
      kind: 'featured',
      tile: tile(featured, show.wall.pinned.includes(featured.participantId)),
    };
  if (!show.wall.onStage && show.liveCue?.kind !== 'wall') return { kind: 'cue' };
  const { layout, rotateSeconds } = show.wall;
  const pinned = show.wall.pinned.flatMap((id) => showable.get(id) ?? []).slice(0, layout);
  const pinnedIds = new Set(pinned.map((p) => p.participantId));
  const rest = [...showable.values()]
    .filter((p) => !pinnedIds.has(p.participantId))
    .sort((a, b) => (a.participantId < b.participantId ? -1 : 1));
  const slots = layout - pinned.length;
  let chosen = rest;
  if (rest.length > slots) {
    const turn = rotateSeconds > 0 ? Math.floor(now / (rotateSeconds * 1000)) : 0;
    const start = (turn * slots) % rest.length;
    chosen = Array.from({ length: slots }, (_, i) => rest[(start + i) % rest.length]!);
  }
  return {
    kind: 'wall',
    layout,
    tiles: [...pinned.map((p) => tile(p, true)), ...chosen.map((p) => tile(p, false))],
  };
}

/** The phones a program puts on the stage. */
export function onScreenIds(program: StageProgram): string[] {
  if (program.kind === 'featured') return [program.tile.participantId];
  if (program.kind === 'wall') return program.tiles.map((t) => t.participantId);
  return [];
}

/** What a control panel looks at: a page of tiles, those of it in view, and one previewed larger. */
export const viewerWatchSchema = z.strictObject({
  page: z.number().int().min(0).max(1000).default(0),
  /** The tiles of the page the screen shows now; null: all of them. */
  visible: z.array(idSchema).max(MAX_WALL_TILES).nullable().default(null),
  preview: idSchema.nullable().default(null),
  /** The viewer's screen in CSS pixels, to size the layers it gets. */
  width: z.number().int().min(1).max(16_384),
  height: z.number().int().min(1).max(16_384),
});
export type ViewerWatch = z.infer<typeof viewerWatchSchema>;

/** A phone's video as one viewer receives it: the consumer to make on its side. */
export interface ViewerConsumer {
  id: string;
  producerId: string;
  participantId: string;
  kind: 'video';
  rtpParameters: Record<string, unknown>;
}

/** What the server sends a viewer: the stage program, and the tiles of its page (control panel). */
export interface ViewerState {
  program: StageProgram;
  /** Control panel: the phones of its page, in order, and how many pages there are. */
  page: { index: number; count: number; phones: PhoneStatus[] } | null;
  /** Phones whose video this viewer receives now (its other consumers are paused). */
  live: string[];
}
