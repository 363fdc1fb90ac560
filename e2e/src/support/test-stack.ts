import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freeTcpPort, startStack, type Stack } from '@showrec/infra';
import type { MediaStore } from '@showrec/media-store';
import { startTestStore, type TestStore } from '@showrec/media-store/testing';

export { waitFor } from '@showrec/infra';
import type { ShowCreated } from '@showrec/protocol';

export interface TestStack extends Stack {
  dataDir: string;
  /** Where the stack keeps media: its data directory, or (SHOWREC_TEST_STORAGE=s3) a Swift. */
  media: MediaStore;
  /** The store's own handle: its Swift, for fault tests that take it away. */
  store: TestStore;
}

/**
 * How test stacks run: on loopback, without the OSC port, with a low disk floor, filing at x264's
 * fastest preset (the two cores are shared with the browsers whose recordings are being filed).
 */
export const TEST_STACK_ENV: Record<string, string> = {
  SHOWREC_X264_PRESET: 'ultrafast',
  SHOWREC_RTC_LISTEN_IP: '127.0.0.1',
  SHOWREC_RTC_ANNOUNCED_IP: '127.0.0.1',
  SHOWREC_OSC_PORT: 'off',
  // CI machines may have little disk; only the disk-floor test sets a real floor.
  SHOWREC_MIN_FREE_MB: '16',
};

/**
 * The whole stack as `npm start` runs it, on free ports, with its data in a temp dir and its
 * media in the test backend's store (SHOWREC_TEST_STORAGE, or `options.storage`).
 */
export async function startTestStack(
  env: Record<string, string> = {},
  options: { storage?: 'local' | 's3'; workerDataDir?: string } = {},
): Promise<TestStack> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'showrec-e2e-'));
  const store = await startTestStore(dataDir, options.storage);
  const stack = await startStack({
    dataDir,
    port: await freeTcpPort(),
    logDir: path.join(dataDir, 'logs'),
    env: { ...TEST_STACK_ENV, ...store.env, ...env },
    workerDataDir: options.workerDataDir,
  }).catch(async (err: unknown) => {
    await store.stop();
    throw err;
  });
  const stop = stack.stop.bind(stack);
  return Object.assign(stack, {
    dataDir,
    media: store.media,
    store,
    async stop() {
      await stop();
      await store.stop();
    },
  });
}

export async function createShow(stack: Stack, title: string): Promise<ShowCreated> {
  const res = await fetch(`${stack.baseUrl}/api/shows`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title }),
  });
  if (res.status !== 201)
    throw new Error(`creating a show failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as ShowCreated;
}
