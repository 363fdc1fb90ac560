import { mkdtemp, readFile, stat } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('show-server config', () => {
  it('applies the documented defaults', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'showrec-config-'));
    const config = loadConfig({ SHOWREC_DATA_DIR: dataDir });
    expect(config).toMatchObject({
      port: 8080,
      dataDir,
      s3: null,
      segmentSeconds: 10,
      redis: { kind: 'url', url: 'redis://127.0.0.1:6379' },
      rtc: { listenIp: '0.0.0.0', minPort: 40000, maxPort: 44999 },
      // OSC has no credentials of its own: only this machine, unless the venue says otherwise.
      osc: { host: '127.0.0.1', port: 9000, messagesPerSecond: 10 },
    });
    expect(config.mediasoupWorkers).toBeGreaterThanOrEqual(1);
    expect(config.recorderProcesses).toBe(Math.max(1, Math.floor(os.availableParallelism() / 2)));
  });

  it('generates an admin token once, keeps it private on disk, and reuses it', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'showrec-config-'));
    const first = loadConfig({ SHOWREC_DATA_DIR: dataDir });
    expect(first.adminTokenSource).toBe('generated');
    expect(first.adminToken.length).toBeGreaterThanOrEqual(32);
    const file = path.join(dataDir, 'admin-token');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toBe(first.adminToken);
    const second = loadConfig({ SHOWREC_DATA_DIR: dataDir });
    expect(second).toMatchObject({ adminToken: first.adminToken, adminTokenSource: 'file' });
    const fromEnv = loadConfig({ SHOWREC_DATA_DIR: dataDir, SHOWREC_ADMIN_TOKEN: 'x'.repeat(20) });
    expect(fromEnv).toMatchObject({ adminToken: 'x'.repeat(20), adminTokenSource: 'env' });
  });

  it('takes an S3 store from SHOWREC_S3_*, path-style by default, and refuses one without credentials', () => {
    const config = loadConfig({
      SHOWREC_DATA_DIR: tmpdir(),
      SHOWREC_S3_ENDPOINT: 'http://127.0.0.1:8080',
      SHOWREC_S3_BUCKET: 'venue-recordings',
      SHOWREC_S3_ACCESS_KEY_ID: 'key',
      SHOWREC_S3_SECRET_ACCESS_KEY: 'secret',
    });
    expect(config.s3).toMatchObject({
      endpoint: 'http://127.0.0.1:8080',
      bucket: 'venue-recordings',
      region: 'us-east-1',
      forcePathStyle: true,
    });
    expect(() =>
      loadConfig({ SHOWREC_DATA_DIR: tmpdir(), SHOWREC_S3_ENDPOINT: 'http://127.0.0.1:8080' }),
    ).toThrow(/SHOWREC_S3_ACCESS_KEY_ID/);
    expect(() => loadConfig({ SHOWREC_DATA_DIR: tmpdir(), SHOWREC_S3_BUCKET: 'No_Caps' })).toThrow(
      /SHOWREC_S3_BUCKET/,
    );
  });

  it('rejects bad settings with the variable named', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ REDIS_URL: 'not a url' })).toThrow(/REDIS_URL/);
    expect(() =>
      loadConfig({ SHOWREC_RTC_MIN_PORT: '45000', SHOWREC_RTC_MAX_PORT: '41000' }),
    ).toThrow(/SHOWREC_RTC_MIN_PORT must be below/);
  });
});
