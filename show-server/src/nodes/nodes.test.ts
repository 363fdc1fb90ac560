import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childExit, startEmbeddedRedis, waitFor, type EmbeddedRedis } from '@showrec/infra';
import { showViewSchema, type NodeInfo } from '@showrec/protocol';
import {
  apiClient,
  connectSocket,
  createTestShow,
  emit,
  nextEvent,
  type TestSocket,
} from '../test-support/api-client.js';
import { startServerProcess, type ServerProcess } from '../test-support/server-process.js';
import { NodeRegistry } from './node-registry.js';
import { choosePlacement, type PlacementCandidate } from './placement.js';

const node = (id: string, phones: number, more: Partial<PlacementCandidate> = {}) =>
  ({
    id,
    url: `http://${id}.venue:8080`,
    rtcAddress: '10.0.0.1',
    capacity: { streams: 100, mbps: 200 },
    load: { phones, streams: phones, bps: 0, sfuCpu: 0 },
    full: null,
    draining: false,
    startedAt: 0,
    updatedAt: 0,
    reserved: 0,
    ...more,
  }) satisfies NodeInfo & { reserved: number };

describe('placement', () => {
  it('picks the node with the least phones for its capacity, counting phones placed since it reported', () => {
    expect(choosePlacement([node('node-a', 10), node('node-b', 4)], 'node-a')!.id).toBe('node-b');
    expect(
      choosePlacement([node('node-a', 10), node('node-b', 4, { reserved: 7 })], 'node-a')!.id,
    ).toBe('node-a');
    // Twice the capacity holds twice the phones at the same share.
    const big = node('node-b', 15, { capacity: { streams: 200, mbps: 400 } });
    expect(choosePlacement([node('node-a', 10), big], 'node-a')!.id).toBe('node-b');
  });

  it('on a tie keeps the phone where it asked (no extra hop), then the lowest id: never list order', () => {
    expect(choosePlacement([node('node-b', 3), node('node-a', 3)], 'node-b')!.id).toBe('node-b');
    expect(choosePlacement([node('node-c', 3), node('node-b', 3)], 'node-a')!.id).toBe('node-b');
    expect(choosePlacement([node('node-b', 3), node('node-c', 3)], 'node-a')!.id).toBe('node-b');
  });

  it('never places on a node that drains, is full, has as many phones placed as it holds, or the phone could not reach', () => {
    expect(choosePlacement([node('node-a', 99, { reserved: 1 })], 'node-a')).toBeNull();
    const nodes = [
      node('node-a', 9),
      node('node-b', 0, { draining: true }),
      node('node-c', 0, { full: 'at capacity (100 phones, 0.0 of 200 Mb/s)' }),
      node('node-d', 0),
    ];
    expect(choosePlacement(nodes, 'node-a', new Set(['node-d']))!.id).toBe('node-a');
    expect(choosePlacement(nodes.slice(1, 3), 'node-a')).toBeNull();
  });
});

