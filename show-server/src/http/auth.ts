import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import type { StoredShow } from '@showrec/protocol';
import { DomainError } from '@showrec/protocol';
import { secretMatches } from '../shows/secrets.js';
import type { DownloadLinks } from './download-links.js';

export type Role = 'admin' | 'host' | 'crew';

/** Which role a presented secret grants for a show, if any. */
export function roleFor(secret: string, adminToken: string, show: StoredShow | null): Role | null {
  const a = Buffer.from(secret);
  const b = Buffer.from(adminToken);
  if (a.length === b.length && timingSafeEqual(a, b)) return 'admin';
  if (show && secretMatches(secret, show.hostKeyHash)) return 'host';
  if (show && secretMatches(secret, show.crewKeyHash)) return 'crew';
  return null;
}

export function bearerToken(req: Request): string {
  const header = req.get('authorization') ?? '';
  const match = /^Bearer (.+)$/i.exec(header);
  if (!match)
    throw new DomainError(
      'unauthorized',
      'missing credentials: send "Authorization: Bearer <token>"',
    );
  return match[1]!.trim();
}

/**
 * The caller's role must be one of `allowed`. A download may instead carry a signed link for its
 * own path (see download-links.ts), minted for someone who was allowed: it grants the crew's role.
 */
export async function requireRole(
  req: Request,
  adminToken: string,
  show: StoredShow | null,
  allowed: Role[],
  options: { links?: DownloadLinks } = {},
): Promise<Role> {
  if (options.links && req.query.sig !== undefined) {
    if (!(await options.links.verify(req)))
      throw new DomainError(
        'forbidden',
        'this download link is wrong or has expired: ask for a new one',
      );
    return 'crew';
  }
  const role = roleFor(bearerToken(req), adminToken, show);
  if (!role || !allowed.includes(role))
    throw new DomainError('forbidden', 'these credentials may not do that');
  return role;
}
