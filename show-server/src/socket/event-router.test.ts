import { describe, expect, it } from 'vitest';
import type { Ack } from '@showrec/protocol';
import { DomainError } from '@showrec/protocol';
import { createLogger } from '../logger.js';
import { routeEvents } from './event-router.js';

/** A socket as the router sees it: an id and one listener for every event. */
function socketWith(): {
  socket: { id: string; onAny(l: (event: string, ...args: unknown[]) => void): void };
  send(event: string, payload: unknown): Promise<Ack<unknown>>;
} {
  let listener: (event: string, ...args: unknown[]) => void = () => undefined;
  return {
    socket: { id: 'socket-test', onAny: (l) => (listener = l) },
    send: (event, payload) =>
      new Promise((resolve) => listener(event, payload, (answer: Ack<unknown>) => resolve(answer))),
  };
}

describe('socket event routing', () => {
  it('answers a failure of ours with a reference, never its message; a domain refusal with its code', async () => {
    const { socket, send } = socketWith();
    let fail: Error = new Error('ENOENT: /var/lib/showrec/takes/secret.mkv');
    routeEvents(
      socket,
      'host',
      {
        go: () => Promise.reject(fail),
      } as never,
      createLogger('silent'),
    );
    const internal = await send('go', { expectedCueId: null });
    expect(internal).toMatchObject({ ok: false, code: 'internal' });
    expect(!internal.ok && internal.error).toMatch(
      /^go failed: internal error \(reference [0-9a-f-]{36}\)$/,
    );
    expect(JSON.stringify(internal)).not.toContain('/var/lib');
    fail = new DomainError('conflict', 'the show has ended');
    expect(await send('go', { expectedCueId: null })).toEqual({
      ok: false,
      code: 'conflict',
      error: 'the show has ended',
    });
  });
});
