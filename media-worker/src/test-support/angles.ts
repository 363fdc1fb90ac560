import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The sound of a room: pink noise with a beat, so no two moments sound alike (a steady tone would
 * correlate with itself every period).
 */
export async function makeRoomSound(file: string, seconds: number): Promise<void> {
  // prettier-ignore
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `anoisesrc=color=pink:seed=7:amplitude=0.4:sample_rate=48000:duration=${seconds}`,
    '-af', 'tremolo=f=2.5:d=0.8', file,
  ]);
}

export interface AngleOptions {
  /** Where in the room's sound this phone's recording starts. */
  fromMs: number;
  seconds: number;
  /** How loud this phone hears the room, and its own microphone hiss (a noise seed). */
  gain: number;
  hissSeed: number;
}

/** One phone's recording of the room: its own picture, the room's sound at its gain plus its own hiss. */
export async function makeAngle(room: string, file: string, options: AngleOptions): Promise<void> {
  const { fromMs, seconds, gain, hissSeed } = options;
  // prettier-ignore
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=30:duration=${seconds}`,
    '-ss', (fromMs / 1000).toFixed(3), '-t', String(seconds), '-i', room,
    '-f', 'lavfi', '-i', `anoisesrc=color=white:seed=${hissSeed}:amplitude=0.05:sample_rate=48000:duration=${seconds}`,
    '-filter_complex', `[1:a]volume=${gain}[room];[room][2:a]amix=inputs=2:duration=first:normalize=0[mic]`,
    '-map', '0:v', '-map', '[mic]',
    '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '400k', '-g', '30',
    '-c:a', 'libopus', '-b:a', '64k', '-f', 'matroska', file,
  ]);
}
