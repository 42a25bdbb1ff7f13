#!/usr/bin/env bash
# Set everything up and start the playground at http://localhost:5006/app
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Listens on this machine only; to open it to a classroom see README, "Host it for a class".
exec .venv/bin/panel serve app.py --address 127.0.0.1 --setup nnviz/server/startup.py --auth-module nnviz/server/auth.py "$@"
