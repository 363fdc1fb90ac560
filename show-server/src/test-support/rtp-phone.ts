import type { ChildProcess } from 'node:child_process';
import type { types as ms } from 'mediasoup';
import { sendClipAsRtp, stopChild, type RtpTarget } from '@showrec/infra';

export interface RtpPhone {
  producers: ms.Producer[];
  sender: ChildProcess;
  close(): Promise<void>;
}

let nextSsrc = 10_000;

/**
 * A phone without a browser: ffmpeg sends a VP8+Opus clip as RTP into two comedia
 * PlainTransports, which produce into the router exactly as a phone's WebRTC producers do.
 */
const videoCodecs = {
  vp8: { mimeType: 'video/VP8', parameters: {} },
  h264: {
    mimeType: 'video/H264',
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' },
  },
};

/** A phone's two producers, on comedia PlainTransports waiting for whoever sends to `targets`. */
export interface RtpPhoneProducers {
  producers: ms.Producer[];
  /** Video first, then audio. */
  targets: [RtpTarget, RtpTarget];
  close(): void;
}

/**
 * `bundled`: audio and video on one transport, as a WebRTC phone sends them (one socket at the
 * SFU, read in the order sent). The sender must then send both from one socket, which ffmpeg
 * cannot: startRtpPhone does not bundle.
 */
export async function createRtpPhoneProducers(
  router: ms.Router,
  video: 'vp8' | 'h264' = 'vp8',
  bundled = false,
): Promise<RtpPhoneProducers> {
  const legs = [
    { kind: 'video' as const, payloadType: 101, clockRate: 90000, ...videoCodecs[video] },
    {
      kind: 'audio' as const,
      mimeType: 'audio/opus',
      payloadType: 100,
      clockRate: 48000,
      channels: 2,
      parameters: {},
    },
  ];
  const transports: ms.PlainTransport[] = [];
  const producers: ms.Producer[] = [];
  // ffmpeg sends RTCP from its own socket: with rtcpMux, comedia would lock onto that socket's
  // port and drop the RTP that follows from the other, so RTP and RTCP get a port each.
  const plainTransport = () =>
    router.createPlainTransport({ listenIp: { ip: '127.0.0.1' }, rtcpMux: false, comedia: true });
  const shared = bundled ? await plainTransport() : null;
  for (const leg of legs) {
    const transport = shared ?? (await plainTransport());
    transports.push(transport);
    const ssrc = nextSsrc++;
    producers.push(
      await transport.produce({
        kind: leg.kind,
        rtpParameters: {
          codecs: [
            {
              mimeType: leg.mimeType,
              payloadType: leg.payloadType,
              clockRate: leg.clockRate,
              parameters: leg.parameters,
              ...('channels' in leg ? { channels: leg.channels } : {}),
            },
          ],
          encodings: [{ ssrc }],
        },
      }),
    );
  }
  const target = (i: number) => ({
    ip: '127.0.0.1',
    port: transports[i]!.tuple.localPort,
    rtcpPort: transports[i]!.rtcpTuple!.localPort,
    payloadType: legs[i]!.payloadType,
    ssrc: producers[i]!.rtpParameters.encodings![0]!.ssrc!,
  });
  return {
    producers,
    targets: [{ ...target(0), h264: video === 'h264' }, target(1)],
    close: () => new Set(transports).forEach((t) => t.close()),
  };
}

export async function startRtpPhone(
  router: ms.Router,
  clip: string,
  video: 'vp8' | 'h264' = 'vp8',
): Promise<RtpPhone> {
  const phone = await createRtpPhoneProducers(router, video);
  const sender = sendClipAsRtp(clip, ...phone.targets);
  return {
    producers: phone.producers,
    sender,
    async close() {
      await stopChild(sender, 'SIGKILL');
      phone.close();
    },
  };
}
