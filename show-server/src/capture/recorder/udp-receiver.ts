/**
 * The recorder process's loopback UDP sockets, read by a native module (show-server/native, built
 * by infra/setup.sh) in batches: everything that reached any socket in one turn of the event loop
 * comes in one call and one buffer, where Node's dgram makes a call, a Buffer and an address
 * object per datagram. On 100 phones at 2.5 Mb/s, receiving alone cost 0.17–0.19× a bare ffmpeg
 * copy of the same streams this way, against 0.39–0.41× with dgram (a probe, side by side).
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { getSystemErrorName } from 'node:util';

interface NativeReceiver {
  start(onReady: () => void): void;
  open(receiveBufferBytes: number): { id: number; port: number };
  close(id: number): void;
  read(): Buffer | null;
}

/** Each datagram in a read: u32 socket id, i32 size (or -errno), u32 sender's port, little-endian. */
const RECORD_HEADER_BYTES = 12;

export interface ReceivingSocket {
  port: number;
  close(): void;
}

export interface SocketHandlers {
  /**
   * `datagram` is a view into a buffer shared with the other datagrams of its read; `receivedMs`
   * is when that read was made (performance.now()), the same for all of them.
   */
  datagram(datagram: Buffer, fromPort: number, receivedMs: number): void;
  /** The socket failed and receives no more. */
  error(message: string): void;
}

let native: NativeReceiver | null = null;
const handlers = new Map<number, SocketHandlers>();

function deliver(): void {
  const batch = native!.read();
  if (batch === null) return;
  const receivedMs = performance.now();
  for (let at = 0; at < batch.length;) {
    const id = batch.readUInt32LE(at);
    const size = batch.readInt32LE(at + 4);
    const fromPort = batch.readUInt32LE(at + 8);
    at += RECORD_HEADER_BYTES;
    const socket = handlers.get(id);
    if (size < 0) {
      socket?.error(`the socket failed: ${getSystemErrorName(size)}`);
      continue;
    }
    socket?.datagram(batch.subarray(at, at + size), fromPort, receivedMs);
    at += size;
  }
}

function receiver(): NativeReceiver {
  if (native) return native;
  // The same path from src/ (tests under tsx) and dist/.
  const path = '../../../native/build/Release/udp_receiver.node';
  try {
    native = createRequire(import.meta.url)(path) as NativeReceiver;
  } catch (err) {
    throw new Error(
      `the recorder's UDP receiver is not built (${(err as Error).message}); run npm run setup`,
      { cause: err },
    );
  }
  native.start(deliver);
  return native;
}

/** A UDP socket on 127.0.0.1, at a port the kernel picks as it binds. */
export function openSocket(receiveBufferBytes: number, on: SocketHandlers): ReceivingSocket {
  const udp = receiver();
  const { id, port } = udp.open(receiveBufferBytes);
  handlers.set(id, on);
  return {
    port,
    close() {
      handlers.delete(id);
      udp.close(id);
    },
  };
}
