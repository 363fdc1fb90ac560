import type { CaptureService } from '../capture/capture-service.js';
import type { Logger } from '../logger.js';
import type { DrainMode } from './node-registry.js';

/** After being asked to move at once, phones have this long to go before the node stops anyway. */
const MOVE_GRACE_MS = 30_000;

/**
 * Drains this node and resolves when no phone is left on it: `boundary` first (phones move at
 * their show's next cue change), `now` once `timeoutMs` has passed; a phone that still has not
 * gone `MOVE_GRACE_MS` after being asked is left to the shutdown, which ends its take here.
 */
export async function drainNode(
  capture: CaptureService,
  mode: DrainMode,
  timeoutMs: number,
  logger: Logger,
): Promise<void> {
  const log = logger.child({ component: 'drain' });
  await capture.drain(mode);
  const started = Date.now();
  let nowSince = mode === 'now' ? started : null;
  for (;;) {
    const { phones } = await capture.load();
    if (phones === 0) {
      log.info({ ms: Date.now() - started }, 'drained: no phone is left on this node');
      return;
    }
    if (nowSince === null && (capture.draining === 'now' || Date.now() - started > timeoutMs)) {
      log.warn({ phones }, 'drain time is up: moving the remaining phones now');
      await capture.drain('now');
      nowSince = Date.now();
    }
    if (nowSince !== null && Date.now() - nowSince > MOVE_GRACE_MS) {
      log.warn({ phones }, 'phones did not move; their takes end here');
      return;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
