import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { redisSettingsFromEnv, type RedisSettings } from '@showrec/infra/redis';
import { s3SettingsFromEnv, type S3Settings } from '@showrec/media-store';
import { z } from 'zod';
import type { LoadLimits } from './capture/load-watch.js';
import { DEFAULT_RECORDER_PROCESSES } from './capture/recorder/recorder-pool.js';

/**
 * Every setting of the show-server, from the environment. Defaults are documented in the README's
 * configuration table; keep the two in step.
 */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  SHOWREC_DATA_DIR: z.string().default('data'),
  SHOWREC_ADMIN_TOKEN: z.string().min(16).optional(),
  SHOWREC_PUBLIC_URL: z.string().url().optional(),
  SHOWREC_MEDIASOUP_WORKERS: z.coerce.number().int().min(1).default(os.cpus().length),
  SHOWREC_RTC_LISTEN_IP: z.union([z.ipv4(), z.ipv6()]).default('0.0.0.0'),
  SHOWREC_RTC_ANNOUNCED_IP: z.string().optional(),
  SHOWREC_RTC_MIN_PORT: z.coerce.number().int().min(1024).max(65535).default(40000),
  SHOWREC_RTC_MAX_PORT: z.coerce.number().int().min(1024).max(65535).default(44999),
  SHOWREC_RECORDER_PROCESSES: z.coerce.number().int().min(1).default(DEFAULT_RECORDER_PROCESSES),
  SHOWREC_WEB_DIR: z.string().optional(),
  SHOWREC_OSC_PORT: z
    .union([z.literal('off'), z.coerce.number().int().min(0).max(65535)])
    .default(9000),
  SHOWREC_OSC_HOST: z.union([z.ipv4(), z.ipv6()]).default('127.0.0.1'),
  SHOWREC_OSC_PER_SEC: z.coerce.number().int().min(1).default(10),
  SHOWREC_MIN_FREE_MB: z.coerce.number().int().min(0).default(2048),
  SHOWREC_CORS_ORIGINS: z.string().default(''),
  SHOWREC_NODE_ORIGINS: z.string().default(''),
  SHOWREC_JOIN_LIMIT_PER_MIN: z.coerce.number().int().min(1).default(30),
  SHOWREC_SOCKET_EVENTS_PER_SEC: z.coerce.number().int().min(1).default(20),
  SHOWREC_CAPACITY_STREAMS: z.coerce
    .number()
    .int()
    .min(1)
    .default(os.cpus().length * 50),
  SHOWREC_CAPACITY_MBPS: z.coerce
    .number()
    .min(1)
    .default(os.cpus().length * 100),
  SHOWREC_LOAD_MAX_SFU_CPU_PCT: z.coerce.number().min(1).max(100).default(85),
  SHOWREC_LOAD_MAX_RECORDER_LAG_MS: z.coerce.number().int().min(1).default(500),
  SHOWREC_LOAD_MAX_LOSS_PCT: z.coerce.number().min(0).max(100).default(1),
  SHOWREC_MAX_PHONES_PER_SHOW: z.coerce.number().int().min(1).default(500),
  SHOWREC_MAX_PHONES_PER_ADDRESS: z.coerce.number().int().min(1).default(10),
  SHOWREC_HTTP_IDLE_TIMEOUT_S: z.coerce.number().int().min(1).default(60),
  SHOWREC_DOWNLOAD_LINK_TTL_S: z.coerce.number().int().min(10).default(600),
  SHOWREC_MAX_UPLOAD_MB: z.coerce.number().int().min(1).default(4096),
  SHOWREC_SEGMENT_SECONDS: z.coerce.number().int().min(2).max(300).default(10),
  SHOWREC_TLS_CERT: z.string().min(1).optional(),
  SHOWREC_TLS_KEY: z.string().min(1).optional(),
  SHOWREC_WALL_MAX_TILES: z.coerce.number().int().min(1).max(48).default(48),
  SHOWREC_WALL_VIEWER_MBPS: z.coerce.number().min(0.5).default(12),
  SHOWREC_WALL_MAX_VIEWERS: z.coerce.number().int().min(1).default(16),
  SHOWREC_DRAIN_TIMEOUT_S: z.coerce.number().int().min(0).default(900),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
});

