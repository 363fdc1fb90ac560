/**
 * What went wrong, in words that do not depend on how the request arrived. The domain throws
 * `DomainError`s with these codes; each edge maps them once (HTTP statuses in show-server's
 * `http/http-error.ts`, socket acks in `socket/event-router.ts`, BullMQ retries in the worker).
 */
export const errorCodes = [
  /** The request is malformed or names something impossible. */
  'invalid',
  /** No credentials, or credentials that name nobody. */
  'unauthorized',
  /** The caller is known but may not do this. */
  'forbidden',
  'not-found',
  /** The request is fine but the current state refuses it (show ended, already uploaded…). */
  'conflict',
  'too-large',
  /** A file of a kind that is never accepted (by its extension or container). */
  'unsupported',
  /** A file of an accepted kind whose content is not usable (no video, unreadable). */
  'unprocessable',
  /** Out of disk space (below the floor kept for recording). */
  'insufficient-storage',
  'too-many-requests',
  /** Something this depends on is down or busy; the same request may work later. */
  'unavailable',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

/** A refusal or failure whose message is meant for the person who asked. */
export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isDomainError(err: unknown, code?: ErrorCode): err is DomainError {
  return err instanceof DomainError && (code === undefined || err.code === code);
}
