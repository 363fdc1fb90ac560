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
# Every test runs on the local store here; the ones whose media cross a store between machines
# (e2e/src/storage, e2e/src/nodes) run on a real OpenStack Swift with s3api, and the store itself
# is media-store's tests. `npm run test:s3` runs every test on Swift.
node infra/dist/test-summary.js || status=$?
exit "$status"
