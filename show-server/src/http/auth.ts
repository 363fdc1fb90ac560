import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import type { StoredShow } from '@showrec/protocol';
import { DomainError } from '@showrec/protocol';
import { secretMatches } from '../shows/secrets.js';

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
 * The caller's role must be one of `allowed`. Downloads may carry the key as `?key=` instead of a
 * header, because a browser following a link cannot send one.
 */
export function requireRole(
  req: Request,
  adminToken: string,
  show: StoredShow | null,
  allowed: Role[],
  options: { keyInQuery?: boolean } = {},
): Role {
  const queryKey = options.keyInQuery ? req.query.key : undefined;
  const role = roleFor(
    typeof queryKey === 'string' ? queryKey : bearerToken(req),
    adminToken,
    show,
  );
  if (!role || !allowed.includes(role))
    throw new DomainError('forbidden', 'these credentials may not do that');
  return role;
}
