#!/usr/bin/env bash
# Set everything up and run every test, the browser tests in headless Chromium included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/browser.sh >/dev/null
bash scripts/nginx.sh
bash scripts/redis.sh
exec .venv/bin/python -m pytest "$@"
