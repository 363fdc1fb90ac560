import { useEffect, useRef } from 'react';
import type { Received } from './wall-viewer.js';

/** One phone's live picture; what arrives of it is on the element, for whoever checks the screen. */
export function LiveVideo({
  track,
  received,
  testId,
}: {
  track: MediaStreamTrack | undefined;
  received: Received | undefined;
  testId?: string;
}) {
  const video = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (!video.current) return;
    video.current.srcObject = track ? new MediaStream([track]) : null;
  }, [track]);
  return (
    <video
      ref={video}
      className="live-video"
      autoPlay
      muted
      playsInline
      data-testid={testId}
      data-live={track ? 'yes' : 'no'}
      data-frames={received?.framesDecoded}
      data-height={received?.frameHeight}
    />
  );
}
