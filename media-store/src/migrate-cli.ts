#!/usr/bin/env node
import path from 'node:path';
import { parseArgs } from 'node:util';
import { migrateMedia } from './migrate.js';
import { S3Store } from './s3-store.js';
import { s3SettingsFromEnv } from './store-config.js';

/**
 * `npm run storage:migrate -- [--from <data dir>]`: copies a local data directory's media into
 * the S3 store the SHOWREC_S3_* variables name. Run it again to resume or to check: what is
 * already there is skipped.
 */
const { values } = parseArgs({
  options: { from: { type: 'string' }, quiet: { type: 'boolean', default: false } },
});
// npm runs a workspace's script in the workspace's folder; paths are meant from where it was typed.
const dataDir = path.resolve(
  process.env.INIT_CWD ?? process.cwd(),
  values.from ?? process.env.SHOWREC_DATA_DIR ?? 'data',
);
const settings = s3SettingsFromEnv(process.env);
if (!settings) {
  console.error(
    'storage:migrate copies into an S3 store: set SHOWREC_S3_ENDPOINT and its credentials',
  );
  process.exit(2);
}
const target = await S3Store.open(settings);
console.log(`copying the media of ${dataDir} into ${target.location}`);
const report = await migrateMedia(dataDir, target, (key, outcome) => {
  if (!values.quiet || outcome === 'failed') console.log(`${outcome.padEnd(7)} ${key}`);
});
target.close();
console.log(
  `${report.copied} copied (${(report.bytes / 1048576).toFixed(1)} MB), ${report.skipped} already there, ${report.failed.length} failed`,
);
for (const { key, error } of report.failed) console.error(`failed: ${key}: ${error}`);
process.exit(report.failed.length > 0 ? 1 : 0);
