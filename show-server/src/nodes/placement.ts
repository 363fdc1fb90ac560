import { DomainError, type JoinPayload, type NodeInfo, type NodeRef } from '@showrec/protocol';
import type { NodeRegistry } from './node-registry.js';

export type PlacementCandidate = NodeInfo & { reserved: number };

/**
 * The node a new phone should join: the least loaded (phones, counting those placed on it since
 * it last reported, over what it can hold) that takes phones; on a tie, `selfId` (no extra hop),
 * then the lowest id. Null when none has room.
 */
export function choosePlacement(
  nodes: PlacementCandidate[],
  selfId: string,
  avoid: ReadonlySet<string> = new Set(),
): PlacementCandidate | null {
  const open = nodes.filter(
    (n) =>
      !n.draining &&
      n.full === null &&
      !avoid.has(n.id) &&
      n.load.phones + n.reserved < n.capacity.streams,
  );
  const score = (n: PlacementCandidate) => (n.load.phones + n.reserved) / n.capacity.streams;
  open.sort(
    (a, b) =>
      score(a) - score(b) ||
      Number(b.id === selfId) - Number(a.id === selfId) ||
      a.id.localeCompare(b.id),
  );
  return open[0] ?? null;
}

export interface PlacementDeps {
  registry: NodeRegistry;
  /** This node's id and URL (they never change while it runs). */
  node: NodeRef;
  /** This node as of now (its published info may be two seconds old). */
  self: () => Promise<NodeInfo>;
  /** Tells the control panel a phone found no room anywhere. */
  noteRefused: (showId: string, reason: string) => Promise<void>;
  /** Publishes this node's info now (a heartbeat out of turn). */
  publish: () => Promise<void>;
}

/**
 * Where a phone joins: another node (it is counted there at once), or here — `reserved` when it
 * is counted here until it has joined (see `arrived`).
 */
export type Placed = { moveTo: NodeRef } | { here: true; reserved: boolean };

/** Decides, for a phone asking this node to join, whether it joins here or on another node. */
export class Placement {
  /** Placements here run one at a time: each must see the one before it counted. */
  #last: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: PlacementDeps) {}

  place(showId: string, payload: JoinPayload): Promise<Placed> {
    const next = this.#last.then(() => this.#place(showId, payload));
    this.#last = next.catch(() => undefined);
    return next;
  }

  async #place(showId: string, payload: JoinPayload): Promise<Placed> {
    const self = await this.deps.self();
    // Placed here by another node (which counted it here): it joins here, unless this node
    // filled up meanwhile (the placing node saw a heartbeat's worth of old news).
    if (payload.node === self.id && self.full === null) return { here: true, reserved: true };
    const nodes = await this.deps.registry.list();
    const others = nodes.filter((n) => n.id !== self.id);
    // Joins still in flight here count too: a crowd joining at once must not all stay here.
    const reservedHere = nodes.find((n) => n.id === self.id)?.reserved ?? 0;
    const best = choosePlacement(
      [{ ...self, reserved: reservedHere }, ...others],
      self.id,
      new Set(payload.unreachable ?? []),
    );
    // Alone: this node's own admission says why it has no room, if it has none.
    if (!best && others.length === 0) return { here: true, reserved: false };
    if (!best) {
      const reason = `every show-server is full (${others.length + 1} nodes; this one ${self.full ?? (self.draining ? 'is draining' : 'has no room')})`;
      await this.deps.noteRefused(showId, reason).catch(() => undefined);
      throw new DomainError('unavailable', `${reason}; the phones already recording carry on`);
    }
    await this.deps.registry.reserve(best.id);
    return best.id === self.id
      ? { here: true, reserved: true }
      : { moveTo: { id: best.id, url: best.url } };
  }

  /**
   * A phone placed here has joined (or failed to): the node says so at once (its published
   * phones count it), then its placement is used up; in the other order, placement would for a
   * moment count it nowhere and send the next phones here too.
   */
  async arrived(): Promise<void> {
    await this.deps.publish();
    await this.deps.registry.release(this.deps.node.id).catch(() => undefined);
  }

  get here(): NodeRef {
    return this.deps.node;
  }

  /** The other live nodes a phone may fall back on if it loses this one. */
  async fallbacks(): Promise<NodeRef[]> {
    return (await this.deps.registry.list())
      .filter((n) => n.id !== this.deps.node.id && !n.draining)
      .map((n) => ({ id: n.id, url: n.url }));
  }
}
