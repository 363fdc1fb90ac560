import type { WrittenStream } from './take-writer.js';

/** From the show-server to a recorder process (see recorder-process.ts). */
export type ToRecorder =
  | {
      type: 'start';
      takeId: string;
      /** The take's folder: its segments and their list. */
      dir: string;
      segmentSeconds: number;
      streams: WrittenStream[];
      /** The show-server's port the take's closing BYE comes from (anything else is ignored). */
      byePort: number;
    }
  | { type: 'stop'; takeId: string };

/** From a recorder process to the show-server. */
export type FromRecorder =
  | { type: 'listening'; takeId: string; port: number }
  | { type: 'keyframe'; takeId: string }
  | { type: 'ended'; takeId: string; failure: string | null };
