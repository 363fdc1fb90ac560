import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Throws a message naming the fix when ffmpeg or ffprobe can't run. */
export async function checkFfmpeg(ffmpegPath: string, ffprobePath: string): Promise<string> {
  let version = '';
  for (const [name, bin] of [
    ['ffmpeg', ffmpegPath],
    ['ffprobe', ffprobePath],
  ] as const) {
    try {
      const { stdout } = await run(bin, ['-version']);
      if (name === 'ffmpeg') version = stdout.split('\n')[0] ?? '';
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : String(err);
      throw new Error(
        `${name} is required but ${reason} at "${bin}". Install it with \`npm run setup\` ` +
          `(apt-get install ffmpeg) or point ${name === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH'} at a working binary.`,
        { cause: err },
      );
    }
  }
  return version;
}
