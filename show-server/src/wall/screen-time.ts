import type { Peer } from '../capture/peer.js';

/** Puts a phone on the stage or takes it off; says whether that changed anything. */
export function noteOnScreen(peer: Peer, on: boolean, now: number): boolean {
  if (on === (peer.onScreenSince !== null)) return false;
  if (on) {
    peer.onScreenSince = now;
  } else {
    // Time on the stage between takes belongs to no take (the next one starts later).
    if (peer.take) peer.screenSpans.push({ from: peer.onScreenSince!, to: now });
    peer.onScreenSince = null;
  }
  return true;
}

/**
 * The phone's time on the stage between `from` and `to` (a take's start and end), and forgets
 * what ended before `from`: a phone's next take starts later.
 */
export function screenSpansWithin(
  peer: Peer,
  from: number,
  to: number,
): Array<{ from: number; to: number }> {
  const spans = [
    ...peer.screenSpans,
    ...(peer.onScreenSince === null ? [] : [{ from: peer.onScreenSince, to }]),
  ];
  peer.screenSpans = peer.screenSpans.filter((s) => s.to > to);
  return spans
    .map((s) => ({ from: Math.max(s.from, from), to: Math.min(s.to, to) }))
    .filter((s) => s.to > s.from);
}
