import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler } from 'express';
import { z } from 'zod';
import { describeZodError, isDomainError, type ApiError, type ErrorCode } from '@showrec/protocol';
import type { Logger } from '../logger.js';

/** The one place a domain error's code becomes an HTTP status. */
export const httpStatusOf: Record<ErrorCode, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  unsupported: 415,
  unprocessable: 422,
  'too-many-requests': 429,
  'insufficient-storage': 507,
  unavailable: 503,
};

/** A signed download link must not reach the logs whole: anyone reading them could follow it. */
function withoutKey(url: string): string {
  return url.replace(/([?&](?:key|sig)=)[^&#]*/gi, '$1[redacted]');
}

/**
 * Turns every failure into a JSON body with a sentence a person can act on. A failure that is
 * not a domain error is ours: the client gets a reference to quote, never its message.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let status = 500;
    let body: ApiError;
    if (err instanceof z.ZodError) {
      status = 400;
      body = { error: 'invalid request', details: describeZodError(err) };
    } else if (isDomainError(err)) {
      status = httpStatusOf[err.code];
      body = { error: err.message };
    } else if (err?.type === 'entity.parse.failed') {
      status = 400;
      body = { error: 'the request body is not valid JSON' };
    } else if (err?.type === 'entity.too.large') {
      status = 413;
      body = { error: 'the request body is too large' };
    } else if (err?.expose === true && typeof err.status === 'number') {
      // Other http-errors from express's own middleware (static files…) say what went wrong.
      status = err.status;
      body = { error: String(err.message) };
    } else {
      const reference = randomUUID();
      body = { error: `internal error (reference ${reference})` };
      logger.error(
        { err, reference, method: req.method, url: withoutKey(req.originalUrl) },
        'request failed',
      );
    }
    if (status < 500)
      logger.warn(
        { status, method: req.method, url: withoutKey(req.originalUrl), error: body.error },
        'request refused',
      );
    res.status(status).json(body);
  };
}
