import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDomainError } from '@showrec/protocol';
import { stopChild, waitFor } from '@showrec/infra';
import { admitPhone } from './capacity.js';
import { LoadWatch } from './load-watch.js';
import { boundUdpPorts } from './udp-sockets.js';

const limits = { sfuCpu: 0.85, recorderLagMs: 500, lossPercent: 1 };
const capacity = { streams: 100, mbps: 200, phoneMbps: 2.6 };
const phoneBps = 2_500_000;

describe('LoadWatch (real mediasoup worker, real kernel sockets)', () => {
  let worker: ms.Worker;
  let stalled: ChildProcess;
  const stalledPort = 47_210;

  beforeAll(async () => {
    worker = await mediasoup.createWorker({ logLevel: 'warn' });
    // A recorder that has stopped reading: bound to its port, never reading it.
    stalled = spawn('python3', [
      '-c',
      `import socket, time\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.bind(("127.0.0.1", ${stalledPort}))\ntime.sleep(600)`,
    ]);
    await waitFor('the stalled recorder binds its port', async () =>
      (await boundUdpPorts()).has(stalledPort) ? true : null,
    );
  });
  afterAll(async () => {
    await stopChild(stalled, 'SIGKILL');
    worker?.close();
  });

  it('measures an idle server as idle and admits phones', async () => {
    const watch = new LoadWatch(limits);
    const phones = [{ id: 'a', packets: 1000, lost: 0 }];
    await watch.measure({ workers: [worker], recorderPorts: [], bps: phoneBps, phones });
    await new Promise((r) => setTimeout(r, 600));
    phones[0]!.packets = 1200;
    const sample = await watch.measure({
      workers: [worker],
      recorderPorts: [],
      bps: phoneBps,
      phones,
    });
    expect(sample.sfuCpu).toBeGreaterThanOrEqual(0);
    expect(sample.sfuCpu).toBeLessThan(0.5);
    expect(sample).toMatchObject({ recorderLagMs: 0, lossPercent: 0 });
    expect(watch.overloaded()).toBeNull();
    expect(() => admitPhone(capacity, 1, phoneBps, watch.overloaded())).not.toThrow();
  });

  it('sees a recorder falling behind, in ms of the phones media, and refuses the next phone', async () => {
    const sender = createSocket('udp4');
    // 0.77 s of a phone sending 1 Mb/s waits unread (80 packets: within even the kernel's
    // default receive buffer, so none is dropped).
    const packet = Buffer.alloc(1200);
    for (let sent = 0; sent < 80 * packet.length; sent += packet.length) {
      await new Promise<void>((resolve, reject) =>
        sender.send(packet, stalledPort, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
      );
    }
    sender.close();
    const watch = new LoadWatch(limits);
    await new Promise((r) => setTimeout(r, 60));
    const sample = await watch.measure({
      workers: [worker],
      recorderPorts: [stalledPort],
      bps: 1_000_000,
      phones: [],
    });
    // The kernel counts buffer memory, not payload: an upper bound, under twice the payload.
    expect(sample.recorderLagMs).toBeGreaterThanOrEqual(768);
    expect(sample.recorderLagMs).toBeLessThan(2 * 768);
    expect(watch.overloaded()).toMatch(/^the recorders are \d+ ms behind \(limit 500 ms\)/);
    let refusal: unknown;
    try {
      admitPhone(capacity, 1, phoneBps, watch.overloaded());
    } catch (err) {
      refusal = err;
    }
    expect(isDomainError(refusal, 'unavailable')).toBe(true);
    expect((refusal as Error).message).toMatch(
      /^this show-server is overloaded \(the recorders are .* behind.*\): the phones already recording carry on/,
    );
  });

  it('judges loss by the median phone: one phone on bad Wi-Fi is not an overloaded server', async () => {
    const watch = new LoadWatch(limits);
    const counts = (lossy: number, others: number) => [
      { id: 'bad-wifi', packets: 1000, lost: lossy },
      { id: 'b', packets: 1000, lost: others },
      { id: 'c', packets: 1000, lost: others },
    ];
    const measure = (phones: ReturnType<typeof counts>) =>
      watch.measure({ workers: [worker], recorderPorts: [], bps: phoneBps, phones });
    await measure(counts(0, 0));
    const oneBad = await measure(counts(300, 0).map((p) => ({ ...p, packets: p.packets + 700 })));
    expect(oneBad.lossPercent).toBe(0);
    expect(watch.overloaded()).toBeNull();
    const allLosing = await measure(
      counts(600, 50).map((p) => ({ ...p, packets: p.packets + 1400 })),
    );
    expect(allLosing.lossPercent).toBeCloseTo((50 / 750) * 100, 5);
    expect(watch.overloaded()).toMatch(/^phones are losing 6\.7 % of their packets/);
  });
});
