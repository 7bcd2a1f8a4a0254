#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs and starts the test servers (MariaDB, RabbitMQ,
# the SQS-compatible server, the Service Bus test emulator built from tests/) on 127.0.0.1, builds, runs every test project, prints one summary line
# "N passed, N failed, N skipped", and stops the servers it started (KEEP_SERVERS=1 keeps them).
set -euo pipefail
cd "$(dirname "$0")/.."

configuration="${CONFIGURATION:-Release}"
results="artifacts/test-results"
log="artifacts/test.log"
mkdir -p "$results"
rm -f "$results"/*.trx artifacts/browser/*.png

started_servers=0
cleanup() {
  if [ "$started_servers" = 1 ] && [ "${KEEP_SERVERS:-0}" != 1 ]; then
    scripts/services.sh down < /dev/null || true
  fi
}
trap cleanup EXIT

echo "== test servers"
scripts/services.sh up < /dev/null
started_servers=1
eval "$(scripts/services.sh env)"
scripts/services.sh browser < /dev/null

echo "== build ($configuration)"
dotnet build Persisters.sln -c "$configuration" -v quiet -nologo

echo "== test"
status=0
dotnet test Persisters.sln -c "$configuration" --no-build -nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" 2>&1 | tee "$log" || status=$?

# One closing line over every test assembly, from the TRX result files.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${n:-0}))
done
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "no test ran" >&2
  status=1
fi
if [ -f artifacts/browser/results-page.png ]; then echo "browser test screenshot: artifacts/browser/results-page.png"; fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
