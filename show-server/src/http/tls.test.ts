import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedRedis, type EmbeddedRedis } from '@showrec/infra';
import { loadConfig } from '../config.js';
import {
  httpsStatus,
  startServerProcess,
  type ServerProcess,
} from '../test-support/server-process.js';

describe('https from a given certificate (SHOWREC_TLS_CERT, SHOWREC_TLS_KEY)', () => {
  let dir: string;
  let redis: EmbeddedRedis;
  let server: ServerProcess;
  let cert: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'showrec-tls-'));
    await promisify(execFile)('openssl', [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'],
      ...['-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')],
      ...['-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'],
    ]);
    cert = await readFile(path.join(dir, 'cert.pem'), 'utf8');
    redis = await startEmbeddedRedis({ dir: path.join(dir, 'redis') });
    server = await startServerProcess({
      REDIS_URL: redis.url,
      SHOWREC_TLS_CERT: path.join(dir, 'cert.pem'),
      SHOWREC_TLS_KEY: path.join(dir, 'key.pem'),
    });
  });
  afterAll(async () => {
    await server?.stop();
    await redis?.stop();
  });

  it('serves the API and socket.io over https only, and names itself by its https URL', async () => {
    expect(server.baseUrl).toMatch(/^https:/);
    expect(await httpsStatus(`${server.baseUrl}/healthz`, cert)).toBe(200);
    await expect(fetch(`${server.baseUrl.replace('https', 'http')}/healthz`)).rejects.toThrow();
    const socket = io(server.baseUrl, {
      auth: { role: 'audience' },
      transports: ['websocket'],
      reconnection: false,
      ca: cert,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
    } finally {
      socket.disconnect();
    }
    expect(server.logs()).toContain(`"node":"https://127.0.0.1:${server.port}"`);
  });

  it('refuses half a TLS setting or a certificate it cannot read, naming the variable', () => {
    const base = { SHOWREC_DATA_DIR: dir };
    expect(() => loadConfig({ ...base, SHOWREC_TLS_CERT: path.join(dir, 'cert.pem') })).toThrow(
      /set both SHOWREC_TLS_CERT and SHOWREC_TLS_KEY, or neither/,
    );
    expect(() =>
      loadConfig({
        ...base,
        SHOWREC_TLS_CERT: path.join(dir, 'missing.pem'),
        SHOWREC_TLS_KEY: path.join(dir, 'key.pem'),
      }),
    ).toThrow(/SHOWREC_TLS_CERT: cannot read .*missing\.pem/);
  });
});
