import type { ChildProcesses } from '@showrec/infra/processes';

/**
 * Whether a file is a playable video, asked of ffprobe. Throws a sentence naming what is wrong
 * (not media at all, or no picture in it) without naming where the file is.
 */
export async function requireVideo(processes: ChildProcesses, file: string): Promise<void> {
  let stdout: Buffer;
  try {
    ({ stdout } = await processes.run(process.env.FFPROBE_PATH ?? 'ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_type',
      '-of',
      'csv=p=0',
      file,
    ]));
  } catch (err) {
    throw new Error('ffprobe cannot read it as audio or video', { cause: err });
  }
  if (!stdout.toString().includes('video')) throw new Error('it holds no video stream');
}
