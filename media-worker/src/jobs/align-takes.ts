import { DelayedError, type Job } from 'bullmq';
import { alignJobSchema, type Alignment, type RECord } from '@showrec/protocol';
import { audioQuality, estimateLag } from '../align/cross-correlate.js';
import { ANALYSIS_SAMPLE_RATE, decodeAudio } from '../ffmpeg/media-tools.js';
import type { JobDeps } from './job-deps.js';
import { recordMediaKeys } from './record-media.js';

/** How much of each take is listened to; a minute of shared sound pins an offset. */
const EXCERPT_MS = 60_000;
/** Below this the correlation peak is not told apart from noise, and the server clock is kept. */
const MIN_CONFIDENCE = 8;
/**
 * The reference is decoded whole, once per cluster, and cut in memory: ffmpeg's input seeking
 * lands up to a few tens of milliseconds off in Opus and AAC streams. Beyond this a take is
 * placed by its clock (30 min at 8 kHz is 58 MB of samples).
 */
const MAX_REFERENCE_MS = 30 * 60_000;

/**
 * A capture cue leaves a take per phone to file at once, and the first RECord filed asks for an
 * alignment: run between filings, each alignment decodes the show's audio again and slows the
 * filing the crew waits for (8 takes of 20 s: the last RECord filed in 1.70× a bare ffmpeg's
 * time; 1.13× with alignment after the filings and each poster made beside its probe). So
 * alignment waits while takes are being filed, looking again every RECHECK_MS, for up to
 * FILING_FIRST_MS after it was asked (a worker that files all night still aligns).
 */
const FILING_FIRST_MS = 5 * 60_000;
const RECHECK_MS = 1000;

interface Placed {
  record: RECord;
  startedAt: number;
  endsAt: number;
  video: string;
}

export interface AlignResult {
  clusters: number;
  aligned: number;
}

/**
 * Lines up a show's filed takes. Takes whose server-clock spans overlap form a cluster; within it
 * the take with the best audio is the reference, and each other take's offset from it is refined
 * by audio cross-correlation within `alignSearchMs` of what the clocks say. An offset already
 * found against the same reference is kept, so re-running after each new take costs only the new
 * ones.
 */
export function alignTakesProcessor(deps: JobDeps) {
  return async (job: Job, token?: string): Promise<AlignResult> => {
    const { showId } = alignJobSchema.parse(job.data);
    const log = deps.logger.child({ jobId: job.id, showId });
    if (Date.now() - job.timestamp < FILING_FIRST_MS && (await deps.takesToFile()) > 0) {
      await job.moveToDelayed(Date.now() + RECHECK_MS, token);
      throw new DelayedError();
    }
    const placed: Placed[] = [];
    for (const record of await deps.store.listForShow(showId)) {
      if (record.takeId === null || record.parents.length > 0) continue;
      const take = await deps.store.take(record.takeId);
      if (!take) continue;
      placed.push({
        record,
        startedAt: take.startedAt,
        endsAt: take.startedAt + record.media.durationMs,
        // Streamed from the store: only each take's audio is decoded, most of it only in part.
        video: await deps.media.locate(recordMediaKeys(record.id).video, 3600),
      });
    }
    let aligned = 0;
    const clusters = overlapping(placed);
    for (const cluster of clusters) {
      const openings = new Map<Placed, Float32Array>();
      const reference = await bestAudio(deps, cluster, openings);
      const found = new Map<string, Alignment>([
        [
          reference.record.id,
          {
            referenceId: reference.record.id,
            offsetMs: 0,
            startsAt: reference.startedAt,
            method: 'reference',
            confidence: null,
          },
        ],
      ]);
      let referenceAudio: Promise<Float32Array> | null = null;
      for (const take of cluster) {
        if (take === reference) continue;
        const known = await deps.store.alignment(take.record.id);
        if (known?.referenceId === reference.record.id) continue;
        referenceAudio ??= decodeAudio(
          deps.tools,
          reference.video,
          0,
          Math.min(reference.record.media.durationMs + 1000, MAX_REFERENCE_MS),
        );
        const alignment = await align(
          deps,
          reference,
          await referenceAudio,
          take,
          openings.get(take),
        );
        found.set(take.record.id, alignment);
      }
      await deps.store.saveAlignments(found);
      for (const [recordId, alignment] of found) {
        if (recordId === reference.record.id) continue;
        log.info({ recordId, ...alignment }, 'take aligned');
        aligned++;
      }
    }
    return { clusters: clusters.length, aligned };
  };
}

