import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const main = path.join(import.meta.dirname, '..', 'dist', 'main.js');

/** Starts the worker with `env` added (and a Redis nobody answers on); it is expected to exit. */
function start(
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [main], {
    env: { ...process.env, REDIS_URL: 'redis://127.0.0.1:1', ...env },
    timeout: 20_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
}

describe('media-worker start-up', () => {
  it('refuses to start without ffmpeg and names the fix', async () => {
    const result = await start({ FFMPEG_PATH: '/nonexistent/ffmpeg' });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'ffmpeg is required but not found at \\"/nonexistent/ffmpeg\\"',
    );
    expect(result.stdout).toContain('npm run setup');
    expect(result.stdout).toContain('FFMPEG_PATH');
  });

  it('refuses an x264 preset it does not know, and names the setting', async () => {
    const result = await start({ SHOWREC_X264_PRESET: 'placebo' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('invalid media-worker configuration: SHOWREC_X264_PRESET');
  });
});