export interface Config {
  port: number;
  /**
   * Takes are recorded below it; with no object store it is also where every recording and
   * RECord's media are kept.
   */
  dataDir: string;
  /** The object store for takes, uploads and RECord media (SHOWREC_S3_*); null: the data directory. */
  s3: S3Settings | null;
  /** Served over https with this certificate and key (PEM files), or plain http when null. */
  tls: { cert: string; key: string } | null;
  /** A draining node moves its last phones at once after this long (see nodes/drain.ts). */
  drainTimeoutMs: number;
  /** This node's public base URL: given, or http(s)://announced-address:port. */
  nodeUrl: string;
  /** Each take is recorded as Matroska segments of about this long, each stored as it closes. */
  segmentSeconds: number;
  /** A Redis URL, or Sentinel's addresses and primary name (see @showrec/infra/redis). */
  redis: RedisSettings;
  adminToken: string;
  adminTokenSource: 'env' | 'file' | 'generated';
  publicUrl: string | null;
  mediasoupWorkers: number;
  rtc: { listenIp: string; announcedIp: string; minPort: number; maxPort: number };
  /** Recorder processes (each writes many takes; see capture/recorder/recorder-pool.ts). */
  recorderProcesses: number;
  /** OSC remote control; null when SHOWREC_OSC_PORT=off. */
  osc: { host: string; port: number; messagesPerSecond: number } | null;
  /** Below this much free space in the data directory, new takes are refused. */
  minFreeMb: number;
  /** Origins allowed to call the API and sockets from other sites; empty means same-origin only. */
  corsOrigins: string[];
  /**
   * Where pages may open a socket besides their own server (CSP sources such as
   * `https://*.venue.example`); empty: the live nodes' URLs when the page is served.
   */
  nodeOrigins: string[];
  /** A connection that sends nothing for this long is closed (there is no limit on a whole request). */
  httpIdleTimeoutMs: number;
  /** How long a signed download link works. */
  downloadLinkTtlMs: number;
  /** The largest phone copy of a take the server accepts. */
  maxUploadBytes: number;
  /** Phones this process records at once, and what they may send (see capture/capacity.ts). */
  capacity: { streams: number; mbps: number; phoneMbps: number };
  /** Past these, measured every 2 s, new phones are refused (see capture/load-watch.ts). */
  load: LoadLimits;
  /** Live video to the stage and control panels (see wall/viewer-budget.ts). */
  wall: { maxTiles: number; viewerBps: number; maxViewersPerShow: number };
  limits: {
    joinPerMinute: number;
    socketEventsPerSecond: number;
    phonesPerShow: number;
    /** On one show-server process. */
    phonesPerAddress: number;
  };
  /** The folder holding stage-display/dist and audience-app/dist. */
  webDir: string;
  logLevel: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid show-server configuration: ${problems}`);
  }
  const e = parsed.data;
  if (Boolean(e.SHOWREC_TLS_CERT) !== Boolean(e.SHOWREC_TLS_KEY)) {
    throw new Error(
      'invalid show-server configuration: set both SHOWREC_TLS_CERT and SHOWREC_TLS_KEY, or neither',
    );
  }
  if (e.SHOWREC_RTC_MIN_PORT >= e.SHOWREC_RTC_MAX_PORT) {
    throw new Error(
      'invalid show-server configuration: SHOWREC_RTC_MIN_PORT must be below SHOWREC_RTC_MAX_PORT',
    );
  }
  const dataDir = path.resolve(e.SHOWREC_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const admin = resolveAdminToken(e.SHOWREC_ADMIN_TOKEN, dataDir);
  const tls =
    e.SHOWREC_TLS_CERT && e.SHOWREC_TLS_KEY
      ? {
          cert: readPem(e.SHOWREC_TLS_CERT, 'SHOWREC_TLS_CERT'),
          key: readPem(e.SHOWREC_TLS_KEY, 'SHOWREC_TLS_KEY'),
        }
      : null;
  const announcedIp = e.SHOWREC_RTC_ANNOUNCED_IP ?? firstLanAddress();
  const publicUrl = e.SHOWREC_PUBLIC_URL?.replace(/\/$/, '') ?? null;
  return {
    port: e.PORT,
    dataDir,
    s3: s3SettingsFromEnv(env),
    segmentSeconds: e.SHOWREC_SEGMENT_SECONDS,
    tls,
    drainTimeoutMs: e.SHOWREC_DRAIN_TIMEOUT_S * 1000,
    nodeUrl: publicUrl ?? `${tls ? 'https' : 'http'}://${hostForUrl(announcedIp)}:${e.PORT}`,
    redis: redisSettingsFromEnv(env) ?? { kind: 'url', url: 'redis://127.0.0.1:6379' },
    adminToken: admin.token,
    adminTokenSource: admin.source,
    publicUrl,
    mediasoupWorkers: e.SHOWREC_MEDIASOUP_WORKERS,
    rtc: {
      listenIp: e.SHOWREC_RTC_LISTEN_IP,
      announcedIp,
      minPort: e.SHOWREC_RTC_MIN_PORT,
      maxPort: e.SHOWREC_RTC_MAX_PORT,
    },
    recorderProcesses: e.SHOWREC_RECORDER_PROCESSES,
    minFreeMb: e.SHOWREC_MIN_FREE_MB,
    maxUploadBytes: e.SHOWREC_MAX_UPLOAD_MB * 1024 * 1024,
    downloadLinkTtlMs: e.SHOWREC_DOWNLOAD_LINK_TTL_S * 1000,
    httpIdleTimeoutMs: e.SHOWREC_HTTP_IDLE_TIMEOUT_S * 1000,
    corsOrigins: list(e.SHOWREC_CORS_ORIGINS),
    nodeOrigins: list(e.SHOWREC_NODE_ORIGINS),
    // A phone may send up to the audience app's cap: 2.5 Mb/s of video, and its audio.
    capacity: {
      streams: e.SHOWREC_CAPACITY_STREAMS,
      mbps: e.SHOWREC_CAPACITY_MBPS,
      phoneMbps: 2.6,
    },
    load: {
      sfuCpu: e.SHOWREC_LOAD_MAX_SFU_CPU_PCT / 100,
      recorderLagMs: e.SHOWREC_LOAD_MAX_RECORDER_LAG_MS,
      lossPercent: e.SHOWREC_LOAD_MAX_LOSS_PCT,
    },
    limits: {
      joinPerMinute: e.SHOWREC_JOIN_LIMIT_PER_MIN,
      socketEventsPerSecond: e.SHOWREC_SOCKET_EVENTS_PER_SEC,
      phonesPerShow: e.SHOWREC_MAX_PHONES_PER_SHOW,
      phonesPerAddress: e.SHOWREC_MAX_PHONES_PER_ADDRESS,
    },
    wall: {
      maxTiles: e.SHOWREC_WALL_MAX_TILES,
      viewerBps: e.SHOWREC_WALL_VIEWER_MBPS * 1_000_000,
      maxViewersPerShow: e.SHOWREC_WALL_MAX_VIEWERS,
    },
    osc:
      e.SHOWREC_OSC_PORT === 'off'
        ? null
        : {
            host: e.SHOWREC_OSC_HOST,
            port: e.SHOWREC_OSC_PORT,
            messagesPerSecond: e.SHOWREC_OSC_PER_SEC,
          },
    webDir: path.resolve(e.SHOWREC_WEB_DIR ?? path.join(import.meta.dirname, '..', '..')),
    logLevel: e.LOG_LEVEL,
  };
}

function list(commaSeparated: string): string[] {
  return commaSeparated
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
}

function readPem(file: string, name: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(
      `invalid show-server configuration: ${name}: cannot read ${file}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

function hostForUrl(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/** The token survives restarts (kept in the data directory, mode 0600) unless the env sets one. */
function resolveAdminToken(
  fromEnv: string | undefined,
  dataDir: string,
): { token: string; source: Config['adminTokenSource'] } {
  if (fromEnv) return { token: fromEnv, source: 'env' };
  const file = path.join(dataDir, 'admin-token');
  try {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= 16) return { token, source: 'file' };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, source: 'generated' };
}

/** Phones on the venue network reach the SFU at this machine's LAN address. */
function firstLanAddress(): string {
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family === 'IPv4' && !a.internal) return a.address;
    }
  }
  return '127.0.0.1';
}
