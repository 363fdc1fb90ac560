/**
 * Camera and microphone for filming the stage: the rear camera at 720p where the phone has one,
 * falling back to whatever camera the browser offers.
 */
export async function openCamera(): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new Error(
      'This browser cannot use the camera here. Open the page over https, or in another browser.',
    );
  }
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
      video: {
        facingMode: { ideal: 'environment' },
        width: { ideal: 1280 },
        height: { ideal: 720 },
        frameRate: { ideal: 30 },
      },
    });
  } catch (err) {
    if (
      err instanceof DOMException &&
      (err.name === 'NotAllowedError' || err.name === 'SecurityError')
    ) {
      throw new Error(
        'Camera and microphone access was refused. Allow them in your browser settings, then try again.',
        {
          cause: err,
        },
      );
    }
    return navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  }
}
