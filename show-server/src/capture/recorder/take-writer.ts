import { appendFileSync, closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { SEGMENT_LIST } from '../segment-uploader.js';
import { avcTrack, depacketizers, vp8Dimensions, type RecordedCodec } from './depacketizers.js';
import { FrameAssembler, type Frame } from './frame-assembler.js';
import {
  finalDuration,
  matroskaCluster,
  matroskaHead,
  MAX_BLOCK_OFFSET_MS,
  type Block,
  type MatroskaTrack,
} from './matroska.js';
import type { RtpPacket } from './rtp-packet.js';

export interface WrittenStream {
  kind: 'audio' | 'video';
  codec: RecordedCodec;
  clockRate: number;
  channels?: number;
  ssrc: number;
}

/** A cluster holds at most this much: a crash loses no more than the cluster being gathered. */
const CLUSTER_MS = 1000;
/** Audio is moved to video's clock only when its placement changes by this much: less is inaudible. */
const STEER_MS = 10;
/** Each stream's lag is read as its smallest over this long (queues only ever add to it). */
const LAG_WINDOW_MS = 2000;
/** A take whose video sends no keyframe this long after its first audio starts with audio alone. */
const KEYFRAME_WAIT_MS = 3000;

interface Stream extends WrittenStream {
  /** Its track number in the file (1-based, in the order the streams were given). */
  track: number;
  assembler: FrameAssembler;
  /** Its first frame: where its RTP time started, when it arrived. */
  anchor: { rtpTime: number; arrivedMs: number } | null;
  /** Smallest lag (arrival minus RTP time since the anchor) in the current window. */
  lagMs: number;
  lastMs: number;
}

interface Segment {
  name: string;
  fd: number;
  durationAt: number;
  startMs: number;
  endMs: number;
}

/**
 * Writes one take: its phone's packets in, Matroska segments out in the take's folder, each
 * opening on a video keyframe, about `segmentSeconds` long, one clock across them, each listed in
 * SEGMENT_LIST as it closes (see SegmentUploader).
 *
 * Timing: each stream's frames are placed by their RTP timestamps from the moment its first frame
 * arrived. A phone's audio and video reach the SFU through one transport and leave it for this
 * recorder together, so at any moment both lag their capture alike; the two first arrivals may
 * still have met different lags (an SFU falling behind under load). So each stream's lag since
 * its first frame is followed (its smallest over LAG_WINDOW_MS: queues only add to it) and audio
 * is placed by the difference, moved whenever that changes by STEER_MS or more. Video is never
 * moved; audio moved back drops what would overlap.
 */
export class TakeWriter {
  readonly #streams: Stream[];
  readonly #bySsrc = new Map<number, Stream>();
  readonly #dir: string;
  readonly #segmentMs: number;
  readonly #startedMs: number;
  readonly #hasVideo: boolean;
  #segment: Segment | null = null;
  #segmentCount = 0;
  #blocks: Block[] = [];
  #steerMs = 0;
  #windowStartMs: number;
  #firstAudioMs: number | null = null;
  #videoStarted = false;
  #ended = false;

  constructor(
    dir: string,
    streams: WrittenStream[],
    segmentSeconds: number,
    startedMs: number,
    onKeyframeNeeded: () => void,
  ) {
    this.#dir = dir;
    this.#segmentMs = segmentSeconds * 1000;
    this.#startedMs = startedMs;
    this.#windowStartMs = startedMs;
    this.#streams = streams.map((s, i) => ({
      ...s,
      track: i + 1,
      assembler: new FrameAssembler(depacketizers[s.codec], s.kind === 'video', onKeyframeNeeded),
      anchor: null,
      lagMs: Infinity,
      lastMs: -Infinity,
    }));
    for (const stream of this.#streams) this.#bySsrc.set(stream.ssrc, stream);
    this.#hasVideo = this.#streams.some((s) => s.kind === 'video');
  }

  packet(packet: RtpPacket, nowMs: number): void {
    const stream = this.#bySsrc.get(packet.ssrc);
    if (!stream || this.#ended) return;
    for (const frame of stream.assembler.push(packet, nowMs)) this.#frame(stream, frame, nowMs);
  }

  /** Frames held behind a gap that has waited long enough; a cluster old enough to write. */
  tick(nowMs: number): void {
    if (this.#ended) return;
    for (const stream of this.#streams)
      for (const frame of stream.assembler.drain(nowMs)) this.#frame(stream, frame, nowMs);
    const first = this.#blocks[0];
    if (first && this.#timeOf(nowMs) - first.timeMs >= CLUSTER_MS) this.#writeCluster();
  }

  /** Writes what is left and closes the last segment. */
  end(nowMs: number): void {
    if (this.#ended) return;
    for (const stream of this.#streams)
      for (const frame of stream.assembler.drain(nowMs, true)) this.#frame(stream, frame, nowMs);
    this.#ended = true;
    this.#closeSegment();
  }

  /** Where the take's clock stands at `nowMs` (ms since it started). */
  #timeOf(nowMs: number): number {
    return nowMs - this.#startedMs;
  }

  #frame(stream: Stream, frame: Frame, nowMs: number): void {
    stream.anchor ??= { rtpTime: frame.rtpTime, arrivedMs: frame.arrivedMs };
    const sinceAnchorMs = ((frame.rtpTime - stream.anchor.rtpTime) / stream.clockRate) * 1000;
    stream.lagMs = Math.min(
      stream.lagMs,
      frame.arrivedMs - stream.anchor.arrivedMs - sinceAnchorMs,
    );
    if (nowMs - this.#windowStartMs >= LAG_WINDOW_MS) this.#steer(nowMs);
    let timeMs = Math.round(this.#timeOf(stream.anchor.arrivedMs) + sinceAnchorMs);
    if (stream.kind === 'audio') {
      timeMs += this.#steerMs;
      this.#firstAudioMs ??= nowMs;
    }
    if (timeMs <= stream.lastMs || timeMs < 0) return;
    if (!this.#admit(stream, frame, timeMs, nowMs)) return;
    stream.lastMs = timeMs;
    const first = this.#blocks[0];
    if (
      first &&
      ((stream.kind === 'video' && frame.keyframe) ||
        timeMs - first.timeMs >= CLUSTER_MS ||
        Math.abs(timeMs - first.timeMs) > MAX_BLOCK_OFFSET_MS)
    )
      this.#writeCluster();
    this.#blocks.push({ track: stream.track, timeMs, keyframe: frame.keyframe, data: frame.data });
  }

  /**
   * Whether a frame goes in, opening a segment first where it should: the take opens on a video
   * keyframe (audio before it is dropped, unless video sends none for KEYFRAME_WAIT_MS), and a
   * new segment opens at the first video keyframe once the current one is long enough (audio-only
   * takes cut at any frame).
   */
  #admit(stream: Stream, frame: Frame, timeMs: number, nowMs: number): boolean {
    const cuts = stream.kind === 'video' ? frame.keyframe : !this.#videoStarted;
    if (!this.#segment) {
      if (stream.kind === 'video' && !frame.keyframe) return false;
      if (stream.kind === 'audio' && this.#hasVideo && !this.#videoStarted) {
        if (nowMs - this.#firstAudioMs! < KEYFRAME_WAIT_MS) return false;
      }
      this.#openSegment(timeMs, stream.kind === 'video' ? frame : null);
      if (stream.kind === 'video') this.#videoStarted = true;
      return true;
    }
    if (stream.kind === 'video' && frame.keyframe) this.#videoStarted = true;
    if (cuts && timeMs - this.#segment.startMs >= this.#segmentMs - 1000) {
      this.#closeSegment();
      this.#openSegment(timeMs, stream.kind === 'video' ? frame : null);
    }
    return true;
  }

  #steer(nowMs: number): void {
    const video = this.#streams.find((s) => s.kind === 'video');
    const audio = this.#streams.find((s) => s.kind === 'audio');
    if (video && audio && Number.isFinite(video.lagMs) && Number.isFinite(audio.lagMs)) {
      // Audio arriving later than its anchor promised, by more than video does, was anchored early.
      const offset = Math.round(audio.lagMs - video.lagMs);
      if (Math.abs(offset - this.#steerMs) >= STEER_MS) this.#steerMs = offset;
    }
    for (const stream of this.#streams) stream.lagMs = Infinity;
    this.#windowStartMs = nowMs;
  }

  #tracks(keyframe: Frame | null): MatroskaTrack[] {
    return this.#streams.map((s): MatroskaTrack => {
      if (s.kind === 'audio')
        return {
          kind: 'audio',
          codecId: 'A_OPUS',
          channels: s.channels ?? 2,
          sampleRate: s.clockRate,
        };
      if (s.codec === 'H264') {
        const avc = keyframe ? avcTrack(keyframe.data) : null;
        return {
          kind: 'video',
          codecId: 'V_MPEG4/ISO/AVC',
          width: avc?.width ?? 0,
          height: avc?.height ?? 0,
          ...(avc ? { codecPrivate: avc.codecPrivate } : {}),
        };
      }
      const size = keyframe ? vp8Dimensions(keyframe.data) : null;
      return {
        kind: 'video',
        codecId: 'V_VP8',
        width: size?.width ?? 0,
        height: size?.height ?? 0,
      };
    });
  }

  /** Opens the next segment at `timeMs`; its video track described from the keyframe opening it. */
  #openSegment(timeMs: number, keyframe: Frame | null): void {
    const name = `seg-${String(this.#segmentCount++).padStart(5, '0')}.mkv`;
    const fd = openSync(path.join(this.#dir, name), 'w');
    const { bytes, durationAt } = matroskaHead(this.#tracks(keyframe));
    writeSync(fd, bytes);
    this.#segment = { name, fd, durationAt, startMs: timeMs, endMs: timeMs };
  }

  #writeCluster(): void {
    const segment = this.#segment;
    if (!segment || this.#blocks.length === 0) return;
    writeSync(segment.fd, matroskaCluster(this.#blocks));
    segment.endMs = Math.max(segment.endMs, ...this.#blocks.map((b) => b.timeMs));
    this.#blocks = [];
  }

  #closeSegment(): void {
    this.#writeCluster();
    const segment = this.#segment;
    if (!segment) return;
    this.#segment = null;
    writeSync(segment.fd, finalDuration(segment.endMs - segment.startMs), 0, 8, segment.durationAt);
    closeSync(segment.fd);
    appendFileSync(
      path.join(this.#dir, SEGMENT_LIST),
      `${segment.name},${(segment.startMs / 1000).toFixed(6)},${(segment.endMs / 1000).toFixed(6)}\n`,
    );
  }
}
