import path from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Every workspace's test settings. Tests drive real Redis, ffmpeg, mediasoup and Chromium on a
 * 2-core machine, so files run one at a time with generous timeouts, unless a workspace says
 * its files mostly wait (on sockets, timers, a phone's real-time media) and two fit side by
 * side. Files share their worker's modules (`isolate: false`): each starts processes of its own
 * and keeps no state in a module, and importing everything again for every file cost 5–25 s per
 * workspace. Each workspace also writes a JSON report that infra/src/test-summary.ts adds up
 * for CI.
 */
export function sharedTestConfig(workspace: string, options: { filesAtOnce?: 1 | 2 } = {}) {
  const filesAtOnce = options.filesAtOnce ?? 1;
  return defineConfig({
    test: {
      testTimeout: 60_000,
      hookTimeout: 60_000,
      fileParallelism: filesAtOnce > 1,
      maxWorkers: filesAtOnce,
      isolate: false,
      reporters: [
        'default',
        [
          'json',
          {
            outputFile: path.join(
              import.meta.dirname,
              'test-results',
              // A run on the S3 backend (SHOWREC_TEST_STORAGE=s3) reports beside the local one.
              `${workspace}${process.env.SHOWREC_TEST_STORAGE === 's3' ? '.s3' : ''}.json`,
            ),
          },
        ],
      ],
    },
  });
}
