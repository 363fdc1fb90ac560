import type { types as ms } from 'mediasoup';
import { VIDEO_ORIENTATION_URI } from '@showrec/protocol';

/**
 * What a show's router accepts from phones. VP8 first (every browser encodes it); H.264 for
 * phones whose hardware encoder prefers it. The recorder stores either as sent.
 */
export const mediaCodecs: ms.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  {
    kind: 'video',
    mimeType: 'video/VP8',
    clockRate: 90000,
    parameters: { 'x-google-start-bitrate': 1500 },
  },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: {
      'packetization-mode': 1,
      'profile-level-id': '42e01f',
      'level-asymmetry-allowed': 1,
    },
  },
];

/**
 * The router's capabilities as phones are told them, without the video-orientation extension:
 * a phone that cannot tag its frames with their rotation turns them upright before encoding, so
 * a phone held upright is recorded upright (the recorder's Matroska would drop the tag, and the
 * take be filed on its side).
 */
export function phoneRtpCapabilities(router: ms.Router): ms.RtpCapabilities {
  const { codecs, headerExtensions } = router.rtpCapabilities;
  return {
    codecs,
    headerExtensions: headerExtensions?.filter((ext) => ext.uri !== VIDEO_ORIENTATION_URI),
  };
}

/**
 * What a recorder's consumers are offered: the router's codecs with no RTCP feedback and no
 * header extensions. The recorder gives no feedback, so with transport-cc or REMB negotiated mediasoup
 * would run a congestion controller on the recorder's transport that never hears back: its
 * estimate stays at the 600 kb/s it starts from, a simulcast phone is recorded from the layer
 * that fits (its 360p one, whatever its camera sends at 720p), and every packet is paced and
 * probed for nothing. Without NACK the SFU keeps no copy of each packet for retransmissions that
 * loopback never asks for. Keyframe requests are the server's own and need no feedback.
 */
export function recorderRtpCapabilities(router: ms.Router): ms.RtpCapabilities {
  return {
    codecs: router.rtpCapabilities.codecs
      ?.filter((codec) => !codec.mimeType.toLowerCase().endsWith('/rtx'))
      .map((codec) => ({ ...codec, rtcpFeedback: [] })),
    headerExtensions: [],
  };
}
