import type { Request } from 'express';
import { idSchema, type RECord, type StoredShow, DomainError } from '@showrec/protocol';
import type { RecordReader } from '../../records/record-reader.js';
import type { ShowStore } from '../../shows/show-store.js';
import { requireRole, type Role } from '../auth.js';

export interface AccessDeps {
  shows: ShowStore;
  records: RecordReader;
  adminToken: string;
}

type AccessOptions = Parameters<typeof requireRole>[4];

/** The show named by `:id`, if the caller's key is one of `allowed` for it; 404 before 403. */
export async function showFor(
  req: Request,
  deps: Pick<AccessDeps, 'shows' | 'adminToken'>,
  allowed: Role[],
  options?: AccessOptions,
): Promise<StoredShow> {
  const id = idSchema.safeParse(req.params.id);
  const show = id.success ? await deps.shows.get(id.data) : null;
  if (!show)
    throw new DomainError('not-found', `no show with id ${String(req.params.id).slice(0, 64)}`);
  requireRole(req, deps.adminToken, show, allowed, options);
  return show;
}

/** The RECord named by `:id`, if the caller's key is one of `allowed` for its show. */
export async function recordFor(
  req: Request,
  deps: AccessDeps,
  allowed: Role[],
  options?: AccessOptions,
): Promise<RECord> {
  const id = idSchema.safeParse(req.params.id);
  const record = id.success ? await deps.records.get(id.data) : null;
  if (!record)
    throw new DomainError('not-found', `no RECord ${String(req.params.id).slice(0, 64)}`);
  requireRole(req, deps.adminToken, await deps.shows.get(record.showId), allowed, options);
  return record;
}
