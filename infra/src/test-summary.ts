import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from './stack.js';

/** Adds up the workspaces' vitest JSON reports into one closing line CI can read. */
interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
}

const dir = path.join(repoRoot, 'test-results');
const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.json'));
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of files) {
  const report = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as VitestReport;
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests;
}
console.log(`\n${files.length} workspaces reported.`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(files.length === 0 || failed > 0 ? 1 : 0);
