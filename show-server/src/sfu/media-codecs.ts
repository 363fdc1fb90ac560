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
