import type { types as ms } from 'mediasoup';
import type { RtpTarget } from '@showrec/infra';
import { simulcastLayers, TOP_LAYER } from '@showrec/protocol';

let nextSsrc = 50_000;

/** A simulated phone's layers, lowest first, as the audience app sends them. */
export const LAYERS = simulcastLayers.map((layer) => ({
  width: TOP_LAYER.width / layer.scaleResolutionDownBy,
  height: TOP_LAYER.height / layer.scaleResolutionDownBy,
  kbps: layer.maxBitrate / 1000,
  scaleResolutionDownBy: layer.scaleResolutionDownBy,
}));

export interface SimulcastPhone {
  producers: { video: ms.Producer; audio: ms.Producer };
  /** Where each layer's RTP goes (one port, an SSRC each), lowest first; then the audio. */
  targets: { layers: RtpTarget[]; audio: RtpTarget };
  close(): void;
}

/**
 * A phone without a browser that sends three simulcast layers: comedia PlainTransports whose
 * producers declare the layers as the audience app's do (an SSRC per layer), so consumers switch
 * between them exactly as they do for a real phone.
 */
export async function simulcastPhone(router: ms.Router): Promise<SimulcastPhone> {
  const transport = () =>
    router.createPlainTransport({ listenIp: { ip: '127.0.0.1' }, rtcpMux: false, comedia: true });
  const [videoTransport, audioTransport] = [await transport(), await transport()];
  const ssrcs = LAYERS.map(() => nextSsrc++);
  const video = await videoTransport.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
      encodings: LAYERS.map((layer, i) => ({
        ssrc: ssrcs[i]!,
        maxBitrate: layer.kbps * 1000,
        scaleResolutionDownBy: layer.scaleResolutionDownBy,
      })),
    },
  });
  const audioSsrc = nextSsrc++;
  const audio = await audioTransport.produce({
    kind: 'audio',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: audioSsrc }],
    },
  });
  const target = (t: ms.PlainTransport, payloadType: number, ssrc: number): RtpTarget => ({
    ip: '127.0.0.1',
    port: t.tuple.localPort,
    rtcpPort: t.rtcpTuple!.localPort,
    payloadType,
    ssrc,
  });
  return {
    producers: { video, audio },
    targets: {
      layers: ssrcs.map((ssrc) => target(videoTransport, 101, ssrc)),
      audio: target(audioTransport, 100, audioSsrc),
    },
    close: () => {
      videoTransport.close();
      audioTransport.close();
    },
  };
}
