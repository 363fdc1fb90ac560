import type { types as ms } from 'mediasoup';
import { rtpCodecSchema } from '@showrec/protocol';

export interface SdpStream {
  kind: 'audio' | 'video';
  port: number;
  codec: ms.RtpCodecParameters;
}

/**
 * The SDP that tells ffmpeg what arrives on which local port: one m-line per consumer, RTCP on
 * the next port up (only the BYE that ends the recording arrives there: see recorder-rtcp.ts).
 * Codecs are checked against the phone-facing allow-list again
 * here: nothing but plain tokens is ever written into the file ffmpeg reads.
 */
export function recorderSdp(streams: SdpStream[]): string {
  const lines = [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=showrec take',
    'c=IN IP4 127.0.0.1',
    't=0 0',
  ];
  for (const { kind, port, codec: given } of streams) {
    const codec = rtpCodecSchema.parse(given);
    if (!Number.isInteger(port) || port < 1024 || port > 65534)
      throw new Error(`not a recorder port: ${port}`);
    const [, encoding] = codec.mimeType.split('/');
    const channels = codec.channels && codec.channels > 1 ? `/${codec.channels}` : '';
    lines.push(
      `m=${kind} ${port} RTP/AVP ${codec.payloadType}`,
      `a=rtcp:${port + 1}`,
      `a=rtpmap:${codec.payloadType} ${encoding}/${codec.clockRate}${channels}`,
    );
    const fmtp = Object.entries(codec.parameters ?? {})
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(';');
    if (fmtp) lines.push(`a=fmtp:${codec.payloadType} ${fmtp}`);
    lines.push('a=recvonly');
  }
  return `${lines.join('\r\n')}\r\n`;
}
