#!/usr/bin/env bash
# `npm test`: set up what is missing, build, typecheck and lint, then every workspace's tests
# (one workspace at a time: they share 2 cores), and close with one summary line for CI.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1
bash infra/setup.sh --for-tests
turbo run build --output-logs=errors-only
turbo run typecheck lint --output-logs=errors-only
rm -rf test-results
status=0
turbo run test --concurrency=1 --continue || status=$?
# Again on the S3 backend (a private OpenStack Swift with s3api), the tests where media cross the
# store inside a service: filing from segments and phone copies, phone uploads, recovery. Phones
# recording end to end into Swift, and its faults, are e2e/src/storage in the pass above, and the
# store itself media-store's tests. `npm run test:s3` runs every test on Swift.
s3() { (cd "$1" && shift && SHOWREC_TEST_STORAGE=s3 npx vitest run "$@") || status=1; }
s3 media-worker src/jobs/file-take.test.ts
s3 show-server src/capture/uploads.test.ts src/capture/take-recovery.test.ts
node infra/dist/test-summary.js || status=$?
exit "$status"
