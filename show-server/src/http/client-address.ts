/** 127.0.0.0/8 and ::1 (also as IPv4-mapped): the kernel never delivers these from the network. */
export function isLoopback(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

/**
 * A client's address as express sees it with 'trust proxy: loopback': behind a proxy on this
 * machine, the address the proxy forwarded for; from anywhere else, the peer's own.
 */
export function clientAddress(peer: string, forwardedFor: string | string[] | undefined): string {
  if (!isLoopback(peer) || typeof forwardedFor !== 'string') return peer;
  return forwardedFor.split(',').at(-1)!.trim() || peer;
}
