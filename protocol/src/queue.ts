import { z } from 'zod';
import { idSchema } from './ids.js';

/** One queue, one job type per processor; the job id is the take id so enqueueing is idempotent. */
export const FILE_TAKE_QUEUE = 'file-take';
export const FILE_TAKE_JOB = 'file-take';

export const fileTakeJobSchema = z.object({ takeId: idSchema });
export type FileTakeJob = z.infer<typeof fileTakeJobSchema>;
