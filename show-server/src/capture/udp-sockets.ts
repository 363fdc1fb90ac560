import { readFile } from 'node:fs/promises';

/**
 * Every bound UDP socket's local port and address, read from the kernel's tables (/proc/net/udp,
 * udp6) rather than by binding a probe socket, which would take the very port a starting ffmpeg
 * is about to bind.
 */
async function udpTable(): Promise<Array<{ port: number; address: string }>> {
  const entries: Array<{ port: number; address: string }> = [];
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      if (!local?.includes(':')) continue;
      const [address, port] = [
        local.slice(0, local.lastIndexOf(':')),
        local.slice(local.lastIndexOf(':') + 1),
      ];
      entries.push({ port: parseInt(port, 16), address: addressOf(address) });
    }
  }
  return entries;
}

/** The local addresses UDP sockets on this machine are bound to on `port`. */
export async function udpBindings(port: number): Promise<string[]> {
  return (await udpTable()).filter((e) => e.port === port).map((e) => e.address);
}

/** Every UDP port some socket on this machine is bound to, from one read of the tables. */
export async function boundUdpPorts(): Promise<Set<number>> {
  return new Set((await udpTable()).map((e) => e.port));
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