describe('two show-server nodes on one Redis', () => {
  let redis: EmbeddedRedis;
  let client: Redis;
  let a: ServerProcess;
  let b: ServerProcess;
  const sockets: TestSocket[] = [];
  // Two phones each: the fifth finds no room anywhere.
  const env = () => ({ REDIS_URL: redis.url, SHOWREC_CAPACITY_STREAMS: '2' });
  beforeAll(async () => {
    redis = await startEmbeddedRedis({ dir: await mkdtemp(path.join(tmpdir(), 'showrec-redis-')) });
    client = new Redis(redis.url);
    [a, b] = await Promise.all([startServerProcess(env()), startServerProcess(env())]);
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    client?.disconnect();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  const phoneOn = (server: ServerProcess) => {
    const socket = connectSocket(server.baseUrl, { role: 'audience' });
    sockets.push(socket);
    return socket;
  };

  it("spreads joining phones over both nodes, says when none has room, and moves a drained node's phones", async () => {
    const registry = new NodeRegistry(client);
    const nodes = await waitFor('both nodes registered', async () => {
      const list = await registry.list();
      return list.length === 2 ? list : null;
    });
    const byUrl = new Map(nodes.map((n) => [n.url, n]));
    const nodeA = byUrl.get(a.baseUrl)!;
    const nodeB = byUrl.get(b.baseUrl)!;
    expect(nodeA).toMatchObject({
      rtcAddress: '127.0.0.1',
      capacity: { streams: 2 },
      draining: false,
    });
    expect(nodeB).toBeDefined();

    // A phone's page from node A may open its socket on node B (the browser enforces it).
    const wsB = b.baseUrl.replace('http', 'ws');
    const policy = await waitFor('node A to let pages connect to node B', async () => {
      const csp = (await fetch(`${a.baseUrl}/healthz`)).headers.get('content-security-policy');
      return csp?.includes(wsB) ? csp : null;
    });
    expect(policy).toMatch(new RegExp(`connect-src 'self' [^;]*${b.baseUrl} ${wsB}`));

    const show = await createTestShow(a.baseUrl, a.adminToken, 'Two nodes');
    const joinCode = show.joinCode;
    // Unknown codes are refused by the first node asked, before any placement.
    const stray = phoneOn(a);
    expect(await emit(stray, 'join', { joinCode: 'ZZZZZZ', name: 'Nobody' })).toMatchObject({
      ok: false,
      code: 'not-found',
    });

    /** Every phone asks node A, as phones that all opened the same page would. */
    const join = async (name: string) => {
      const first = phoneOn(a);
      const answer = await emit(first, 'join', { joinCode, name });
      if (!answer.ok) return { answer, socket: first };
      if (!('moveTo' in answer.data)) return { answer, socket: first };
      expect(answer.data.moveTo.id).toBe(nodeB.id);
      first.disconnect();
      const there = phoneOn(b);
      return {
        answer: await emit(there, 'join', { joinCode, name, node: answer.data.moveTo.id }),
        socket: there,
      };
    };
    const placed: Array<{ name: string; node: string; socket: TestSocket }> = [];
    // Two phones one after the other: a tie stays where the phone asked, and the placement
    // counts at once, so the second goes to B.
    for (const name of ['Ada', 'Bo']) {
      const { answer, socket } = await join(name);
      if (!answer.ok || 'moveTo' in answer.data) throw new Error(`${name} did not join`);
      expect(answer.data.nodes.map((n) => n.id)).toEqual([
        answer.data.node.id === nodeA.id ? nodeB.id : nodeA.id,
      ]);
      placed.push({ name, node: answer.data.node.id, socket });
    }
    expect(placed.map((p) => p.node)).toEqual([nodeA.id, nodeB.id]);
    // Two at the same moment: joins in flight count where they were placed, so neither is
    // refused while the other node has room.
    for (const { name, answer, socket } of await Promise.all(
      ['Cy', 'Di'].map(async (name) => ({ name, ...(await join(name)) })),
    )) {
      if (!answer.ok || 'moveTo' in answer.data) throw new Error(`${name} did not join`);
      placed.push({ name, node: answer.data.node.id, socket });
    }
    expect(placed.filter((p) => p.node === nodeA.id)).toHaveLength(2);

    const fifth = await join('Eve');
    expect(fifth.answer).toEqual({
      ok: false,
      code: 'unavailable',
      error: expect.stringMatching(/^every show-server is full \(2 nodes; this one at capacity/),
    });
    const view = showViewSchema.parse(
      (await apiClient(b.baseUrl)('GET', `/api/shows/${show.id}`, show.hostKey)).body,
    );
    expect(view.warnings).toContainEqual(
      expect.stringMatching(/^1 phone could not join: every show-server is full/),
    );

    // Drain B at once: its phones are asked to move, it stops, and placement forgets it.
    const onB = placed.filter((p) => p.node === nodeB.id);
    const moved = onB.map((p) => nextEvent(p.socket, 'node:move'));
    const cli = spawn(
      process.execPath,
      [path.join(import.meta.dirname, '..', '..', 'dist', 'drain-cli.js'), nodeB.id, '--now'],
      { env: { ...process.env, REDIS_URL: redis.url }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let said = '';
    cli.stdout!.on('data', (c: Buffer) => (said += c.toString()));
    await childExit(cli);
    expect(cli.exitCode).toBe(0);
    expect(said).toContain(`asked ${nodeB.id}`);
    await Promise.all(moved);
    for (const p of onB) p.socket.disconnect();
    await childExit(b.child);
    expect(b.child.exitCode).toBe(0);
    expect((await registry.list()).map((n) => n.id)).toEqual([nodeA.id]);
    for (const p of placed.filter((p) => p.node === nodeA.id)) p.socket.disconnect();
    await waitFor('node A reports its phones gone', async () => {
      const [info] = await registry.list();
      return info?.load.phones === 0 ? info : null;
    });
    const again = await join('Fay');
    expect(again.answer.ok && 'node' in again.answer.data && again.answer.data.node.id).toBe(
      nodeA.id,
    );
  });
});
