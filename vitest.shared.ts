import path from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Every workspace's test settings. Tests drive real Redis, ffmpeg, mediasoup and Chromium on a
 * 2-core machine, so files run one at a time with generous timeouts; each workspace also writes
 * a JSON report that infra/src/test-summary.ts adds up for CI.
 */
export function sharedTestConfig(workspace: string) {
  return defineConfig({
    test: {
      testTimeout: 60_000,
      hookTimeout: 60_000,
      fileParallelism: false,
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
