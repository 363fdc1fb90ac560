import { z } from 'zod';

/**
 * Where Redis is: one server by URL, or a Sentinel-watched primary (the sentinels name it, and a
 * new one after a failover). Both services read it from the same variables.
 */
export type RedisSettings =
  | { kind: 'url'; url: string }
  | {
      kind: 'sentinel';
      sentinels: Array<{ host: string; port: number }>;
      name: string;
      password: string | null;
    };

const sentinelAddress = z
  .string()
  .trim()
  .regex(/^[^\s:,]+:\d{1,5}$/, 'expected host:port');

const envSchema = z
  .object({
    REDIS_URL: z.string().url().optional(),
    REDIS_SENTINELS: z
      .string()
      .trim()
      .min(1)
      .transform((list) => list.split(',').map((s) => s.trim()))
      .pipe(z.array(sentinelAddress).min(1))
      .optional(),
    REDIS_SENTINEL_NAME: z.string().trim().min(1).default('showrec'),
    REDIS_PASSWORD: z.string().min(1).optional(),
  })
  .refine((e) => !(e.REDIS_URL && e.REDIS_SENTINELS), {
    message: 'set REDIS_URL or REDIS_SENTINELS, not both',
    path: ['REDIS_SENTINELS'],
  });

/** The Redis the environment names; null when it names none (the caller picks its default). */
export function redisSettingsFromEnv(env: NodeJS.ProcessEnv): RedisSettings | null {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid Redis configuration: ${problems}`);
  }
  const e = parsed.data;
  if (e.REDIS_SENTINELS) {
    return {
      kind: 'sentinel',
      sentinels: e.REDIS_SENTINELS.map((address) => {
        const at = address.lastIndexOf(':');
        return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
      }),
      name: e.REDIS_SENTINEL_NAME,
      password: e.REDIS_PASSWORD ?? null,
    };
  }
  return e.REDIS_URL ? { kind: 'url', url: e.REDIS_URL } : null;
}

/** For logs: where Redis is, without its password. */
export function describeRedis(settings: RedisSettings): string {
  return settings.kind === 'url'
    ? settings.url.replace(/\/\/[^@/]*@/, '//[secret]@')
    : `sentinels ${settings.sentinels.map((s) => `${s.host}:${s.port}`).join(',')} (primary "${settings.name}")`;
}

/** The environment a child service needs to reach the same Redis. */
export function redisEnvironment(settings: RedisSettings): Record<string, string> {
  return settings.kind === 'url'
    ? { REDIS_URL: settings.url }
    : {
        REDIS_SENTINELS: settings.sentinels.map((s) => `${s.host}:${s.port}`).join(','),
        REDIS_SENTINEL_NAME: settings.name,
        ...(settings.password ? { REDIS_PASSWORD: settings.password } : {}),
      };
}
