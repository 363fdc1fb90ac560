import { defineConfig } from 'vitest/config';

// Tests drive real Redis, ffmpeg, mediasoup and Chromium on a 2-core machine: one file at a time.
export default defineConfig({
  test: { testTimeout: 60_000, hookTimeout: 60_000, fileParallelism: false },
});
