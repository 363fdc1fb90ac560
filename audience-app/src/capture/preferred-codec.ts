import type { types } from 'mediasoup-client';

/**
 * VP8 unless this browser lists H.264 first among its own video encoders (as iPhones do, where
 * H.264 is the hardware encoder), then H.264 if the show's router accepts it.
 */
export function preferredVideoCodec(device: types.Device): types.RtpCodecCapability | undefined {
  const native = globalThis.RTCRtpSender?.getCapabilities?.('video')?.codecs ?? [];
  const first = native.find((c) => /^video\/(VP8|VP9|H264|AV1)$/i.test(c.mimeType));
  if (!first || first.mimeType.toLowerCase() !== 'video/h264') return undefined;
  return device.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === 'video/h264');
}
