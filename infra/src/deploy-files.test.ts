import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from './stack.js';

/**
 * The deployment files are checked as far as this machine can (no docker here): they parse, every
 * variable they use is one the README documents, every variable a service reads is documented,
 * and what they say about stopping agrees with how long a draining node may take.
 */
const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8');
const deploy = (file: string) => read(path.join('infra/deploy', file));

/** Names in the first column of the README's tables; `A_B_MIN_PORT` / `_MAX_PORT` names both. */
function documentedVariables(): Map<string, string> {
  const documented = new Map<string, string>();
  for (const line of read('README.md').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 4 || !cells[1]) continue;
    let last = '';
    for (const [, name] of cells[1].matchAll(/`([A-Z_][A-Z0-9_]*)`/g)) {
      const full = name!.startsWith('_')
        ? last
            .split('_')
            .slice(0, -name!.split('_').length + 1)
            .join('_') + name
        : name!;
      documented.set(full, cells[2] ?? '');
      last = full;
    }
  }
  return documented;
}

function seconds(duration: string): number {
  const match = /^(\d+)(s|m|min|h)?$/.exec(duration.trim());
  if (!match) throw new Error(`not a duration: ${duration}`);
  const unit = match[2] ?? 's';
  return Number(match[1]) * (unit === 's' ? 1 : unit === 'h' ? 3600 : 60);
}

function unit(file: string): Map<string, string[]> {
  const entries = new Map<string, string[]>();
  let section = '';
  for (const raw of deploy(path.join('systemd', file)).split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      continue;
    }
    const eq = line.indexOf('=');
    if (!section || eq < 1) throw new Error(`${file}: not a unit line: ${line}`);
    const key = `${section}.${line.slice(0, eq)}`;
    entries.set(key, [...(entries.get(key) ?? []), line.slice(eq + 1)]);
  }
  return entries;
}

const documented = documentedVariables();
const drainSeconds = Number(/`(\d+)`/.exec(documented.get('SHOWREC_DRAIN_TIMEOUT_S') ?? '')?.[1]);

describe('deployment files', () => {
  it('the README documents every variable the services read, and the drain time', () => {
    const configs = [
      'show-server/src/config.ts',
      'media-worker/src/config.ts',
      'media-store/src/store-config.ts',
      'infra/src/redis/redis-settings.ts',
    ];
    const names = configs.flatMap((f) =>
      [...read(f).matchAll(/^\s+([A-Z][A-Z0-9_]+): z\b/gm)].map((m) => m[1]!),
    );
    expect(names.length).toBeGreaterThan(40);
    expect(names.filter((name) => !documented.has(name))).toEqual([]);
    expect(drainSeconds).toBeGreaterThan(0);
  });

  it('docker-compose.yml: the five services, durable Redis, a stop that outlasts a drain, every variable documented', () => {
    const text = deploy('docker-compose.yml');
    const compose = parse(text, { merge: true }) as {
      services: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(compose.services).sort()).toEqual(
      ['caddy', 'media-worker', 'object-store', 'redis', 'show-server'].sort(),
    );
    const redis = (compose.services.redis!.command as string[]).join(' ');
    expect(redis).toContain('--appendonly yes');
    expect(redis).toContain('--maxmemory-policy noeviction');
    const server = compose.services['show-server']!;
    expect(seconds(server.stop_grace_period as string)).toBeGreaterThan(drainSeconds);
    expect(server.environment).toMatchObject({
      REDIS_URL: 'redis://redis:6379',
      SHOWREC_PUBLIC_URL: expect.stringMatching(/^https:\/\//),
    });
    const build = server.build as { context: string; dockerfile: string };
    const context = path.resolve(repoRoot, 'infra/deploy', build.context);
    expect(context).toBe(repoRoot);
    expect(existsSync(path.join(context, build.dockerfile))).toBe(true);
    for (const name of ['show-server', 'media-worker']) {
      const env = compose.services[name]!.environment as Record<string, unknown>;
      expect(Object.keys(env).filter((k) => !documented.has(k))).toEqual([]);
      const [, script] = compose.services[name]!.command as string[];
      expect(existsSync(path.join(repoRoot, script!))).toBe(true);
    }
    const used = [...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]!);
    const inCaddy = [...deploy('Caddyfile').matchAll(/\{\$([A-Z_][A-Z0-9_]*)\}/g)].map(
      (m) => m[1]!,
    );
    expect(inCaddy.length).toBeGreaterThan(0);
    expect([...used, ...inCaddy].filter((v) => !documented.has(v))).toEqual([]);
    // What compose needs to start is in the example .env.
    const example = deploy('showrec.env.example');
    const required = [...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*):\?/g)].map((m) => m[1]!);
    for (const name of required) expect(example).toMatch(new RegExp(`^${name}=`, 'm'));
  });

  it('showrec.env.example: every variable documented', () => {
    const names = [...deploy('showrec.env.example').matchAll(/^#? ?([A-Z_][A-Z0-9_]*)=/gm)].map(
      (m) => m[1]!,
    );
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((n) => !documented.has(n))).toEqual([]);
  });

  it('systemd units: they parse, run what the repo builds, read the env file, and wait out a drain without signalling the recorders', () => {
    for (const file of ['showrec-show-server.service', 'showrec-media-worker.service']) {
      const u = unit(file);
      for (const key of ['Unit.Description', 'Service.ExecStart', 'Install.WantedBy'])
        expect(u.has(key), `${file}: ${key}`).toBe(true);
      const [node, script] = u.get('Service.ExecStart')![0]!.split(' ');
      expect(node).toBe('/usr/bin/node');
      expect(existsSync(path.join(repoRoot, script!)), script).toBe(true);
      expect(u.get('Service.EnvironmentFile')).toEqual(['/etc/showrec/showrec.env']);
      for (const env of u.get('Service.Environment') ?? [])
        expect(documented.has(env.split('=')[0]!), env).toBe(true);
      expect(u.get('Unit.After')![0]).toContain('redis-sentinel.service');
    }
    const server = unit('showrec-show-server.service');
    expect(seconds(server.get('Service.TimeoutStopSec')![0]!)).toBeGreaterThan(drainSeconds);
    // Only node gets SIGTERM: its ffmpeg recorders and mediasoup workers are its to stop.
    expect(server.get('Service.KillMode')).toEqual(['mixed']);
    expect(server.get('Service.KillSignal')).toEqual(['SIGTERM']);
  });

  it('Dockerfile: builds from the repo with its own setup script', () => {
    const file = deploy('Dockerfile');
    expect(file).toMatch(/^FROM node:20/m);
    expect(file).toMatch(/^RUN bash infra\/setup\.sh && npm run build/m);
    expect(existsSync(path.join(repoRoot, 'infra/setup.sh'))).toBe(true);
  });
});
