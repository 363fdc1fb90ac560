import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { DomainError, isDomainError, type RECord, type TakeManifest } from '@showrec/protocol';
import { joinSegments, probe, type ProbeResult } from '../ffmpeg/media-tools.js';
import type { Logger } from '../logger.js';
import type { JobDeps } from './job-deps.js';

/** One copy of a take as a local file: the server's recording or the phone's own. */
export interface TakeCopy {
  source: RECord['source'];
  /** The copy's key in the store: the RECord's original. */
  key: string;
  file: string;
  probed: ProbeResult;
  /** The whole file's bits per second of media. */
  bitsPerSecond: number;
}

type Deps = Pick<JobDeps, 'tools' | 'media'>;

/**
 * The best playable copy with video (see `isBetter`); the server's wins a tie. Copies are
 * fetched from the store into `dir`, the job's scratch folder.
 */
export async function chooseCopy(
  deps: Deps,
  take: TakeManifest,
  dir: string,
  log: Logger,
): Promise<TakeCopy> {
  const usable: TakeCopy[] = [];
  let unusable = new DomainError('not-found', `take ${take.id} has no recording`);
  const fetchers: Array<[RECord['source'], () => Promise<Fetched>]> = [
    ['server', () => serverCopy(deps, take, dir, log)],
  ];
  if (take.phoneCopy) {
    const key = take.phoneCopy.file;
    fetchers.push(['phone', () => checkout(deps, key, dir)]);
  }
  for (const [source, fetch] of fetchers) {
    let fetched: Fetched;
    try {
      fetched = await fetch();
    } catch (err) {
      if (!isDomainError(err)) throw err;
      unusable = new DomainError(err.code, `the ${source}'s copy of the take ${err.message}`);
      continue;
    }
    if ((await stat(fetched.file)).size === 0) {
      unusable = new DomainError(
        'unprocessable',
        `the ${source}'s copy of the take is empty: it ended before its first keyframe`,
      );
      continue;
    }
    try {
      const probed = await probe(deps.tools, fetched.file);
      const bytes = (await stat(fetched.file)).size;
      const bitsPerSecond = (bytes * 8 * 1000) / Math.max(1, probed.durationMs);
      if (probed.video) usable.push({ source, ...fetched, probed, bitsPerSecond });
      else
        unusable = new DomainError(
          'unprocessable',
          `the ${source}'s copy of the take holds no video`,
        );
    } catch (err) {
      if (!isDomainError(err)) throw err;
      unusable = err;
    }
  }
  const [first, ...rest] = usable;
  // Its code decides whether another attempt may help (see job-processes.ts).
  if (!first) throw unusable;
  return rest.reduce((best, c) => (isBetter(c, best) ? c : best), first);
}

/**
 * A copy beats another when it is longer by more than half a second, or as long and sharper:
 * more pixels, or as many pixels at a quarter more bits (a phone's own recording is not held to
 * what WebRTC adapted to on the venue's network).
 */
function isBetter(c: TakeCopy, best: TakeCopy): boolean {
  const longer = c.probed.durationMs - best.probed.durationMs;
  if (Math.abs(longer) > 500) return longer > 0;
  const pixels = (p: ProbeResult) => p.width * p.height;
  if (pixels(c.probed) !== pixels(best.probed)) return pixels(c.probed) > pixels(best.probed);
  return c.bitsPerSecond >= 1.25 * best.bitsPerSecond;
}

interface Fetched {
  key: string;
  file: string;
}

async function checkout(deps: Deps, key: string, dir: string): Promise<Fetched> {
  const copy = await deps.media.checkout(key, dir).catch((err: Error) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new DomainError('not-found', 'does not exist');
    throw err;
  });
  return { key, file: copy.path };
}

/**
 * The server's recording as one file. A take recorded in segments is joined once and the joined
 * file stored under the take's key (so refiling it, when the phone's copy arrives, joins nothing
 * again); the segments stay in the store as recorded.
 */
async function serverCopy(
  deps: Deps,
  take: TakeManifest,
  scratch: string,
  log: Logger,
): Promise<Fetched> {
  if (await deps.media.head(take.file)) return checkout(deps, take.file, scratch);
  // The recorder writes its first segment at the first keyframe: none, or only empty ones, means
  // the take ended before it.
  if (take.segments.every((s) => s.bytes === 0))
    throw new DomainError('unprocessable', 'is empty: it ended before its first keyframe');
  const dir = path.join(scratch, 'segments');
  await mkdir(dir, { recursive: true });
  try {
    const files: string[] = [];
    const missing: string[] = [];
    for (const segment of take.segments) {
      const copy = await deps.media.checkout(segment.key, dir).catch((err: Error) => {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      });
      if (copy) files.push(copy.path);
      else missing.push(segment.key);
    }
    if (files.length === 0)
      throw new DomainError('not-found', `has none of its ${missing.length} segments in the store`);
    const joined = path.join(dir, 'joined.mkv');
    const { joined: count, unreadable } = await joinSegments(deps.tools, files, joined);
    if (missing.length > 0 || unreadable.length > 0)
      log.warn({ missing, unreadable, joined: count }, 'some segments of the take are not in it');
    await deps.media.putFile(take.file, joined);
    log.info({ segments: count, key: take.file }, 'joined the take’s segments');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return checkout(deps, take.file, scratch);
}
