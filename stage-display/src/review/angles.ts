import type { ReviewItem } from '@showrec/protocol';

/** A filed take placed on the show's timeline (server-clock ms), after alignment when there is one. */
export interface Angle {
  item: ReviewItem;
  startsAt: number;
  endsAt: number;
}

export const MAX_ANGLES = 4;

export function angleOf(item: ReviewItem): Angle | null {
  if (item.status !== 'filed' || !item.record || item.kind !== 'take') return null;
  const startsAt = item.alignment?.startsAt ?? item.startedAt;
  return { item, startsAt, endsAt: startsAt + item.record.media.durationMs };
}

/** Every filed take that shares some of `item`'s time, itself first, then by start. */
export function anglesOf(item: ReviewItem, items: ReviewItem[]): Angle[] {
  const own = angleOf(item);
  if (!own) return [];
  const others = items
    .filter((i) => i.id !== item.id)
    .map(angleOf)
    .filter((a): a is Angle => a !== null && a.startsAt < own.endsAt && a.endsAt > own.startsAt)
    .sort((a, b) => a.startsAt - b.startsAt);
  return [own, ...others];
}

/** Where in its own video an angle is at timeline time `t` (seconds), or null outside it. */
export function localSeconds(angle: Angle, t: number): number | null {
  if (t < angle.startsAt || t > angle.endsAt) return null;
  return (t - angle.startsAt) / 1000;
}
