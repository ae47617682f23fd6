#!/usr/bin/env bash
# The whole test suite on a fresh machine: system packages, PostgreSQL, npm packages, build, tests.
# README's second set-up command, and what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

# Debian packages the tests need: Chromium for the browser tests, CJK fonts so pages render,
# poppler-utils to read back generated PDFs, sqlite3 for the benchmark's ceiling, ClamAV's scanner
# for the virus check of received packages (the tests bring their own signature database).
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v sqlite3 >/dev/null 2>&1 || need+=(sqlite3)
[ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
command -v clamscan >/dev/null 2>&1 || need+=(clamav)
if [ ${#need[@]} -gt 0 ]; then
  log "installing Debian packages: ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# PostgreSQL is a real backend of every integration test: start it when it is down, fail when it cannot be.
PGHOST_TEST=127.0.0.1
if ! pg_isready -h "$PGHOST_TEST" -p 5432 -q 2>/dev/null; then
  log "starting PostgreSQL"
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -h "$PGHOST_TEST" -p 5432 -q 2>/dev/null && break; sleep 1; done
fi
if ! pg_isready -h "$PGHOST_TEST" -p 5432 -q 2>/dev/null; then
  echo "FATAL: PostgreSQL is not reachable at $PGHOST_TEST:5432 and could not be started." >&2
  echo "       The integration tests run against a real PostgreSQL; set LANTAI_TEST_PG_URL to use another server." >&2
  exit 1
fi

log "installing npm packages and building (npm ci)"
npm ci --no-audit --no-fund

log "type check"
npx tsc -p tsconfig.json --noEmit

log "tests (SQLite and PostgreSQL, API, browser)"
mkdir -p .tmp
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json "$@" || status=$?
# One plain closing line that any reader of the log can take in at a glance.
node -e '
  const r = JSON.parse(require("fs").readFileSync(".tmp/vitest.json", "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' || true
exit $status
