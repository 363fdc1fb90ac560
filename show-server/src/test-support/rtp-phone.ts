import type { ChildProcess } from 'node:child_process';
import type { types as ms } from 'mediasoup';
import { sendClipAsRtp, stopChild } from '@showrec/infra';

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
export async function startRtpPhone(router: ms.Router, clip: string): Promise<RtpPhone> {
  const legs = [
    {
      kind: 'video' as const,
      mimeType: 'video/VP8',
      payloadType: 101,
      clockRate: 90000,
      channels: undefined,
    },
    {
      kind: 'audio' as const,
      mimeType: 'audio/opus',
      payloadType: 100,
      clockRate: 48000,
      channels: 2,
    },
  ];
  const transports: ms.PlainTransport[] = [];
  const producers: ms.Producer[] = [];
  for (const leg of legs) {
    // ffmpeg sends RTCP from its own socket: with rtcpMux, comedia would lock onto that socket's
    // port and drop the RTP that follows from the other, so RTP and RTCP get a port each.
    const transport = await router.createPlainTransport({
      listenIp: { ip: '127.0.0.1' },
      rtcpMux: false,
      comedia: true,
    });
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
              ...(leg.channels ? { channels: leg.channels } : {}),
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
  const sender = sendClipAsRtp(clip, target(0), target(1));
  return {
    producers,
    sender,
    async close() {
      await stopChild(sender, 'SIGKILL');
      for (const t of transports) t.close();
    },
  };
}
