import { TOP_LAYER } from '@showrec/protocol';

/** A tile a viewer shows: whose video, how tall it is on the screen, and whether it comes first. */
export interface TileRequest {
  participantId: string;
  heightPx: number;
  /** The featured phone, or the control panel's larger preview: lowered and paused last. */
  priority: boolean;
}

export interface ViewerBudget {
  /** Tiles resumed at once per viewer. */
  maxTiles: number;
  /** What one viewer may receive in all, bits per second. */
  maxBps: number;
}

/** A phone's layers' bitrates, lowest layer first (one entry: it sends one layer). */
export type LayerRates = ReadonlyMap<string, readonly number[]>;

/** Per phone: the spatial layer its tile gets, or null: paused. */
export type TilePlan = Map<string, number | null>;

/**
 * The lowest layer that fills a tile this tall (a quarter larger on the screen than its pixels
 * still looks sharp on a projector), or the top one.
 */
export function layerFor(heightPx: number, layerCount: number): number {
  for (let layer = 0; layer < layerCount; layer++) {
    // Each layer below the top halves it (see protocol's simulcastLayers).
    const height = TOP_LAYER.height / 2 ** (layerCount - 1 - layer);
    if (height * 1.25 >= heightPx) return layer;
  }
  return layerCount - 1;
}

/**
 * What a viewer receives: each tile at the layer its size needs, at most `maxTiles` of them, and
 * under `maxBps` in all — over it, the largest layers come down a step at a time (priority tiles
 * last), and only when every tile is at its lowest layer are the last tiles paused.
 */
export function planTiles(
  tiles: readonly TileRequest[],
  rates: LayerRates,
  budget: ViewerBudget,
): TilePlan {
  const ordered = [...tiles.filter((t) => t.priority), ...tiles.filter((t) => !t.priority)];
  const plan: TilePlan = new Map();
  const shown: TileRequest[] = [];
  for (const tile of ordered) {
    const layers = rates.get(tile.participantId);
    if (!layers || layers.length === 0 || shown.length >= budget.maxTiles) {
      plan.set(tile.participantId, null);
      continue;
    }
    plan.set(tile.participantId, layerFor(tile.heightPx, layers.length));
    shown.push(tile);
  }
  const rateOf = (id: string) => {
    const layer = plan.get(id);
    return layer === null || layer === undefined ? 0 : rates.get(id)![layer]!;
  };
  let total = shown.reduce((sum, t) => sum + rateOf(t.participantId), 0);
  while (total > budget.maxBps && shown.length > 0) {
    const lowerable = shown
      .filter((t) => plan.get(t.participantId)! > 0)
      .sort(
        (a, b) =>
          Number(a.priority) - Number(b.priority) ||
          rateOf(b.participantId) - rateOf(a.participantId),
      );
    const tile = lowerable[0] ?? shown.pop()!;
    const before = rateOf(tile.participantId);
    plan.set(tile.participantId, lowerable[0] ? plan.get(tile.participantId)! - 1 : null);
    total += rateOf(tile.participantId) - before;
  }
  return plan;
}
