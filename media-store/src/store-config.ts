import { z } from 'zod';
import { LocalStore } from './local-store.js';
import type { MediaStore } from './media-store.js';
import { S3Store } from './s3-store.js';

export interface S3Settings {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
  /** Per request, the SDK's own retries with backoff. */
  maxAttempts: number;
}

/** The store settings, shared by the show-server and the media-worker (README: "Object storage"). */
const envSchema = z
  .object({
    SHOWREC_S3_ENDPOINT: z.string().url().optional(),
    SHOWREC_S3_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name')
      .default('showrec'),
    SHOWREC_S3_REGION: z.string().min(1).default('us-east-1'),
    SHOWREC_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    SHOWREC_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    SHOWREC_S3_PATH_STYLE: z.enum(['true', 'false']).default('true'),
    SHOWREC_S3_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(3),
  })
  .refine(
    (e) => !e.SHOWREC_S3_ENDPOINT || (e.SHOWREC_S3_ACCESS_KEY_ID && e.SHOWREC_S3_SECRET_ACCESS_KEY),
    'SHOWREC_S3_ENDPOINT needs SHOWREC_S3_ACCESS_KEY_ID and SHOWREC_S3_SECRET_ACCESS_KEY',
  );

/** The S3 settings, or null when SHOWREC_S3_ENDPOINT is unset (media stay in the data directory). */
export function s3SettingsFromEnv(env: NodeJS.ProcessEnv): S3Settings | null {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.') || 'storage'}: ${i.message}`)
      .join('; ');
    throw new Error(`invalid object store configuration: ${problems}`);
  }
  const e = parsed.data;
  if (!e.SHOWREC_S3_ENDPOINT) return null;
  return {
    endpoint: e.SHOWREC_S3_ENDPOINT,
    bucket: e.SHOWREC_S3_BUCKET,
    region: e.SHOWREC_S3_REGION,
    accessKeyId: e.SHOWREC_S3_ACCESS_KEY_ID!,
    secretAccessKey: e.SHOWREC_S3_SECRET_ACCESS_KEY!,
    forcePathStyle: e.SHOWREC_S3_PATH_STYLE === 'true',
    maxAttempts: e.SHOWREC_S3_MAX_ATTEMPTS,
  };
}

/** The S3 store when one is configured, otherwise the data directory itself. */
export async function openMediaStore(s3: S3Settings | null, dataDir: string): Promise<MediaStore> {
  return s3 ? S3Store.open(s3) : new LocalStore(dataDir);
}
