import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium, headless, with a fake camera and microphone that need no permission prompt
 * (`secureOrigins`: http origins to treat as secure, as a venue's https would be).
 * The background-networking flags keep it from dialling out of this machine's closed network.
 */
export interface ChromiumOptions {
  secureOrigins?: string[];
  /**
   * The fake camera's frame rate (Chromium's default: 20). Tests with several phones in one
   * browser on a small machine give them fewer frames to encode, so the machine is not what is
   * measured.
   */
  fakeCameraFps?: number;
  /** Raw frames (Y4M) the fake camera shows, looped, instead of Chromium's own pattern. */
  fakeCameraFile?: string;
}

export function launchChromium(options: ChromiumOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-ui-for-media-stream',
      options.fakeCameraFps
        ? `--use-fake-device-for-media-stream=fps=${options.fakeCameraFps}`
        : '--use-fake-device-for-media-stream',
      ...(options.fakeCameraFile
        ? [`--use-file-for-fake-video-capture=${options.fakeCameraFile}`]
        : []),
      // Pages served over http from an address other than loopback get a camera only so.
      ...(options.secureOrigins?.length
        ? [`--unsafely-treat-insecure-origin-as-secure=${options.secureOrigins.join(',')}`]
        : []),
    ],
  });
}
