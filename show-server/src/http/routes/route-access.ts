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
export function showFor(
  req: Request,
  deps: Pick<AccessDeps, 'shows' | 'adminToken'>,
  allowed: Role[],
  options?: AccessOptions,
): Promise<StoredShow> {
  return showNamed(req.params.id, req, deps, allowed, options);
}

/** The RECord named by `:id`, if the caller's key is one of `allowed` for its show. */
export function recordFor(
  req: Request,
  deps: AccessDeps,
  allowed: Role[],
  options?: AccessOptions,
): Promise<RECord> {
  return recordNamed(req.params.id, req, deps, allowed, options);
}

/** The show `rawId` names, as `showFor` checks it. */
export async function showNamed(
  rawId: unknown,
  req: Request,
  deps: Pick<AccessDeps, 'shows' | 'adminToken'>,
  allowed: Role[],
  options?: AccessOptions,
): Promise<StoredShow> {
  const show = await existingShow(rawId, deps.shows);
  await requireRole(req, deps.adminToken, show, allowed, options);
  return show;
}

/** The show `rawId` names, whoever asks (its id is no secret: its keys are). */
export async function existingShow(rawId: unknown, shows: ShowStore): Promise<StoredShow> {
  const id = idSchema.safeParse(rawId);
  const show = id.success ? await shows.get(id.data) : null;
  if (!show) throw new DomainError('not-found', `no show with id ${String(rawId).slice(0, 64)}`);
  return show;
}

/** The RECord `rawId` names, as `recordFor` checks it. */
export async function recordNamed(
  rawId: unknown,
  req: Request,
  deps: AccessDeps,
  allowed: Role[],
  options?: AccessOptions,
): Promise<RECord> {
  const id = idSchema.safeParse(rawId);
  const record = id.success ? await deps.records.get(id.data) : null;
  if (!record) throw new DomainError('not-found', `no RECord ${String(rawId).slice(0, 64)}`);
  await requireRole(req, deps.adminToken, await deps.shows.get(record.showId), allowed, options);
  return record;
}
