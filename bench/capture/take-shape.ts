import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { makeClip, packetTimelines, videoFrames } from '@showrec/infra';
import type { MediaStore, StoredObject } from '@showrec/media-store';
import { recordClipPackets, type ClipPackets } from './rtp-load.ts';

/**
 * A take as its segments hold it: its frames, whether it opens on a keyframe, and how far apart
 * its audio and video end. Segments keep the take's timestamps, and a take stopped just after a
 * segment began may end on one that holds a keyframe and no audio yet, so each stream's end is
 * read from the last segment that holds it (Infinity when a stream is missing from both of the
 * last two).
 */
export async function takeShape(
  media: MediaStore,
  segments: StoredObject[],
  scratch: string,
): Promise<{ frames: number; keyframeFirst: boolean; endGapMs: number }> {
  const files = await Promise.all(segments.map((s) => media.checkout(s.key, scratch)));
  const first = files[0] ? await packetTimelines(files[0].path) : null;
  const lastTwo = await Promise.all(files.slice(-2).map((f) => packetTimelines(f.path)));
  const end = (kind: 'audio' | 'video') => lastTwo.findLast((t) => t[kind])?.[kind]?.end;
  const [audioEnd, videoEnd] = [end('audio'), end('video')];
  let frames = 0;
  for (const f of files) frames += await videoFrames(f.path);
  for (const f of files) await f.release();
  return {
    frames,
    keyframeFirst: first?.video?.firstIsKeyframe ?? false,
    endGapMs:
      audioEnd !== undefined && videoEnd !== undefined
        ? Math.abs(videoEnd - audioEnd) * 1000
        : Infinity,
  };
}

/** The clip's video bitrate as ffprobe reads it: its packets' bytes over its length. */
async function videoKbps(file: string, clipSeconds: number): Promise<number> {
  // prettier-ignore
  const { stdout } = await promisify(execFile)('ffprobe', [
    '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=size', '-of', 'csv=p=0', file,
  ], { maxBuffer: 64 * 1024 * 1024 });
  const bytes = stdout.split('\n').reduce((sum, line) => sum + (Number(line) || 0), 0);
  return (bytes * 8) / clipSeconds / 1000;
}

/**
 * The simulated phone's clip: 20 s of 720p VP8 + Opus with film grain, so it really reaches the
 * asked bitrate (a bare test pattern compresses to almost nothing); with its measured bitrate and
 * its packets ready to replay.
 */
export async function phoneClip(
  file: string,
  kbps: number,
): Promise<{ measuredKbps: number; packets: ClipPackets }> {
  // prettier-ignore
  await makeClip(file, {
    seconds: 20, format: 'vp8-opus-webm', width: 1280, height: 720, kbps, grain: true,
  });
  return { measuredKbps: await videoKbps(file, 20), packets: await recordClipPackets(file, 20) };
}
