import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { boundUdpPorts, udpBindings } from './udp-sockets.js';

describe('UDP bindings from the kernel tables', () => {
  it('lists the address a socket is bound to, without binding the port itself', async () => {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const { port } = socket.address();
    try {
      expect(await udpBindings(port)).toEqual(['127.0.0.1']);
      expect((await boundUdpPorts()).has(port)).toBe(true);
    } finally {
      socket.close();
    }
    await new Promise((r) => setTimeout(r, 50));
    expect((await boundUdpPorts()).has(port)).toBe(false);
  });

  it('shares one read among callers asking at once, each seeing what was bound before it asked', async () => {
    // Every show-server's load watch and every test asking at once.
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const { port } = socket.address();
    const asked = await Promise.all(Array.from({ length: 200 }, () => boundUdpPorts()));
    await new Promise<void>((resolve) => socket.close(resolve));
    const askedAfterClosing = await Promise.all(Array.from({ length: 200 }, () => boundUdpPorts()));
    expect(asked.every((bound) => bound.has(port))).toBe(true);
    expect(new Set(asked).size).toBeLessThanOrEqual(2);
    expect(askedAfterClosing.some((bound) => bound.has(port))).toBe(false);
  });
});