/** Groups takes whose spans overlap, directly or through others, in start order. */
function overlapping(takes: Placed[]): Placed[][] {
  const clusters: Placed[][] = [];
  let end = -Infinity;
  for (const take of [...takes].sort((a, b) => a.startedAt - b.startedAt)) {
    const current = clusters.at(-1);
    const joins = current !== undefined && take.startedAt < end;
    if (joins) current.push(take);
    else clusters.push([take]);
    end = joins ? Math.max(end, take.endsAt) : take.endsAt;
  }
  return clusters;
}

/** The loudest unclipped audio; the longer take when that is a tie (no audio at all). */
/** `openings` keeps each take's first EXCERPT_MS of audio, read here, for the correlation. */
async function bestAudio(
  deps: JobDeps,
  cluster: Placed[],
  openings: Map<Placed, Float32Array>,
): Promise<Placed> {
  const first = cluster[0]!;
  if (cluster.length === 1) return first;
  const scored = await Promise.all(
    cluster.map(async (take) => {
      const samples = await decodeAudio(deps.tools, take.video, 0, EXCERPT_MS);
      openings.set(take, samples);
      const { rmsDb, clipped } = audioQuality(samples);
      return { take, score: samples.length === 0 ? -Infinity : rmsDb - 100 * clipped };
    }),
  );
  return scored.reduce((best, s) =>
    s.score > best.score ||
    (s.score === best.score && s.take.record.media.durationMs > best.take.record.media.durationMs)
      ? s
      : best,
  ).take;
}

async function align(
  deps: JobDeps,
  reference: Placed,
  referenceAudio: Float32Array,
  take: Placed,
  opening: Float32Array | undefined,
): Promise<Alignment> {
  const expected = take.startedAt - reference.startedAt;
  const search = deps.alignSearchMs;
  const clock: Alignment = {
    referenceId: reference.record.id,
    offsetMs: expected,
    startsAt: take.startedAt,
    method: 'clock',
    confidence: null,
  };
  const toSamples = (ms: number) => Math.round((ms * ANALYSIS_SAMPLE_RATE) / 1000);
  const refFrom = Math.max(0, expected - search);
  const takeFrom = Math.max(0, -(expected + search));
  const refAudio = referenceAudio.subarray(
    toSamples(refFrom),
    toSamples(refFrom + EXCERPT_MS + 2 * search),
  );
  const takeAudio =
    takeFrom === 0 && opening
      ? opening
      : (await decodeAudio(deps.tools, take.video, 0, takeFrom + EXCERPT_MS)).subarray(
          toSamples(takeFrom),
        );
  if (refAudio.length === 0 || takeAudio.length === 0) return clock;
  const shift = takeFrom - refFrom;
  const { lag, confidence } = estimateLag(
    refAudio,
    takeAudio,
    toSamples(expected - search + shift),
    toSamples(expected + search + shift),
  );
  const rounded = Math.round(confidence * 10) / 10;
  if (confidence < MIN_CONFIDENCE) return { ...clock, confidence: rounded };
  const offsetMs = Math.round((lag * 1000) / ANALYSIS_SAMPLE_RATE - shift);
  return {
    referenceId: reference.record.id,
    offsetMs,
    startsAt: reference.startedAt + offsetMs,
    method: 'audio',
    confidence: rounded,
  };
}
