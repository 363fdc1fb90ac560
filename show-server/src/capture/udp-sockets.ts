import { readFile } from 'node:fs/promises';

/**
 * The local addresses UDP sockets on this machine are bound to on `port`, read from the kernel's
 * tables (/proc/net/udp, udp6) rather than by binding a probe socket, which would take the very
 * port a starting ffmpeg is about to bind.
 */
export async function udpBindings(port: number): Promise<string[]> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const found: string[] = [];
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      if (!local?.endsWith(`:${hexPort}`)) continue;
      found.push(addressOf(local.slice(0, local.indexOf(':'))));
    }
  }
  return found;
}

export async function udpPortFree(port: number): Promise<boolean> {
  return (await udpBindings(port)).length === 0;
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
