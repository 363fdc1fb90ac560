import type { StoredShow } from '@showrec/protocol';

/**
 * One run of capture: its takes are tagged with `cueId` and belong together. A new session (a new
 * capture cue, or capture started again) ends the takes of the one before.
 */
export interface CaptureSession {
  cueId: string | null;
  startedAt: number;
}

/** What capture should be doing for a show as stored: the one truth every process follows. */
export function captureSessionOf(show: StoredShow): CaptureSession | null {
  if (!show.capture.running || show.ended || show.capture.startedAt === null) return null;
  return { cueId: show.capture.cueId, startedAt: show.capture.startedAt };
}

export function sameSession(a: CaptureSession | null, b: CaptureSession | null): boolean {
  return a?.cueId === b?.cueId && a?.startedAt === b?.startedAt;
}

/** Capture started (tagged with `cueId`), carrying on a running session of the same cue. */
export function captureRunning(
  show: StoredShow,
  cueId: string | null,
  now: number,
): StoredShow['capture'] {
  const carriesOn = show.capture.running && show.capture.cueId === cueId;
  return { running: true, cueId, startedAt: carriesOn ? show.capture.startedAt : now };
}

export const captureStopped: StoredShow['capture'] = {
  running: false,
  startedAt: null,
  cueId: null,
};

/**
 * Capture when the live cue moves from `from` to `to`: entering a capture cue records it; leaving
 * the cue that started capture stops it if that cue says so; anything else leaves capture as it is.
 */
export function captureAfterMove(
  show: StoredShow,
  from: number,
  to: number,
  now: number,
): StoredShow['capture'] {
  const leaving = show.cues[from];
  const entering = show.cues[to];
  if (entering?.kind === 'capture') return captureRunning(show, entering.id, now);
  if (
    show.capture.running &&
    leaving &&
    show.capture.cueId === leaving.id &&
    leaving.captureStopsOnNextGo
  )
    return captureStopped;
  return show.capture;
}
