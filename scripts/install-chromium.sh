#!/usr/bin/env bash
# Debian's chromium for the report's browser test (test/report/report-page.browser.test.ts): installed when absent
# and this is root (CI, a fresh container); elsewhere it says what to run, and the test says it skipped.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "install-chromium: /usr/bin/chromium is absent and this is not a root Debian shell: run 'sudo apt-get install -y chromium' (the browser test skips without it)" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
/usr/bin/chromium --version
