import { z } from 'zod';

export const healthSchema = z.object({
  status: z.enum(['ok', 'down']),
  redis: z.enum(['up', 'down']),
  mediasoup: z.object({
    status: z.enum(['up', 'down']),
    workers: z.number().int().nonnegative(),
    expected: z.number().int().nonnegative(),
  }),
  queue: z
    .object({
      waiting: z.number().int().nonnegative(),
      active: z.number().int().nonnegative(),
      failed: z.number().int().nonnegative(),
    })
    .nullable(),
});
export type Health = z.infer<typeof healthSchema>;
