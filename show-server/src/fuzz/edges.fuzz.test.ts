import { readdir } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientEventSchemas,
  CODEC_PARAMETER_KEYS,
  connectTransportPayloadSchema,
  producePayloadSchema,
  createShowBodySchema,
  cueInputSchema,
  cueOrderSchema,
  cuePatchSchema,
  noteInputSchema,
  redisKeys,
  reviewPatchSchema,
  trimBodySchema,
  updateShowBodySchema,
  type Cue,
  type ShowCreated,
} from '@showrec/protocol';
import type { z } from 'zod';
import {
  apiClient,
  connectSocket,
  createTestShow,
  emit,
  nextEvent,
  type TestSocket,
} from '../test-support/api-client.js';
import { storeRecord, testRecord } from '../test-support/records.js';
import { startServerWithRedis, type ServerWithRedis } from '../test-support/server-process.js';

const RUNS = 40;
const RECORD_ID = 'rec-fuzz000001';

/** A value as the server receives it: socket.io encodes as JSON, which drops undefined members. */
const overTheWire = (value: unknown): unknown => JSON.parse(JSON.stringify([value]))[0];

/** Anything at all, except what the schema would accept once it has crossed the wire. */
const invalidFor = (schema: z.ZodType) =>
  fc.anything().filter((value) => !schema.safeParse(overTheWire(value)).success);

