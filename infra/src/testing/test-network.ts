import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ip = (...args: string[]) => run('ip', args);

export interface TestHost {
  /** The network namespace the host's processes run in. */
  netns: string;
  /** Its address on the test network. */
  address: string;
}

export interface TestNetwork {
  /** This machine's own address on the test network (where Redis and the store listen). */
  gateway: string;
  hosts: TestHost[];
  remove(): Promise<void>;
}

/**
 * Hosts of their own on one machine, for tests: a network namespace per host, each with its own
 * address on a private bridge (a random 10.213.x.0/24) that this machine is on too, loopback up
 * inside. Needs root and iproute2. Only traffic between these addresses and loopback: nothing is
 * routed anywhere else.
 */
export async function createTestNetwork(count: number): Promise<TestNetwork> {
  const tag = randomInt(0x10000).toString(16).padStart(4, '0');
  const subnet = `10.213.${randomInt(1, 255)}`;
  const bridge = `srbr${tag}`;
  const hosts: Array<TestHost & { veth: string }> = [];
  const remove = async () => {
    for (const host of hosts) await ip('netns', 'del', host.netns).catch(() => undefined);
    await ip('link', 'del', bridge).catch(() => undefined);
  };
  try {
    await ip('link', 'add', bridge, 'type', 'bridge');
    await ip('addr', 'add', `${subnet}.1/24`, 'dev', bridge);
    await ip('link', 'set', bridge, 'up');
    for (let i = 0; i < count; i++) {
      const host = {
        netns: `showrec-${tag}-${i}`,
        address: `${subnet}.${11 + i}`,
        veth: `sr${tag}h${i}`,
      };
      hosts.push(host);
      await ip('netns', 'add', host.netns);
      await ip('link', 'add', host.veth, 'type', 'veth', 'peer', 'name', `sr${tag}n${i}`);
      await ip('link', 'set', `sr${tag}n${i}`, 'netns', host.netns);
      await ip('link', 'set', host.veth, 'master', bridge);
      await ip('link', 'set', host.veth, 'up');
      const inNs = (...args: string[]) => ip('netns', 'exec', host.netns, 'ip', ...args);
      await inNs('link', 'set', 'lo', 'up');
      await inNs('addr', 'add', `${host.address}/24`, 'dev', `sr${tag}n${i}`);
      await inNs('link', 'set', `sr${tag}n${i}`, 'up');
    }
  } catch (err) {
    await remove();
    throw new Error(
      `could not make the test network (network namespaces need root and iproute2): ${(err as Error).message}`,
      { cause: err },
    );
  }
  return {
    gateway: `${subnet}.1`,
    hosts: hosts.map(({ netns, address }) => ({ netns, address })),
    remove,
  };
}
