import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { openSocket, type ReceivingSocket } from './udp-receiver.js';

const BUFFER_BYTES = 4 * 1024 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Received {
  data: Buffer;
  fromPort: number;
  receivedMs: number;
}

function listen(): { socket: ReceivingSocket; received: Received[]; errors: string[] } {
  const received: Received[] = [];
  const errors: string[] = [];
  const socket = openSocket(BUFFER_BYTES, {
    // Copied: the view points into a buffer shared with the rest of its read.
    datagram: (data, fromPort, receivedMs) =>
      received.push({ data: Buffer.from(data), fromPort, receivedMs }),
    error: (message) => errors.push(message),
  });
  return { socket, received, errors };
}

async function sender(): Promise<dgram.Socket & { port: number }> {
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  return Object.assign(udp, { port: udp.address().port });
}

function send(udp: dgram.Socket, data: Buffer, port: number): Promise<void> {
  return new Promise((resolve, reject) =>
    udp.send(data, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
  );
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 10) {
    if (waited > 5000) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('the recorder UDP receiver', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => cleanup.splice(0).forEach((close) => close()));

  it('hands each socket its own datagrams, whole and in order, with the sender port', async () => {
    const startedMs = performance.now();
    const a = listen();
    const b = listen();
    const one = await sender();
    const two = await sender();
    cleanup.push(
      a.socket.close,
      b.socket.close,
      () => one.close(),
      () => two.close(),
    );
    expect(a.socket.port).not.toBe(b.socket.port);

    const datagram = (from: number, i: number) => Buffer.alloc(100 + (i % 1300), from * 1000 + i);
    for (let i = 0; i < 200; i++) {
      await send(one, datagram(1, i), a.socket.port);
      await send(two, datagram(2, i), b.socket.port);
      await send(two, datagram(3, i), a.socket.port);
    }
    await until(() => a.received.length === 400 && b.received.length === 200, 'every datagram');

    expect(b.received.map((r) => r.fromPort)).toEqual(Array(200).fill(two.port));
    expect(b.received.map((r) => r.data)).toEqual(
      Array.from({ length: 200 }, (_, i) => datagram(2, i)),
    );
    const fromOne = a.received.filter((r) => r.fromPort === one.port).map((r) => r.data);
    const fromTwo = a.received.filter((r) => r.fromPort === two.port).map((r) => r.data);
    expect(fromOne).toEqual(Array.from({ length: 200 }, (_, i) => datagram(1, i)));
    expect(fromTwo).toEqual(Array.from({ length: 200 }, (_, i) => datagram(3, i)));
    expect(a.errors).toEqual([]);
    // Each read's time, on this process's monotonic clock: within the test, never going back.
    const times = b.received.map((r) => r.receivedMs);
    expect(times[0]).toBeGreaterThanOrEqual(startedMs);
    expect(times.at(-1)).toBeLessThanOrEqual(performance.now());
    expect(times).toEqual([...times].sort((x, y) => x - y));
  });

  it('reads every datagram of a burst many batches long, in order', async () => {
    const take = listen();
    const phone = await sender();
    cleanup.push(take.socket.close, () => phone.close());
    for (let i = 0; i < 1000; i++) phone.send(Buffer.alloc(1200, i), take.socket.port, '127.0.0.1');
    await until(() => take.received.length === 1000, 'the backlog');
    expect(take.received.every((r, i) => r.data.equals(Buffer.alloc(1200, i)))).toBe(true);
  });

  it('catches up on a backlog of many sockets at once after the process was held up', async () => {
    const takes = [listen(), listen(), listen()];
    cleanup.push(...takes.map((t) => t.socket.close));
    // Another process sends 3 × 1500 datagrams (5.4 MB) while this one is blocked: more than one
    // read holds, so the receiver has to come back for the rest over later turns.
    const sender = spawn(
      process.execPath,
      [
        '-e',
        `const udp = require('node:dgram').createSocket('udp4');
         const ports = ${JSON.stringify(takes.map((t) => t.socket.port))};
         let left = ports.length * 1500;
         for (let i = 0; i < 1500; i++)
           for (const port of ports) {
             const datagram = Buffer.alloc(1200, i);
             datagram.writeUInt32BE(i, 0);
             udp.send(datagram, port, '127.0.0.1', () => --left === 0 && udp.close());
           }`,
      ],
      { stdio: 'ignore' },
    );
    const sent = new Promise((resolve) => sender.once('exit', resolve));
    // Blocks this thread (the event loop with it) for 1.5 s: the sender is done well within it.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);
    expect(await sent).toBe(0);
    await until(() => takes.every((t) => t.received.length === 1500), 'the whole backlog');
    for (const take of takes)
      expect(take.received.map((r) => r.data.readUInt32BE(0))).toEqual([...Array(1500).keys()]);
  });

  it('drops what a stranger sends too long to be RTP, passes an empty datagram, and goes on', async () => {
    const take = listen();
    const stranger = await sender();
    cleanup.push(take.socket.close, () => stranger.close());
    await send(stranger, Buffer.alloc(60_000, 1), take.socket.port);
    await send(stranger, Buffer.alloc(0), take.socket.port);
    await send(stranger, Buffer.from('after'), take.socket.port);
    await until(() => take.received.length === 2, 'the datagrams after the long one');
    expect(take.received.map((r) => r.data.toString())).toEqual(['', 'after']);
    expect(take.errors).toEqual([]);
  });

  it('stops handing a closed socket anything, and its port is released; the others go on', async () => {
    const closing = listen();
    const staying = listen();
    const phone = await sender();
    cleanup.push(staying.socket.close, () => phone.close());
    closing.socket.close();
    await send(phone, Buffer.from('late'), closing.socket.port).catch(() => undefined);
    await send(phone, Buffer.from('still here'), staying.socket.port);
    await until(() => staying.received.length === 1, 'the open socket');
    await sleep(100);
    expect(closing.received).toEqual([]);

    const rebound = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      rebound.once('error', reject);
      rebound.bind(closing.socket.port, '127.0.0.1', resolve);
    });
    rebound.close();
  });
});
