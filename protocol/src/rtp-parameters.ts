import { z } from 'zod';

/**
 * What a phone may say about its media, checked before mediasoup sees it: every key from a fixed
 * list, every value a plain token.
 */
const token = z.string().regex(/^[A-Za-z0-9._-]{0,64}$/, 'not a plain token');
const parameterValue = z.union([z.number().int().min(0).max(0xffffffff), token]);

/** RTP's rotation tag (CVO), which phones are not offered: they send frames upright instead. */
export const VIDEO_ORIENTATION_URI = 'urn:3gpp:video-orientation';

/** fmtp keys browsers send for Opus, VP8, VP9, H264, AV1 and RTX. */
export const CODEC_PARAMETER_KEYS = [
  'apt',
  'cbr',
  'level-asymmetry-allowed',
  'level-idx',
  'max-fr',
  'max-fs',
  'maxptime',
  'maxaveragebitrate',
  'maxplaybackrate',
  'minptime',
  'packetization-mode',
  'profile',
  'profile-id',
  'profile-level-id',
  'ptime',
  'rtx-time',
  'sprop-maxcapturerate',
  'sprop-stereo',
  'stereo',
  'tier',
  'usedtx',
  'useinbandfec',
  'x-google-max-bitrate',
  'x-google-min-bitrate',
  'x-google-start-bitrate',
] as const;

export const codecParametersSchema = z
  .record(z.string(), parameterValue)
  .superRefine((parameters, ctx) => {
    for (const key of Object.keys(parameters)) {
      if (!(CODEC_PARAMETER_KEYS as readonly string[]).includes(key))
        ctx.addIssue({
          code: 'custom',
          message: `codec parameter ${key.slice(0, 40)} is not allowed`,
        });
    }
  });

export const rtpCodecSchema = z.object({
  mimeType: z.string().regex(/^(audio|video)\/[A-Za-z0-9-]{1,32}$/, 'not a media type'),
  payloadType: z.number().int().min(0).max(127),
  clockRate: z.number().int().min(1).max(200_000),
  channels: z.number().int().min(1).max(8).optional(),
  parameters: codecParametersSchema.optional(),
  rtcpFeedback: z
    .array(z.object({ type: token, parameter: token.optional() }))
    .max(16)
    .optional(),
});
export type RtpCodec = z.infer<typeof rtpCodecSchema>;

export const rtpParametersSchema = z.object({
  mid: token.optional(),
  codecs: z.array(rtpCodecSchema).min(1).max(8),
  headerExtensions: z
    .array(
      z.object({
        uri: z
          .string()
          .regex(/^[A-Za-z0-9:/._#-]{1,200}$/, 'not a header extension URI')
          // Not offered to phones (see show-server's media-codecs.ts): frames arrive upright.
          .refine((uri) => uri !== VIDEO_ORIENTATION_URI, {
            message: 'video orientation is not negotiated: send frames upright',
          }),
        id: z.number().int().min(1).max(255),
        encrypt: z.boolean().optional(),
        parameters: z.record(token, parameterValue).optional(),
      }),
    )
    .max(16)
    .optional(),
  encodings: z
    .array(
      z.object({
        ssrc: z.number().int().min(0).max(0xffffffff).optional(),
        rid: token.optional(),
        codecPayloadType: z.number().int().min(0).max(127).optional(),
        rtx: z.object({ ssrc: z.number().int().min(0).max(0xffffffff) }).optional(),
        dtx: z.boolean().optional(),
        scalabilityMode: token.optional(),
        scaleResolutionDownBy: z.number().min(1).max(64).optional(),
        maxBitrate: z.number().int().min(0).max(100_000_000).optional(),
        maxFramerate: z.number().min(0).max(240).optional(),
        active: z.boolean().optional(),
      }),
    )
    .max(4)
    .optional(),
  rtcp: z
    .object({
      // Browsers make CNAMEs from base64, sometimes in braces; a CNAME never reaches an SDP.
      cname: z
        .string()
        .regex(/^[A-Za-z0-9+/={}._-]{0,64}$/, 'not a CNAME')
        .optional(),
      reducedSize: z.boolean().optional(),
      mux: z.boolean().optional(),
    })
    .optional(),
});
export type RtpParametersInput = z.infer<typeof rtpParametersSchema>;

export const dtlsParametersSchema = z.object({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z
    .array(
      z.object({
        algorithm: z.enum(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']),
        value: z.string().regex(/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){15,63}$/, 'not a fingerprint'),
      }),
    )
    .min(1)
    .max(8),
});
export type DtlsParametersInput = z.infer<typeof dtlsParametersSchema>;

/** What a viewer's browser can receive, checked before mediasoup matches it against a phone's media. */
export const rtpCapabilitiesSchema = z.strictObject({
  codecs: z
    .array(
      z.object({
        kind: z.enum(['audio', 'video']),
        mimeType: rtpCodecSchema.shape.mimeType,
        preferredPayloadType: z.number().int().min(0).max(127).optional(),
        clockRate: rtpCodecSchema.shape.clockRate,
        channels: rtpCodecSchema.shape.channels,
        parameters: codecParametersSchema.optional(),
        rtcpFeedback: rtpCodecSchema.shape.rtcpFeedback,
      }),
    )
    .max(64),
  headerExtensions: z
    .array(
      z.object({
        kind: z.enum(['audio', 'video']),
        uri: z.string().regex(/^[A-Za-z0-9:/._#-]{1,200}$/, 'not a header extension URI'),
        preferredId: z.number().int().min(1).max(255),
        preferredEncrypt: z.boolean().optional(),
        direction: z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']).optional(),
      }),
    )
    .max(32)
    .optional(),
});
export type RtpCapabilitiesInput = z.infer<typeof rtpCapabilitiesSchema>;
