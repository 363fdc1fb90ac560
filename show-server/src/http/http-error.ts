import type { ErrorRequestHandler } from 'express';
import { z } from 'zod';
import { describeZodError, type ApiError } from '@showrec/protocol';
import type { Logger } from '../logger.js';
import { Refusal } from '../refusal.js';
import { ShowNotFoundError } from '../shows/show-store.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Download links carry a show's key as `?key=`; it must not reach the logs. */
function withoutKey(url: string): string {
  return url.replace(/([?&]key=)[^&#]*/gi, '$1[redacted]');
}

/** Turns every failure into a JSON body with a sentence a person can act on. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let status = 500;
    let body: ApiError = { error: 'internal error' };
    if (err instanceof z.ZodError) {
      status = 400;
      body = { error: 'invalid request', details: describeZodError(err) };
    } else if (err instanceof HttpError) {
      status = err.status;
      body = { error: err.message };
    } else if (err instanceof ShowNotFoundError) {
      status = 404;
      body = { error: err.message };
    } else if (err instanceof Refusal) {
      status = err.status;
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
    }
    if (status >= 500)
      logger.error({ err, method: req.method, url: withoutKey(req.originalUrl) }, 'request failed');
    else
      logger.warn(
        { status, method: req.method, url: withoutKey(req.originalUrl), error: body.error },
        'request refused',
      );
    res.status(status).json(body);
  };
}
