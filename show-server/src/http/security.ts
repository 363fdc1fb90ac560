import cors from 'cors';
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { TOO_MANY_JOINS, type JoinAttempts } from './join-attempts.js';

/**
 * Security headers (helmet's defaults, less upgrade-insecure-requests: a venue may serve the
 * stack over plain http on its own network) and CORS for the configured origins only. Pages may
 * connect to this server and to the other live show-server nodes (`nodeUrls`, asked per
 * response): a phone placed on another node opens its socket there.
 */
export function securityHeaders(
  corsOrigins: string[],
  nodeUrls: () => string[] = () => [],
): RequestHandler[] {
  const connectSources = () =>
    nodeUrls()
      .flatMap((url) => [url, url.replace(/^http/, 'ws')])
      .join(' ');
  const handlers: RequestHandler[] = [
    helmet({
      contentSecurityPolicy: {
        directives: { upgradeInsecureRequests: null, connectSrc: ["'self'", connectSources] },
      },
    }),
  ];
  if (corsOrigins.length > 0) handlers.push(cors({ origin: corsOrigins }));
  return handlers;
}

/**
 * Join codes are short: limit how fast one address can guess them (sockets share the count). Only
 * a miss counts — phones behind one venue NAT join, rejoin and move between nodes as often as
 * they need — but past the limit every lookup from the address is refused, a valid code too:
 * answering it would tell a guesser which code is valid.
 */
export function joinRateLimit(attempts: JoinAttempts): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: attempts.perMinute,
    skipSuccessfulRequests: true,
    store: attempts,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    message: { error: TOO_MANY_JOINS },
  });
}
