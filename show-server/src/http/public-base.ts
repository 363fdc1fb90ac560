import type { Request } from 'express';

/** Where links handed out point: the configured public URL, or the address the caller used. */
export function publicBase(req: Request, publicUrl: string | null): string {
  return publicUrl ?? `${req.protocol}://${req.get('host')}`;
}
