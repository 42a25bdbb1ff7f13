#!/usr/bin/env bash
# Set everything up and start the playground at http://localhost:5006/app
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/panel serve app.py "$@"
