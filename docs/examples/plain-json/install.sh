#!/usr/bin/env bash
# Installs the example's pinned packages (package-lock.json) into docs/examples/plain-json/node_modules, once. The integration
# test that runs the example calls this itself; CI needs only node and npm (scripts/services.sh installs both).
set -euo pipefail
cd "$(dirname "$0")"
if [[ -d node_modules/amqplib && -d node_modules/@aws-sdk/client-sqs && node_modules/.package-lock.json -nt package-lock.json ]]; then
  exit 0
fi
npm ci --no-audit --no-fund < /dev/null
