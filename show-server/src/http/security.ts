import cors from 'cors';
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';

/**
 * Security headers (helmet's defaults, less upgrade-insecure-requests: a venue may serve the
 * stack over plain http on its own network) and CORS for the configured origins only.
 */
export function securityHeaders(corsOrigins: string[]): RequestHandler[] {
  const handlers: RequestHandler[] = [
    helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }),
  ];
  if (corsOrigins.length > 0) handlers.push(cors({ origin: corsOrigins }));
  return handlers;
}

/** Join codes are short: limit how fast one address can try them. */
export function joinRateLimit(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    message: { error: 'too many join attempts from this address: wait a minute and try again' },
  });
}
