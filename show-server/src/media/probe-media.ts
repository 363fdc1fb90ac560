import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Whether a file is a playable video, asked of ffprobe. Throws a sentence naming what is wrong
 * (not media at all, or no picture in it).
 */
export async function requireVideo(file: string): Promise<void> {
  let stdout: string;
  try {
    ({ stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_type',
      '-of',
      'csv=p=0',
      file,
    ]));
  } catch (err) {
    const detail = ((err as { stderr?: string }).stderr ?? (err as Error).message).trim();
    throw new Error(`ffprobe cannot read it: ${detail.split('\n').at(-1)}`, { cause: err });
  }
  if (!stdout.includes('video')) throw new Error('it holds no video stream');
}
