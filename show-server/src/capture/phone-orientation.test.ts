import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIDEO_ORIENTATION_URI, type ShowCreated } from '@showrec/protocol';
import {
  connectSocket,
  createTestShow,
  emit,
  type TestSocket,
} from '../test-support/api-client.js';
import { startServerWithRedis, type ServerWithRedis } from '../test-support/server-process.js';

describe('phones held upright are recorded upright (real server process, real mediasoup)', () => {
  let server: ServerWithRedis;
  let show: ShowCreated;
  let phone: TestSocket;

  beforeAll(async () => {
    server = await startServerWithRedis();
    show = await createTestShow(server.baseUrl, server.adminToken, 'Portrait');
    phone = connectSocket(server.baseUrl, { role: 'audience' });
  });
  afterAll(async () => {
    phone?.disconnect();
    await server?.stop();
  });

  it('never offers phones the rotation tag, and refuses a producer that uses it', async () => {
    const joined = await emit(phone, 'join', { joinCode: show.joinCode, name: 'Upright' });
    if (!joined.ok) throw new Error(joined.error);
    if ('moveTo' in joined.data) throw new Error('one node: never placed elsewhere');
    const offered = (
      joined.data.routerRtpCapabilities.headerExtensions as Array<{ uri: string }>
    ).map((ext) => ext.uri);
    expect(offered.length).toBeGreaterThan(0);
    expect(offered).not.toContain(VIDEO_ORIENTATION_URI);

    const transport = await emit(phone, 'transport:create', {});
    if (!transport.ok) throw new Error(transport.error);
    const produced = await emit(phone, 'produce', {
      transportId: transport.data.id,
      kind: 'video',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }],
        headerExtensions: [{ uri: VIDEO_ORIENTATION_URI, id: 4 }],
        encodings: [{ ssrc: 31_415_926 }],
      },
    });
    expect(produced).toMatchObject({ ok: false, code: 'invalid' });
    expect(!produced.ok && produced.error).toContain('video orientation is not negotiated');
  });
});
