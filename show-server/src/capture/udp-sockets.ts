import { readdir, readFile, readlink } from 'node:fs/promises';

/**
 * Every bound UDP socket's local port and address, read from the kernel's tables (/proc/net/udp,
 * udp6) rather than by binding a probe socket, which would take the port it asks about.
 */
async function readUdpTable(): Promise<UdpTable> {
  const entries: UdpSocketEntry[] = [];
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      const [local, queues, inode] = [columns[1], columns[4], columns[9]];
      if (!local?.includes(':') || !queues?.includes(':')) continue;
      const [address, port] = [
        local.slice(0, local.lastIndexOf(':')),
        local.slice(local.lastIndexOf(':') + 1),
      ];
      entries.push({
        port: parseInt(port, 16),
        address: addressOf(address),
        receiveQueueBytes: parseInt(queues.split(':')[1]!, 16),
        inode: inode ?? '',
      });
    }
  }
  return { entries, ports: new Set(entries.map((e) => e.port)) };
}

let reading: Promise<UdpTable> | null = null;
let nextRead: Promise<UdpTable> | null = null;

/**
 * The tables as read after the call: one read at a time, shared by every caller that asked while
 * the one before it was under way. Each read walks the kernel's whole UDP hash table (0.4 s with
 * about 900 sockets on a loaded machine): callers asking together must not each start a walk of
 * their own.
 */
function udpTable(): Promise<UdpTable> {
  if (!reading) {
    reading = readUdpTable().finally(() => (reading = null));
    return reading;
  }
  nextRead ??= reading
    .catch(() => undefined)
    .then(() => {
      nextRead = null;
      return udpTable();
    });
  return nextRead;
}

interface UdpTable {
  entries: UdpSocketEntry[];
  /** Every port some socket is bound to. */
  ports: ReadonlySet<number>;
}

interface UdpSocketEntry {
  port: number;
  address: string;
  /**
   * What the kernel holds for the socket that its owner has not read yet, as it counts it: the
   * packets' buffers, up to about twice their payload for phone-sized (1200-byte) packets.
   */
  receiveQueueBytes: number;
  /** The socket's inode, as a process's file descriptors name it (`socket:[inode]`). */
  inode: string;
}

/** The local addresses UDP sockets on this machine are bound to on `port`. */
export async function udpBindings(port: number): Promise<string[]> {
  return (await udpTable()).entries.filter((e) => e.port === port).map((e) => e.address);
}

/** Every UDP port some socket on this machine is bound to, from one read of the tables. */
export async function boundUdpPorts(): Promise<ReadonlySet<number>> {
  return (await udpTable()).ports;
}

/**
 * The inodes of the sockets a process holds open, read from its own file descriptors: no walk of
 * the kernel's tables.
 */
async function socketsHeldBy(pid: number): Promise<string[]> {
  const inodes: string[] = [];
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const socket = /^socket:\[(\d+)\]$/.exec(link);
    if (socket) inodes.push(socket[1]!);
  }
  return inodes;
}

/** The local ports of the UDP sockets these processes hold open. */
export async function udpPortsHeldBy(pids: number[]): Promise<number[]> {
  const inodes = new Set((await Promise.all(pids.map(socketsHeldBy))).flat());
  return (await udpTable()).entries.filter((e) => inodes.has(e.inode)).map((e) => e.port);
}

/** Buffer bytes waiting unread in the sockets bound to `ports` (0 where nothing is bound). */
export async function unreadUdpBytes(ports: number[]): Promise<number> {
  const wanted = new Set(ports);
  return (await udpTable()).entries
    .filter((e) => wanted.has(e.port))
    .reduce((sum, e) => sum + e.receiveQueueBytes, 0);
}

/**
 * What a UDP socket's receive buffer should hold: a second of bursts at a phone's 2.5 Mb/s with
 * room to spare. mediasoup 3.12 takes the kernel's default for its sockets, so the host's
 * `net.core.rmem_default` must be this large (infra/setup.sh raises it); the recorder processes ask
 * for it.
 */
export const UDP_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/** The kernel's default receive buffer for new sockets, or null where it can't be read. */
export async function defaultUdpReceiveBuffer(): Promise<number | null> {
  const text = await readFile('/proc/sys/net/core/rmem_default', 'utf8').catch(() => null);
  return text === null ? null : Number(text.trim());
}

/** The kernel prints addresses as host-order 32-bit words in hex. */
function addressOf(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => (w.match(/../g) ?? []).reverse().map((b) => parseInt(b, 16)));
  if (bytes.length === 4) return bytes.join('.');
  const groups = Array.from({ length: 8 }, (_, i) =>
    ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16),
  );
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}
