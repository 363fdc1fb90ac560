import type { StoredShow, TakeManifest } from '@showrec/protocol';

/** Above this share of packets lost, the server's copy has holes worth filling from the phone. */
const LOSS_THRESHOLD = 0.01;

/**
 * Whether to ask a phone for its own recording of a take that just ended; `serverBytes` is the
 * size of the server's file (empty when the take ended before its first keyframe). A phone that
 * sent nothing at all is never asked: an upload is an invitation to send up to the size limit.
 */
export function wantsPhoneCopy(
  take: TakeManifest,
  show: StoredShow | null,
  serverBytes: number,
): boolean {
  const received = (take.rtp.audio?.packets ?? 0) + (take.rtp.video?.packets ?? 0);
  if (received === 0 && serverBytes === 0) return false;
  if (show?.alwaysUploadPhoneCopy || serverBytes === 0) return true;
  if (
    take.failure ||
    take.endReason === 'disconnected' ||
    take.endReason === 'recorder-died' ||
    take.endReason === 'server-crashed'
  ) {
    return true;
  }
  return [take.rtp.audio, take.rtp.video].some(
    (c) => c !== null && c.packets + c.lost > 0 && c.lost / (c.packets + c.lost) > LOSS_THRESHOLD,
  );
}
