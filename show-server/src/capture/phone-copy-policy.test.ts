import { describe, expect, it } from 'vitest';
import { takeManifestSchema, type StoredShow, type TakeManifest } from '@showrec/protocol';
import { wantsPhoneCopy } from './phone-copy-policy.js';

const take = (over: Partial<TakeManifest>): TakeManifest =>
  takeManifestSchema.parse({
    id: 'take-policy01',
    showId: 'show-policy1',
    cueId: null,
    participant: { id: 'part-policy1', name: 'Ada' },
    status: 'ended',
    startedAt: 1,
    endedAt: 2,
    endReason: 'stopped',
    file: 'takes/show-policy1/take-policy01.mkv',
    codecs: { audio: 'opus', video: 'VP8' },
    rtp: { audio: { packets: 500, lost: 0 }, video: { packets: 900, lost: 0 } },
    failure: null,
    ...over,
  });
const always = { alwaysUploadPhoneCopy: true } as StoredShow;

describe('which takes a phone is asked to upload', () => {
  it('asks when the server’s copy is missing, cut or lossy, or the show always wants it', () => {
    expect(wantsPhoneCopy(take({}), null, 1000)).toBe(false);
    expect(wantsPhoneCopy(take({}), always, 1000)).toBe(true);
    expect(wantsPhoneCopy(take({}), null, 0)).toBe(true);
    expect(wantsPhoneCopy(take({ endReason: 'disconnected' }), null, 1000)).toBe(true);
    const lossy = { audio: { packets: 500, lost: 0 }, video: { packets: 900, lost: 30 } };
    expect(wantsPhoneCopy(take({ rtp: lossy }), null, 1000)).toBe(true);
  });

  it('never asks a phone that sent nothing, whatever the take or the show says', () => {
    const silent = take({ rtp: { audio: null, video: { packets: 0, lost: 0 } } });
    expect(wantsPhoneCopy(silent, always, 0)).toBe(false);
    expect(wantsPhoneCopy({ ...silent, endReason: 'disconnected' }, null, 0)).toBe(false);
  });
});
