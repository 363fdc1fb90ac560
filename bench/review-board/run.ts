/**
 * bench/review-board: how fast the crew's review board loads for a show of hundreds of takes.
 *
 * A real show-server process on real Redis; a show is seeded with N filed takes (each with its
 * manifest, RECord, alignment, and a verdict on every other one). Rounds alternate between the
 * review board (`GET /api/shows/:id/review`: takes, RECords, verdicts, notes, alignments, job
 * state) and, side by side, the bare listing of the same RECords (`GET /api/shows/:id/records`),
 * the floor for reading them at all. The ratio is what the review state costs on top.
 *
 *   npm run bench:review-board -- --takes 100,500,1000 --rounds 20
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { startEmbeddedRedis } from '@showrec/infra';
import { recordIdForTake, redisKeys } from '@showrec/protocol';
import { createTestShow } from '@showrec/show-server/src/test-support/api-client.ts';
import { startServerProcess } from '@showrec/show-server/src/test-support/server-process.ts';

const { values } = parseArgs({
  options: {
    takes: { type: 'string', default: '100,500,1000' },
    rounds: { type: 'string', default: '20' },
  },
});
const levels = values.takes.split(',').map(Number);
const rounds = Number(values.rounds);

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'showrec-bench-board-'));
const redis = await startEmbeddedRedis({ dir: path.join(dataDir, 'redis') });
const client = new Redis(redis.url);
const server = await startServerProcess({
  REDIS_URL: redis.url,
  SHOWREC_DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
});

async function seed(showId: string, count: number): Promise<void> {
  const start = Date.parse('2026-11-21T20:00:00Z');
  const tx = client.pipeline();
  for (let i = 0; i < count; i++) {
    const takeId = `take-${showId.slice(-6)}-${i}`;
    const recordId = recordIdForTake(takeId);
    const startedAt = start + Math.floor(i / 4) * 60_000 + (i % 4) * 700;
    tx.set(
      redisKeys.take(takeId),
      JSON.stringify({
        id: takeId,
        showId,
        cueId: null,
        participant: { id: `part-${i}xxxx`, name: `Phone ${i}` },
        status: 'ended',
        serverId: null,
        startedAt,
        endedAt: startedAt + 45_000,
        endReason: 'stopped',
        file: `takes/${showId}/${takeId}.mkv`,
        codecs: { audio: 'opus', video: 'VP8' },
        rtp: { audio: { packets: 2000, lost: 1 }, video: { packets: 5000, lost: 3 } },
        failure: null,
        continues: null,
        uploadRequested: false,
        phoneCopy: null,
      }),
    );
    tx.zadd(redisKeys.showTakes(showId), startedAt, takeId);
    tx.set(
      redisKeys.record(recordId),
      JSON.stringify({
        id: recordId,
        showId,
        cueId: null,
        takeId,
        title: `Bench · Phone ${i}`,
        contributors: [{ participantId: `part-${i}xxxx`, name: `Phone ${i}`, role: 'recorded' }],
        media: { video: '/v.mp4', poster: '/p.jpg', durationMs: 45_000 },
        createdAt: new Date(startedAt + 50_000).toISOString(),
        status: 'filed',
        continues: null,
        source: 'server',
        original: null,
        parents: [],
      }),
    );
    tx.zadd(redisKeys.showRecords(showId), startedAt + 50_000, recordId);
    tx.set(
      redisKeys.recordAlignment(recordId),
      JSON.stringify({
        referenceId: recordIdForTake(`take-${showId.slice(-6)}-${i - (i % 4)}`),
        offsetMs: (i % 4) * 700,
        startsAt: startedAt,
        method: i % 4 === 0 ? 'reference' : 'audio',
        confidence: i % 4 === 0 ? null : 40,
      }),
    );
    if (i % 2 === 0) {
      tx.hset(
        redisKeys.recordReview(recordId),
        'rating',
        String(1 + (i % 5)),
        'review',
        'selected',
      );
      tx.rpush(
        redisKeys.recordNotes(recordId),
        JSON.stringify({ atMs: 1000, text: 'nice', at: 1 }),
      );
    }
  }
  await tx.exec();
}

async function time(url: string, key: string): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const res = await fetch(`${server.baseUrl}${url}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  const body = await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return { ms: performance.now() - started, bytes: body.byteLength };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(`bench/review-board: ${os.cpus().length} cores, ${rounds} rounds per level`);
console.log('| takes | review board p50 | bare RECord list p50 | ratio | board size |');
console.log('| ---: | ---: | ---: | ---: | ---: |');
for (const count of levels) {
  const show = await createTestShow(server.baseUrl, server.adminToken, `Board ${count}`);
  await seed(show.id, count);
  const board: number[] = [];
  const bare: number[] = [];
  let bytes = 0;
  for (let round = 0; round < rounds; round++) {
    const a = await time(`/api/shows/${show.id}/review`, show.crewKey);
    const b = await time(`/api/shows/${show.id}/records`, show.crewKey);
    board.push(a.ms);
    bare.push(b.ms);
    bytes = a.bytes;
  }
  const [p50, floor] = [median(board), median(bare)];
  console.log(
    `| ${count} | ${p50.toFixed(1)} ms | ${floor.toFixed(1)} ms | ${(p50 / floor).toFixed(2)} | ${(bytes / 1024).toFixed(0)} KiB |`,
  );
}

await server.stop();
client.disconnect();
await redis.stop();
