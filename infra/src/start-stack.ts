import path from 'node:path';
import { redisSettingsFromEnv } from './redis/redis-settings.js';
import { repoRoot, startStack } from './stack.js';

/** `npm start`: run the stack in the foreground until Ctrl-C. */
const port = Number(process.env.PORT ?? 8080);
const dataDir = path.resolve(repoRoot, process.env.SHOWREC_DATA_DIR ?? 'data');

const stack = await (async () =>
  startStack({ port, dataDir, redis: redisSettingsFromEnv(process.env) ?? undefined }))().catch(
  (err: unknown) => {
    console.error(`showrec failed to start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);

const base = process.env.SHOWREC_PUBLIC_URL ?? stack.baseUrl.replace('127.0.0.1', 'localhost');
console.log(`
showrec is running
  Control panel  ${base}/control
  Stage display  ${base}/stage
  Audience join  ${base}/join
  Health         ${base}/healthz
  Admin token    ${stack.adminToken}
  Redis          ${stack.redis ? `embedded, ${stack.redisUrl}, AOF in ${path.join(dataDir, 'redis')}` : stack.redisUrl}
Ctrl-C stops everything.
`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping showrec…`);
  await stack.stop();
  console.log('stopped.');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
// `npm start` killed outright (kill -9) leaves this process orphaned, and re-parented: stop
// everything rather than keep the ports of a stack nobody can stop with Ctrl-C.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void shutdown('the parent process (npm start) died');
}, 500).unref();
for (const [name, child] of [
  ['show-server', stack.server],
  ['media-worker', stack.worker],
] as const) {
  child.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(
      `${name} exited unexpectedly (code ${code}, signal ${signal}); stopping showrec.`,
    );
    void stack.stop().then(() => process.exit(1));
  });
}
