import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { s3Environment, startSwift, type SwiftServer } from '@showrec/infra';
import { LocalStore } from '../local-store.js';
import type { MediaStore } from '../media-store.js';
import { S3Store } from '../s3-store.js';
import { s3SettingsFromEnv } from '../store-config.js';

export interface TestStore {
  media: MediaStore;
  /** For a show-server or media-worker process: where its media go (empty for the local store). */
  env: Record<string, string>;
  /** The Swift server behind an S3 store, to stop and restart in fault tests. */
  swift: SwiftServer | null;
  stop(): Promise<void>;
}

/** Which backend the tests run against: `SHOWREC_TEST_STORAGE=s3` runs them on a real Swift. */
export function testStorageKind(): 'local' | 's3' {
  return process.env.SHOWREC_TEST_STORAGE === 's3' ? 's3' : 'local';
}

/**
 * The media store a test runs against: the data directory itself, or (SHOWREC_TEST_STORAGE=s3,
 * or `kind` given) a private Swift under it with a bucket of the test's own.
 */
export async function startTestStore(
  dataDir: string,
  kind: 'local' | 's3' = testStorageKind(),
): Promise<TestStore> {
  if (kind === 'local') {
    const media = new LocalStore(dataDir);
    return { media, env: {}, swift: null, stop: async () => media.close() };
  }
  const swift = await startSwift({ dir: path.join(dataDir, 'swift') });
  const env = s3Environment(swift, `test-${randomBytes(6).toString('hex')}`);
  const media = await S3Store.open(s3SettingsFromEnv(env)!);
  return {
    media,
    env,
    swift,
    stop: async () => {
      media.close();
      await swift.stop();
    },
  };
}
