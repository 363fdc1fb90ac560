import { describe, expect, it } from 'vitest';
import { JOIN_CODE_ALPHABET, joinCodeSchema } from './ids.js';
import { createShowBodySchema } from './show.js';
import { clientEventSchemas, socketAuthSchema } from './socket.js';

describe('protocol schemas', () => {
  it('join codes: six characters from an alphabet without look-alikes, case-insensitive', () => {
    for (const c of '01OIL') expect(JOIN_CODE_ALPHABET).not.toContain(c);
    expect(joinCodeSchema.parse(' abc234 ')).toBe('ABC234');
    expect(joinCodeSchema.safeParse('ABC23O').success).toBe(false);
    expect(joinCodeSchema.safeParse('ABC23').success).toBe(false);
  });

  it('create-show bodies need a title; venue and date are optional; nothing else is accepted', () => {
    expect(createShowBodySchema.parse({ title: '  Open mic ' })).toEqual({
      title: 'Open mic',
      venue: '',
      date: null,
      alwaysUploadPhoneCopy: false,
    });
    expect(
      createShowBodySchema.parse({ title: 'x', venue: 'The Pit', date: '2026-12-31' }),
    ).toMatchObject({ date: '2026-12-31' });
    expect(createShowBodySchema.safeParse({ title: '' }).success).toBe(false);
    expect(createShowBodySchema.safeParse({ title: 'x', date: '31/12/2026' }).success).toBe(false);
    expect(createShowBodySchema.safeParse({ title: 'x', admin: true }).success).toBe(false);
  });

  it('socket auth: an audience socket carries no secrets, a host socket must', () => {
    expect(socketAuthSchema.safeParse({ role: 'audience' }).success).toBe(true);
    expect(socketAuthSchema.safeParse({ role: 'host', showId: 'abcdef123' }).success).toBe(false);
    expect(socketAuthSchema.safeParse({ role: 'admin' }).success).toBe(false);
  });

  it('audience and host events do not overlap', () => {
    const audience = Object.keys(clientEventSchemas.audience);
    for (const hostEvent of Object.keys(clientEventSchemas.host))
      expect(audience).not.toContain(hostEvent);
    expect(
      clientEventSchemas.audience.join.safeParse({ joinCode: 'ABC234', name: ' ' }).success,
    ).toBe(false);
  });
});