describe('fuzzing the edges: random and malformed input (real server, real Redis)', () => {
  let client: Redis;
  let server: ServerWithRedis;
  let show: ShowCreated;
  let cue: Cue;
  let api: ReturnType<typeof apiClient>;
  const sockets: Record<'audience' | 'host', TestSocket> = {} as never;
  let before: { keys: number; show: string | null };
  const snapshot = async () => ({
    keys: await client.dbsize(),
    show: await client.get(redisKeys.show(show.id)),
    uploads: [
      ...(
        await readdir(path.join(server.dataDir, 'uploads'), { recursive: true }).catch(() => [])
      ).filter((f) => f !== '.incoming'),
      ...(await server.media.list('uploads/')).map((o) => o.key),
    ],
  });

  beforeAll(async () => {
    server = await startServerWithRedis({
      SHOWREC_JOIN_LIMIT_PER_MIN: '1000000',
      SHOWREC_SOCKET_EVENTS_PER_SEC: '1000000',
    });
    client = new Redis(server.redisUrl);
    api = apiClient(server.baseUrl);
    show = await createTestShow(server.baseUrl, server.adminToken, 'Fuzzed');
    cue = (
      await api<Cue>('POST', `/api/shows/${show.id}/cues`, show.hostKey, {
        kind: 'title',
        text: 'Hello',
      })
    ).body;
    sockets.audience = connectSocket(server.baseUrl, { role: 'audience' });
    sockets.host = connectSocket(server.baseUrl, {
      role: 'host',
      showId: show.id,
      key: show.hostKey,
    });
    await nextEvent(sockets.host, 'show:state');
    await storeRecord(
      client,
      testRecord(RECORD_ID, show.id, { takeId: 'take-fuzz0001', title: 'Fuzzed · Ada' }),
    );
    before = await snapshot();
  });
  afterAll(async () => {
    for (const s of Object.values(sockets)) s.disconnect();
    client?.disconnect();
    await server?.stop();
  });

  it('audience "produce" and "transport:connect": mediasoup parameter objects with keys off the allow-list or values that are not plain tokens are refused before mediasoup sees them', async () => {
    const hostile = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('1\r\nm=video 9 RTP/AVP 96', '42e01f;x=1', 'a=b', '1\n'),
      fc.integer(),
      fc.double(),
    );
    const codecParameters = fc.dictionary(
      fc.oneof(fc.constantFrom(...CODEC_PARAMETER_KEYS), fc.string({ maxLength: 30 })),
      hostile,
      { maxKeys: 4 },
    );
    const refusedAsItShould = (
      schema: z.ZodType,
      payload: unknown,
      ack: { ok: boolean; code?: string },
    ) =>
      // Valid shapes reach the handler, which wants a joined phone; nothing else gets that far.
      ack.ok === false &&
      ack.code === (schema.safeParse(overTheWire(payload)).success ? 'conflict' : 'invalid');
    await fc.assert(
      fc.asyncProperty(codecParameters, fc.option(hostile), async (parameters, cname) => {
        const payload = {
          transportId: '6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
          kind: 'audio',
          rtpParameters: {
            codecs: [
              {
                mimeType: 'audio/opus',
                payloadType: 100,
                clockRate: 48000,
                channels: 2,
                parameters,
              },
            ],
            encodings: [{ ssrc: 1111 }],
            ...(cname === null ? {} : { rtcp: { cname } }),
          },
        };
        const ack = await emit(sockets.audience, 'produce', payload);
        return refusedAsItShould(producePayloadSchema, payload, ack as never);
      }),
      { numRuns: RUNS * 2 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('auto', 'client', 'server', 'both', ''),
        hostile,
        async (role, value) => {
          const payload = {
            transportId: '6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
            dtlsParameters: { role, fingerprints: [{ algorithm: 'sha-256', value }] },
          };
          const ack = await emit(sockets.audience, 'transport:connect', payload);
          return refusedAsItShould(connectTransportPayloadSchema, payload, ack as never);
        },
      ),
      { numRuns: RUNS },
    );
  });

  for (const role of ['audience', 'host'] as const) {
    for (const [event, schema] of Object.entries(clientEventSchemas[role])) {
      it(`${role} "${event}": every malformed payload is refused with a reason`, async () => {
        await fc.assert(
          fc.asyncProperty(invalidFor(schema as z.ZodType), async (payload) => {
            const ack = await emit(sockets[role], event as never, payload);
            return ack.ok === false && ack.error.startsWith(`invalid ${event} payload:`);
          }),
          { numRuns: RUNS },
        );
      });
    }
    it(`${role}: unknown events are refused`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc
            .string({ minLength: 1, maxLength: 40 })
            .filter(
              (e) =>
                !Object.hasOwn(clientEventSchemas[role], e) &&
                ![
                  'connect',
                  'disconnect',
                  'disconnecting',
                  'connect_error',
                  'newListener',
                  'removeListener',
                ].includes(e),
            ),
          fc.anything(),
          async (event, payload) => {
            const ack = await emit(sockets[role], event as never, payload);
            return ack.ok === false && ack.error.includes('is not allowed on a');
          },
        ),
        { numRuns: RUNS },
      );
    });
  }

  it('REST: malformed bodies and parameters get a 4xx with a JSON reason', async () => {
    const routes: Array<{
      method: string;
      path: () => string;
      token: () => string;
      schema: z.ZodType;
    }> = [
      {
        method: 'POST',
        path: () => '/api/shows',
        token: () => server.adminToken,
        schema: createShowBodySchema,
      },
      {
        method: 'PATCH',
        path: () => `/api/shows/${show.id}`,
        token: () => show.hostKey,
        schema: updateShowBodySchema,
      },
      {
        method: 'POST',
        path: () => `/api/shows/${show.id}/cues`,
        token: () => show.hostKey,
        schema: cueInputSchema,
      },
      {
        method: 'PATCH',
        path: () => `/api/shows/${show.id}/cues/${cue.id}`,
        token: () => show.hostKey,
        schema: cuePatchSchema,
      },
      {
        method: 'PUT',
        path: () => `/api/shows/${show.id}/cues/order`,
        token: () => show.hostKey,
        schema: cueOrderSchema,
      },
      {
        method: 'PATCH',
        path: () => `/api/records/${RECORD_ID}`,
        token: () => show.crewKey,
        schema: reviewPatchSchema,
      },
      {
        method: 'POST',
        path: () => `/api/records/${RECORD_ID}/notes`,
        token: () => show.crewKey,
        schema: noteInputSchema,
      },
      {
        method: 'POST',
        path: () => `/api/records/${RECORD_ID}/trim`,
        token: () => show.crewKey,
        schema: trimBodySchema,
      },
    ];
    const accepted = (schema: z.ZodType, raw: string) => {
      try {
        return schema.safeParse(JSON.parse(raw)).success;
      } catch {
        return false;
      }
    };
    const body = fc.oneof(
      fc.anything().map((v) => JSON.stringify(v) ?? 'null'),
      fc.string(),
      fc.constantFrom(
        '{',
        '{"title":',
        '[]',
        'null',
        '{"kind":"title","text":' + '"x"'.repeat(3) + '}',
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), body, async (route, raw) => {
        fc.pre(!accepted(route.schema, raw));
        const res = await fetch(`${server.baseUrl}${route.path()}`, {
          method: route.method,
          headers: { authorization: `Bearer ${route.token()}`, 'content-type': 'application/json' },
          body: raw,
        });
        const json = (await res.json()) as { error?: unknown };
        return res.status >= 400 && res.status < 500 && typeof json.error === 'string';
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('REST: random path parameters get a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 80 }),
        fc.constantFrom(
          'go',
          'back',
          'cue/x',
          'takes',
          'records',
          'duplicate',
          'review',
          'credits.csv',
          'selects.zip',
        ),
        async (id, action) => {
          const res = await fetch(
            `${server.baseUrl}/api/shows/${encodeURIComponent(id)}/${action}`,
            {
              method: ['go', 'back', 'cue/x', 'duplicate'].includes(action) ? 'POST' : 'GET',
              headers: { authorization: `Bearer ${show.hostKey}` },
            },
          );
          // An assertion, not a boolean, so a failure names the status and the request.
          expect(res.status, `${action} with id ${JSON.stringify(id)}`).toBeGreaterThanOrEqual(400);
          expect(res.status, `${action} with id ${JSON.stringify(id)}`).toBeLessThan(500);
        },
      ),
      { numRuns: RUNS * 2 },
    );
    await fc.assert(
      fc.asyncProperty(
        // "." and ".." are path segments the URL itself resolves away: another route, a 404.
        fc
          .string({ minLength: 1, maxLength: 20 })
          .filter((i) => !/^-?\d+$/.test(i) && i !== '.' && i !== '..'),
        async (index) => {
          const res = await fetch(
            `${server.baseUrl}/api/shows/${show.id}/cue/${encodeURIComponent(index)}`,
            {
              method: 'POST',
              headers: { authorization: `Bearer ${show.hostKey}` },
            },
          );
          return res.status === 400;
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('remix uploads: random form fields and files get a 4xx with a JSON reason', async () => {
    const field = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom(show.id, RECORD_ID, ''));
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.oneof(fc.constantFrom('title', 'contributor', 'parents'), fc.string()),
          field,
          { maxKeys: 6 },
        ),
        fc.uint8Array({ maxLength: 2048 }),
        fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('x.mp4', 'x.mkv', 'x.txt', '')),
        async (fields, bytes, name) => {
          const form = new FormData();
          for (const [k, v] of Object.entries(fields)) form.append(k, v);
          form.append('file', new Blob([new Uint8Array(bytes)]), name);
          const res = await fetch(`${server.baseUrl}/api/shows/${show.id}/records`, {
            method: 'POST',
            headers: { authorization: `Bearer ${show.crewKey}` },
            body: form,
          });
          const json = (await res.json()) as { error?: unknown };
          return res.status >= 400 && res.status < 500 && typeof json.error === 'string';
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('after all that: the server is healthy and nothing was stored', async () => {
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
    expect(server.child.exitCode).toBeNull();
    const after = await snapshot();
    expect(after).toEqual(before);
  });
});
