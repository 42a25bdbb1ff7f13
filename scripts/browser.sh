#!/usr/bin/env bash
# Make sure a Chromium exists for the browser tests: Debian's package where we can install it,
# Playwright's own download otherwise (needs internet). Prints the path the tests will use.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${NNVIZ_CHROMIUM:-}" ] && [ -x "$NNVIZ_CHROMIUM" ]; then
  echo "$NNVIZ_CHROMIUM"; exit 0
fi
if [ -x /usr/bin/chromium ]; then
  echo /usr/bin/chromium; exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
  if [ -x /usr/bin/chromium ]; then echo /usr/bin/chromium; exit 0; fi
fi
.venv/bin/python -m playwright install chromium >&2
echo "playwright-managed"
