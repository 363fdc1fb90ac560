import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Environment, startSwift, type SwiftServer } from '@showrec/infra';
import { LocalStore } from './local-store.js';
import { MissingObjectError, type MediaStore } from './media-store.js';
import { S3Store } from './s3-store.js';
import { s3SettingsFromEnv } from './store-config.js';

let swift: SwiftServer;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'showrec-store-'));
  swift = await startSwift({ dir: path.join(dir, 'swift') });
});

afterAll(async () => {
  await swift?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function fileWith(bytes: Buffer): Promise<string> {
  const file = path.join(dir, `in-${randomBytes(4).toString('hex')}`);
  await writeFile(file, bytes);
  return file;
}

const backends: Array<[string, () => Promise<MediaStore>]> = [
  ['local', async () => new LocalStore(path.join(dir, `local-${randomBytes(4).toString('hex')}`))],
  [
    's3 (Swift)',
    () =>
      S3Store.open(s3SettingsFromEnv(s3Environment(swift, `b${randomBytes(6).toString('hex')}`))!),
  ],
];

describe.each(backends)('%s store', (_name, open) => {
  it('moves a file in, lists, reads ranges, checks out and removes it', async () => {
    const store = await open();
    const bytes = randomBytes(300_000);
    const file = await fileWith(bytes);
    expect(await store.putFile('takes/s1/t1/seg-00000.mkv', file)).toMatchObject({
      key: 'takes/s1/t1/seg-00000.mkv',
      bytes: 300_000,
    });
    expect(existsSync(file)).toBe(false);
    await store.putFile('takes/s1/t1/seg-00001.mkv', await fileWith(Buffer.from('second')));
    await store.putFile('takes/s1/t10/seg-00000.mkv', await fileWith(Buffer.from('other')));

    expect((await store.list('takes/s1/t1/')).map((o) => o.key)).toEqual([
      'takes/s1/t1/seg-00000.mkv',
      'takes/s1/t1/seg-00001.mkv',
    ]);
    expect(await store.head('takes/s1/t1/seg-00001.mkv')).toMatchObject({
      key: 'takes/s1/t1/seg-00001.mkv',
      bytes: 6,
    });
    expect(await store.head('takes/s1/t1/nothing.mkv')).toBeNull();
    expect(await text(await store.read('takes/s1/t1/seg-00001.mkv', { start: 1, end: 3 }))).toBe(
      'eco',
    );

    const copy = await store.checkout('takes/s1/t1/seg-00000.mkv', path.join(dir, 'scratch'));
    expect((await readFile(copy.path)).equals(bytes)).toBe(true);
    await copy.release();

    await store.remove('takes/s1/t1/seg-00001.mkv');
    expect(await store.head('takes/s1/t1/seg-00001.mkv')).toBeNull();
    await expect(store.checkout('takes/s1/t1/seg-00001.mkv', dir)).rejects.toBeInstanceOf(
      MissingObjectError,
    );
    store.close();
  });

  it('keeps the local file when asked to copy', async () => {
    const store = await open();
    const file = await fileWith(Buffer.from('kept'));
    await store.putFile('uploads/s1/r1.mp4', file, { keepLocal: true });
    expect(await readFile(file, 'utf8')).toBe('kept');
    expect(await text(await store.read('uploads/s1/r1.mp4'))).toBe('kept');
    store.close();
  });

  it('refuses keys that climb out of the store or hide', async () => {
    const store = await open();
    const file = await fileWith(Buffer.from('x'));
    for (const key of ['../escape', '/etc/passwd', 'takes/../../x', 'takes/.hidden', 'a//b', ''])
      await expect(store.putFile(key, file), key).rejects.toThrow(/not a media key/);
    expect(existsSync(file)).toBe(true);
    store.close();
  });
});

describe('s3 store', () => {
  it('uploads a large file in parts and proves it by the multipart checksum', async () => {
    const store = await S3Store.open(s3SettingsFromEnv(s3Environment(swift, 'multipart'))!);
    const bytes = randomBytes(70 * 1024 * 1024);
    const file = await fileWith(bytes);
    expect(await store.putFile('records/r1/video.mp4', file)).toMatchObject({
      key: 'records/r1/video.mp4',
      bytes: bytes.length,
    });
    const copy = await store.checkout('records/r1/video.mp4', path.join(dir, 'scratch'));
    expect((await readFile(copy.path)).equals(bytes)).toBe(true);
    await copy.release();
    store.close();
  });

  it('serves a presigned link that honours ranges and names the download', async () => {
    const store = await S3Store.open(s3SettingsFromEnv(s3Environment(swift, 'links'))!);
    await store.putFile('records/r2/poster.jpg', await fileWith(Buffer.from('0123456789')));
    const url = await store.downloadUrl('records/r2/poster.jpg', {
      ttlS: 60,
      filename: 'A take.jpg',
    });
    const res = await fetch(url, { headers: { Range: 'bytes=2-5' } });
    expect(res.status).toBe(206);
    expect(await res.text()).toBe('2345');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="A take.jpg"');
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    const tampered = new URL(url);
    tampered.pathname = tampered.pathname.replace('poster.jpg', 'video.mp4');
    expect((await fetch(tampered)).status).toBe(403);
    store.close();
  });

  it('keeps the local file when the store cannot be reached, and says where it failed', async () => {
    const settings = s3SettingsFromEnv(s3Environment(swift, 'outage'))!;
    const store = await S3Store.open({ ...settings, maxAttempts: 1 });
    await swift.stop();
    try {
      const file = await fileWith(Buffer.from('precious'));
      await expect(store.putFile('takes/s/t/seg-00000.mkv', file)).rejects.toThrow();
      expect(await readFile(file, 'utf8')).toBe('precious');
    } finally {
      store.close();
      await swift.start();
    }
  });

  it('opens when several services create the missing bucket at once', async () => {
    const settings = s3SettingsFromEnv(s3Environment(swift, 'started-together'))!;
    const stores = await Promise.all(Array.from({ length: 6 }, () => S3Store.open(settings)));
    for (const store of stores) store.close();
  });

  it('refuses to open with a wrong secret, naming the store', async () => {
    const env = { ...s3Environment(swift, 'secret'), SHOWREC_S3_SECRET_ACCESS_KEY: 'wrong' };
    await expect(S3Store.open(s3SettingsFromEnv(env)!)).rejects.toThrow(
      new RegExp(`object store at ${swift.endpoint}.*not usable.*403`),
    );
  });

  it('needs credentials with an endpoint', () => {
    expect(() => s3SettingsFromEnv({ SHOWREC_S3_ENDPOINT: 'http://127.0.0.1:1' })).toThrow(
      /needs SHOWREC_S3_ACCESS_KEY_ID/,
    );
    expect(s3SettingsFromEnv({})).toBeNull();
  });
});
