import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    name: 'show-server',
    level,
    redact: {
      paths: ['*.hostKey', '*.adminToken', '*.token', '*.key', 'req.headers.authorization'],
      censor: '[secret]',
    },
  });
}
