#!/usr/bin/env bash
# Installs the pinned @bucketeer/js-client-sdk (package-lock.json) into tests/bucketeer-sdk/node_modules, once; the test that
# drives the SDK runs this itself, so CI needs only node and npm (scripts/services.sh installs both for the SQS server).
set -euo pipefail
cd "$(dirname "$0")"
installed="$(node -p 'require("./node_modules/@bucketeer/js-client-sdk/package.json").version' 2>/dev/null < /dev/null || true)"
if [[ "$installed" == "2.6.1" && node_modules/.package-lock.json -nt package-lock.json ]]; then
  exit 0
fi
npm ci --no-audit --no-fund < /dev/null
