/**
 * The bench's screen in Chromium: receives what the server hands it (one consumer per phone,
 * decided by show-server's own Viewer and budget) into a grid of video elements, and reports what
 * it decodes. Bundled by run.ts; signalling is the bench's own, over socket.io.
 */
import { Device, type types } from 'mediasoup-client';
import { io } from 'socket.io-client';

const socket = io({ transports: ['websocket'] });
const device = new Device();
const consumers = new Map<string, types.Consumer>();
let transport: types.Transport | null = null;

const grid = document.getElementById('grid')!;
const params = new URLSearchParams(location.search);
const columns = Number(params.get('columns') ?? 4);
grid.style.gridTemplateColumns = `repeat(${columns}, 1fr)`;

socket.on(
  'setup',
  async (routerRtpCapabilities: types.RtpCapabilities, ack: (caps: unknown) => void) => {
    if (!device.loaded) await device.load({ routerRtpCapabilities });
    ack(device.rtpCapabilities);
  },
);

socket.on('transport', (options: types.TransportOptions, ack: (ok: boolean) => void) => {
  transport = device.createRecvTransport(options);
  transport.on('connect', ({ dtlsParameters }, callback) => {
    socket.emit('connect-transport', dtlsParameters, () => callback());
  });
  ack(true);
});

socket.on(
  'consume',
  async (
    consumer: {
      id: string;
      producerId: string;
      rtpParameters: types.RtpParameters;
      participantId: string;
    },
    ack: (ok: boolean) => void,
  ) => {
    try {
      const made = await transport!.consume({
        id: consumer.id,
        producerId: consumer.producerId,
        kind: 'video',
        rtpParameters: consumer.rtpParameters,
      });
      consumers.set(made.id, made);
      const video = document.createElement('video');
      video.muted = true;
      video.autoplay = true;
      video.playsInline = true;
      video.srcObject = new MediaStream([made.track]);
      video.id = `v-${made.id}`;
      grid.append(video);
      ack(true);
    } catch {
      ack(false);
    }
  },
);

socket.on('close-consumer', (id: string) => {
  consumers.get(id)?.close();
  consumers.delete(id);
  document.getElementById(`v-${id}`)?.remove();
});

/** What this screen decoded so far: per consumer, frames decoded and dropped, and its picture height. */
(window as unknown as { benchStats: () => Promise<unknown> }).benchStats = async () => {
  const out: Array<{ framesDecoded: number; framesDropped: number; frameHeight: number }> = [];
  for (const consumer of consumers.values()) {
    const stats = await consumer.getStats();
    stats.forEach(
      (r: {
        type: string;
        framesDecoded?: number;
        framesDropped?: number;
        frameHeight?: number;
      }) => {
        if (r.type === 'inbound-rtp')
          out.push({
            framesDecoded: r.framesDecoded ?? 0,
            framesDropped: r.framesDropped ?? 0,
            frameHeight: r.frameHeight ?? 0,
          });
      },
    );
  }
  return out;
};
