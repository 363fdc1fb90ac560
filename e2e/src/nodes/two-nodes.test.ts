import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  childExit,
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
 * address on that network. Four Chromium phones open the page of node A; placement spreads them
 * over both nodes. (Four, at 10 fps: each phone encodes three simulcast layers and its own copy,
 * and six at 20 fps left two cores too busy to file what they recorded in time.)
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
          // Node B restarts after the phones loaded their page: they must be let through to it.
          SHOWREC_NODE_ORIGINS: network.hosts.map((h) => `http://${h.address}:*`).join(','),
        },
      });
    a = await node('node-a', network.hosts[0]!);
    b = await node('node-b', network.hosts[1]!);
    browser = await launchChromium({ secureOrigins: [a.baseUrl, b.baseUrl], fakeCameraFps: 10 });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await b?.stop().catch(() => undefined);
    await a?.stop();
    await swift?.stop();
    await redis?.stop();
    await network?.remove();
  });

  it('phones spread over both nodes; a node killed mid-take, a node drained and a Redis primary killed lose nothing', async () => {
    const show = await createShow(a, 'Festival');
    let host = showApi(a, show);
    const press = (stack: Stack, action: string, body?: object) =>
      fetch(`${stack.baseUrl}/api/shows/${show.id}/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${show.hostKey}`, 'content-type': 'application/json' },
        body: body && JSON.stringify(body),
      });
    const cueIds: string[] = [];
    for (const cue of [
      { kind: 'capture', text: 'The song', captureStopsOnNextGo: false },
      { kind: 'title', text: 'Bows' },
    ]) {
      const res = await press(a, 'cues', cue);
      expect(res.status).toBe(201);
      cueIds.push(((await res.json()) as { id: string }).id);
    }
    // Where the time goes, printed as it passes (a failure in CI then says which step was slow).
    const began = Date.now();
    const step = (what: string) =>
      console.log(`two-nodes: ${what} at ${((Date.now() - began) / 1000).toFixed(1)} s`);
    const names = ['Ada', 'Bo', 'Cy', 'Di'];
    const phones: Page[] = [];
    for (const name of names) phones.push(await joinAs(browser, a.baseUrl, show.joinCode, name));
    const recording = (where: (t: TakeManifest) => boolean, count: number, what: string) =>
      waitFor(
        what,
        async () => {
          const live = (await host.takes()).filter((t) => t.status === 'recording' && where(t));
          return live.length === count ? live : null;
        },
        60_000,
      );

    expect((await press(a, 'go', { expectedCueId: null })).status).toBe(200);
    // Recorders running (a loaded machine may take seconds to start them all at once).
    const first = await recording((t) => t.recorder !== null, 4, 'four recorders running');
    step('four recording');
    const nodeA = first.find((t) => t.participant.name === 'Ada')!.serverId;
    const takesOnB = first.filter((t) => t.serverId !== nodeA);
    // Placement alternates: two phones on each node.
    expect(takesOnB).toHaveLength(2);
    // Each has closed and stored a segment or two.
    await sleep((2 * SEGMENT_SECONDS + 1) * 1000);

    // (a) Node B dies outright: its phones come back through node A and record on.
    b.server.kill('SIGKILL');
    const killedAt = Date.now();
    const resumed = await recording(
      (t) => t.continues !== null,
      2,
      'the two phones of node B recording on node A',
    );
    step('node B killed, its phones recording on node A');
    const backAfterMs = Math.max(...resumed.map((t) => t.startedAt)) - killedAt;
    expect(new Set(resumed.map((t) => t.continues))).toEqual(new Set(takesOnB.map((t) => t.id)));
    expect(new Set(resumed.map((t) => t.serverId))).toEqual(new Set([nodeA]));
    // Node B's takes are finalized by node A from the segments in the store.
    const recovered = await waitFor(
      'node B’s takes recovered',
      async () => {
        const takes = (await host.takes()).filter((t) => takesOnB.some((x) => x.id === t.id));
        return takes.every((t) => t.status === 'ended') ? takes : null;
      },
      60_000,
    );
    // (One whose phone was slow to send a keyframe may have stored nothing yet: its phone's own
    // copy, asked for now, is all of it.)
    for (const take of recovered) expect(take.endReason).toBe('server-crashed');
    step('node B’s takes recovered');

    // (c) Node B comes back; node A is stopped (SIGTERM): it drains at the next cue change.
    await b.restartServer();
    host = showApi(b, show);
    a.server.kill('SIGTERM');
    await sleep(3000);
    const onA = await recording((t) => t.serverId === nodeA, 4, 'all four still recording on A');
    step('node B back, node A draining');

    // (b) The Redis primary dies: Sentinel promotes the replica, and GO (the cue change node A
    // waits for) works through it; node A's phones move to node B and record on there.
    await redis.killPrimary();
    expect((await press(b, 'go', { expectedCueId: cueIds[0] })).status).toBe(200);
    const moved = await recording(
      (t) => t.serverId !== nodeA && onA.some((x) => x.id === t.continues) && t.recorder !== null,
      4,
      'node A’s phones recording on node B',
    );
    step('Redis primary killed, node A’s phones recording on node B');
    expect(moved).toHaveLength(4);
    await childExit(a.server);
    expect(a.server.exitCode).toBe(0);
    expect(
      (await host.takes()).filter((t) => onA.some((x) => x.id === t.id)).map((t) => t.endReason),
    ).toEqual(Array(4).fill('moved'));
    await sleep((2 * SEGMENT_SECONDS + 1) * 1000);

    await host.capture('stop');
    for (const phone of phones)
      await phone.locator('[data-phase="standby"]').waitFor({ timeout: 30_000 });
    const takes = await waitFor(
      'every take ended',
      async () => {
        const all = await host.takes();
        return all.length === 10 && all.every((t) => t.status === 'ended') ? all : null;
      },
      60_000,
    );
    step('stopped, every take ended');
    // Node B's phones send their own copies; then the audience goes home, leaving the two cores
    // to the workers.
    for (const take of takesOnB)
      await phones[names.indexOf(take.participant.name)]!.getByTestId('upload-status')
        .getByText('Your recording was sent')
        .waitFor({ timeout: 60_000 });
    for (const phone of phones) await phone.context().close();
    step('node B’s phones sent their copies');
    // What node B was writing when it died (its disk is its own) comes from the phones' copies:
    // its two takes are refiled from them, whole to the kill.
    await waitFor(
      'node B’s takes refiled from the phones’ own copies',
      async () => {
        const refiled = (await host.records()).filter(
          (r) => r.source === 'phone' && takesOnB.some((t) => t.id === r.takeId),
        );
        return refiled.length === 2 ? refiled : null;
      },
      180_000,
    );
    step('node B’s takes refiled from the phones');
    // Two media-workers file 10 takes, refile 2 from phone copies and realign the show, on the
    // same two cores as everything else: minutes, not seconds.
    const records = await host.recordsFiled(10, 300_000);
    step('every take filed');
    expect(new Set(records.map((r) => r.takeId))).toEqual(new Set(takes.map((t) => t.id)));
    // Every part is whole: a RECord as long as its recorder ran (node B's killed ones, from the
    // phone's copy, until the kill), and a moved phone's parts follow each other within seconds.
    // Slack: a recorder drains what its sockets hold when the take ends (four at once, beside
    // four browsers encoding on two cores), and the phones start their own copies late.
    const gaps: number[] = [];
    for (const take of takes) {
      const record = records.find((r) => r.takeId === take.id)!;
      const crashed = take.endReason === 'server-crashed';
      const ran = ((crashed ? killedAt : take.endedAt!) - take.recordingAt!) / 1000;
      expect(record.media.durationMs / 1000, `${take.participant.name} ${take.id}`).toBeGreaterThan(
        ran - 5,
      );
      const before = takes.find((t) => t.id === take.continues);
      if (before)
        gaps.push(
          take.startedAt - (before.endReason === 'server-crashed' ? killedAt : before.endedAt!),
        );
    }
    expect(gaps).toHaveLength(6);
    expect(Math.max(...gaps)).toBeLessThan(15_000);
    console.log(
      `node B's phones were recording on node A ${backAfterMs} ms after the kill; gaps between a moved phone's parts: ${gaps.map((g) => (g / 1000).toFixed(1)).join(', ')} s`,
    );
  }, 540_000);
});
