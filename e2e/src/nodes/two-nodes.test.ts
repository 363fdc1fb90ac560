import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestNetwork,
  freeTcpPort,
  s3Environment,
  startSentinelRedis,
  startStack,
  startSwift,
  waitFor,
  type SentinelRedis,
  type Stack,
  type SwiftServer,
  type TestHost,
  type TestNetwork,
} from '@showrec/infra';
import type { TakeManifest } from '@showrec/protocol';
import { launchChromium } from '../support/browser.js';
import { joinAs } from '../support/phones.js';
import { showApi } from '../support/show-api.js';
import { TEST_STACK_ENV, createShow } from '../support/test-stack.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SEGMENT_SECONDS = 2;

/**
 * Two hosts on one machine: network namespaces of their own on a private bridge, each running a
 * show-server node and a media-worker on a data directory of its own. Redis behind Sentinel (a
 * primary, a replica, three sentinels) and a real Swift as the store listen on this machine's
 * address on that network. Six Chromium phones open the page of node A; placement spreads them
 * over both nodes.
 */
describe('two show-server nodes on hosts of their own, two workers, Sentinel and an object store', () => {
  let network: TestNetwork;
  let redis: SentinelRedis;
  let swift: SwiftServer;
  let a: Stack;
  let b: Stack;
  let browser: Browser;

  beforeAll(async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'showrec-nodes-'));
    network = await createTestNetwork(2);
    redis = await startSentinelRedis({ dir: path.join(root, 'redis'), host: network.gateway });
    swift = await startSwift({ dir: path.join(root, 'swift'), host: network.gateway });
    const node = async (name: string, host: TestHost) =>
      startStack({
        dataDir: path.join(root, name),
        workerDataDir: path.join(root, `${name}-worker`),
        port: await freeTcpPort(),
        redis: redis.settings,
        logDir: path.join(root, `${name}-logs`),
        netns: { name: host.netns, host: host.address },
        env: {
          ...TEST_STACK_ENV,
          ...s3Environment(swift, 'nodes-test'),
          SHOWREC_RTC_LISTEN_IP: host.address,
          SHOWREC_RTC_ANNOUNCED_IP: host.address,
          SHOWREC_SEGMENT_SECONDS: String(SEGMENT_SECONDS),
          SHOWREC_ADMIN_TOKEN: 'nodes-test-admin-token-0123456789',
        },
      });
    a = await node('node-a', network.hosts[0]!);
    b = await node('node-b', network.hosts[1]!);
    browser = await launchChromium({ secureOrigins: [a.baseUrl, b.baseUrl] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await b?.stop().catch(() => undefined);
    await a?.stop();
    await swift?.stop();
    await redis?.stop();
    await network?.remove();
  });

  it('phones spread over both nodes; a node killed mid-take and a Redis primary killed mid-show lose nothing', async () => {
    const show = await createShow(a, 'Festival');
    const host = showApi(a, show);
    const press = (stack: Stack, action: string, body?: object) =>
      fetch(`${stack.baseUrl}/api/shows/${show.id}/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${show.hostKey}`, 'content-type': 'application/json' },
        body: body && JSON.stringify(body),
      });
    const cueIds: string[] = [];
    for (const cue of [
      { kind: 'capture', text: 'The song' },
      { kind: 'credits', text: 'Thanks' },
    ]) {
      const res = await press(a, 'cues', cue);
      expect(res.status).toBe(201);
      cueIds.push(((await res.json()) as { id: string }).id);
    }
    const names = ['Ada', 'Bo', 'Cy', 'Di', 'Ed', 'Flo'];
    const phones: Page[] = [];
    for (const name of names) phones.push(await joinAs(browser, a.baseUrl, show.joinCode, name));

    expect((await press(a, 'go', { expectedCueId: null })).status).toBe(200);
    const recordingOn = (count: number) =>
      waitFor(
        `${count} takes recording`,
        async () => {
          const live = (await host.takes()).filter((t) => t.status === 'recording');
          return live.length === count ? live : null;
        },
        60_000,
      );
    const first = await recordingOn(6);
    const servers = new Map<string, TakeManifest[]>();
    for (const take of first)
      servers.set(take.serverId!, [...(servers.get(take.serverId!) ?? []), take]);
    // Placement alternates: three phones on each node.
    expect([...servers.values()].map((takes) => takes.length)).toEqual([3, 3]);
    await sleep(5000);

    // (a) Node B dies outright: its phones come back through node A and record on.
    const takesOnB = first.filter(
      (t) => t.serverId !== first.find((x) => x.participant.name === 'Ada')!.serverId,
    );
    expect(takesOnB).toHaveLength(3);
    b.server.kill('SIGKILL');
    const killedAt = Date.now();
    const resumed = await waitFor(
      'the three phones of node B recording on node A',
      async () => {
        const live = (await host.takes()).filter(
          (t) => t.status === 'recording' && t.continues !== null,
        );
        return live.length === 3 ? live : null;
      },
      60_000,
    );
    const backAfterMs = Math.max(...resumed.map((t) => t.startedAt)) - killedAt;
    expect(new Set(resumed.map((t) => t.continues))).toEqual(new Set(takesOnB.map((t) => t.id)));
    expect(new Set(resumed.map((t) => t.serverId))).toEqual(
      new Set([first.find((t) => !takesOnB.includes(t))!.serverId]),
    );
    // Node B's takes are finalized by node A from the segments in the store.
    const recovered = await waitFor(
      'node B’s takes recovered',
      async () => {
        const takes = (await host.takes()).filter((t) => takesOnB.some((x) => x.id === t.id));
        return takes.every((t) => t.status === 'ended') ? takes : null;
      },
      60_000,
    );
    for (const take of recovered)
      expect(take).toMatchObject({ endReason: 'server-crashed', failure: null });
    await sleep(3000);

    // (b) The Redis primary dies: Sentinel promotes the replica; GO, capture and filing go on.
    await redis.killPrimary();
    await sleep(3000);
    expect((await press(a, 'go', { expectedCueId: cueIds[0] })).status).toBe(200);
    for (const phone of phones)
      await phone.locator('[data-phase="standby"]').waitFor({ timeout: 30_000 });

    const takes = await waitFor(
      'every take ended',
      async () => {
        const all = await host.takes();
        return all.length === 9 && all.every((t) => t.status === 'ended') ? all : null;
      },
      60_000,
    );
    const records = await host.recordsFiled(9, 180_000);
    expect(new Set(records.map((r) => r.takeId))).toEqual(new Set(takes.map((t) => t.id)));
    // Each phone's recording is whole across its parts: the parts of a moved phone add up to its
    // time recording, less the seconds it took to come back and at most a segment in progress.
    for (const name of names) {
      const parts = takes.filter((t) => t.participant.name === name);
      const seconds = parts.reduce(
        (sum, t) => sum + (records.find((r) => r.takeId === t.id)!.media.durationMs ?? 0) / 1000,
        0,
      );
      const span =
        (Math.max(...parts.map((t) => t.endedAt!)) - Math.min(...parts.map((t) => t.startedAt))) /
        1000;
      expect(seconds, name).toBeGreaterThan(span - backAfterMs / 1000 - 2 * SEGMENT_SECONDS - 2);
    }
    // What node B was writing when it died (its disk is its own) comes from the phones' copies.
    const fromPhones = await waitFor(
      'node B’s takes refiled from the phones’ own copies',
      async () => {
        const refiled = (await host.records()).filter(
          (r) => r.source === 'phone' && takesOnB.some((t) => t.id === r.takeId),
        );
        return refiled.length === 3 ? refiled : null;
      },
      120_000,
    );
    for (const record of fromPhones) {
      const take = recovered.find((t) => t.id === record.takeId)!;
      expect(record.media.durationMs / 1000).toBeGreaterThan(
        (killedAt - take.startedAt) / 1000 - 1,
      );
    }
    console.log(`node B's phones were recording on node A ${backAfterMs} ms after the kill`);
  }, 360_000);
});
