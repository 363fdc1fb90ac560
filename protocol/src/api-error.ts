import { z } from 'zod';

/** Every 4xx/5xx JSON body: a sentence for people, optional details for tools. */
export const apiErrorSchema = z.object({
  error: z.string(),
  details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

export function describeZodError(error: z.ZodError): ApiError['details'] {
  return error.issues.map((issue) => ({
    path: issue.path.join('.') || '(root)',
    message: issue.message,
  }));
}
