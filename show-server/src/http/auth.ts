import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import type { StoredShow } from '@showrec/protocol';
import { DomainError } from '@showrec/protocol';
import { secretMatches } from '../shows/secrets.js';
import type { DownloadLinks } from './download-links.js';

export type Role = 'admin' | 'host' | 'crew';

/** Who is calling: their role, and the name their actions are credited to. */
export interface Caller {
  role: Role;
  /** A named crew member's name; for a shared key, its role. */
  name: string;
  /** Whether `name` is a person's (an invite's), not a shared key's role. */
  named: boolean;
}

/** Which caller a presented secret makes for a show, if any. */
export function callerFor(
  secret: string,
  adminToken: string,
  show: StoredShow | null,
): Caller | null {
  const a = Buffer.from(secret);
  const b = Buffer.from(adminToken);
  if (a.length === b.length && timingSafeEqual(a, b))
    return { role: 'admin', name: 'admin', named: false };
  if (!show) return null;
  if (secretMatches(secret, show.hostKeyHash)) return { role: 'host', name: 'host', named: false };
  if (secretMatches(secret, show.crewKeyHash)) return { role: 'crew', name: 'crew', named: false };
  const member = show.crew.find((m) => secretMatches(secret, m.keyHash));
  return member ? { role: 'crew', name: member.name, named: true } : null;
}

export function roleFor(secret: string, adminToken: string, show: StoredShow | null): Role | null {
  return callerFor(secret, adminToken, show)?.role ?? null;
}

/** The caller each authorized request was let in as (see `requireRole`). */
const callers = new WeakMap<Request, Caller>();

/** Who the request was authorized as; only after `requireRole` let it in. */
export function callerOf(req: Request): Caller {
  const caller = callers.get(req);
  if (!caller) throw new Error('callerOf before the request was authorized');
  return caller;
}

/** The secret sent as `Authorization: Bearer <secret>`, if any. */
export function presentedToken(req: Request): string | null {
  return /^Bearer (.+)$/i.exec(req.get('authorization') ?? '')?.[1]!.trim() ?? null;
}

export function bearerToken(req: Request): string {
  const token = presentedToken(req);
  if (token === null)
    throw new DomainError(
      'unauthorized',
      'missing credentials: send "Authorization: Bearer <token>"',
    );
  return token;
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
): Promise<Caller> {
  if (options.links && req.query.sig !== undefined) {
    if (!(await options.links.verify(req)))
      throw new DomainError(
        'forbidden',
        'this download link is wrong or has expired: ask for a new one',
      );
    const caller: Caller = { role: 'crew', name: 'download link', named: false };
    callers.set(req, caller);
    return caller;
  }
  const caller = callerFor(bearerToken(req), adminToken, show);
  if (!caller || !allowed.includes(caller.role))
    throw new DomainError('forbidden', 'these credentials may not do that');
  callers.set(req, caller);
  return caller;
}
