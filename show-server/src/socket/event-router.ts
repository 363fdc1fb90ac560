import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  clientEventSchemas,
  type Ack,
  type ClientEvent,
  type ClientEventResults,
  isDomainError,
  type SocketRole,
} from '@showrec/protocol';
import type { Logger } from '../logger.js';
import { EventBudget } from './event-budget.js';

type Schemas = typeof clientEventSchemas;
export type RoleHandlers<R extends SocketRole> = {
  [E in keyof Schemas[R] & ClientEvent]: (
    payload: z.infer<Schemas[R][E] & z.ZodType>,
  ) => Promise<ClientEventResults[E]>;
};

/**
 * Every client event goes through here: an event the socket's role may not send is refused and
 * logged, a payload that fails its schema is refused with the reason, domain errors come back
 * in the ack with their code, and anything else as an internal error with a reference to the log. Nothing reaches the domain unvalidated.
 */
export interface RoutedSocket {
  id: string;
  onAny(listener: (event: string, ...args: unknown[]) => void): unknown;
}

export function routeEvents<R extends SocketRole>(
  socket: RoutedSocket,
  role: R,
  handlers: RoleHandlers<R>,
  logger: Logger,
  eventsPerSecond = 20,
): void {
  const schemas = clientEventSchemas[role] as Record<string, z.ZodType>;
  const budget = new EventBudget(eventsPerSecond);
  socket.onAny(async (event: string, ...args: unknown[]) => {
    const last = args.at(-1);
    const ack = (typeof last === 'function' ? last : () => undefined) as (
      answer: Ack<unknown>,
    ) => void;
    if (!budget.take()) {
      logger.warn(
        { socketId: socket.id, role, event: String(event).slice(0, 64) },
        'refused an event over the rate limit',
      );
      ack({ ok: false, code: 'too-many-requests', error: 'too many requests: slow down' });
      return;
    }
    const schema = Object.hasOwn(schemas, event) ? schemas[event] : undefined;
    if (!schema) {
      logger.warn(
        { socketId: socket.id, role, event: String(event).slice(0, 64) },
        'refused an event this role may not send',
      );
      ack({
        ok: false,
        code: 'forbidden',
        error: `"${String(event).slice(0, 64)}" is not allowed on a ${role} connection`,
      });
      return;
    }
    const parsed = schema.safeParse(args[0]);
    if (!parsed.success) {
      const reason = parsed.error.issues
        .map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`)
        .join('; ');
      logger.warn(
        { socketId: socket.id, role, event, reason: reason.slice(0, 500) },
        'refused an invalid payload',
      );
      ack({ ok: false, code: 'invalid', error: `invalid ${event} payload: ${reason}` });
      return;
    }
    try {
      const handler = handlers[event as keyof RoleHandlers<R>] as (
        payload: unknown,
      ) => Promise<unknown>;
      ack({ ok: true, data: await handler(parsed.data) });
    } catch (err) {
      if (isDomainError(err)) {
        ack({ ok: false, code: err.code, error: err.message });
        return;
      }
      // Ours, not the client's: it gets a reference to quote, never the internal message.
      const reference = randomUUID();
      logger.error({ err, socketId: socket.id, event, reference }, 'socket event failed');
      ack({
        ok: false,
        code: 'internal',
        error: `${event} failed: internal error (reference ${reference})`,
      });
    }
  });
}
