#!/usr/bin/env bash
# Install what nnviz needs into ./.venv, at the versions CI tests (constraints.txt); safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "nnviz: first run: creating .venv and installing panel, bokeh, numpy and the test tools (a minute or two)..." >&2
  "$PY" -m venv .venv
else
  echo "nnviz: checking the packages in .venv..." >&2
fi
.venv/bin/python -m pip install --disable-pip-version-check -q -r requirements.txt -c constraints.txt
echo "nnviz: packages ready." >&2
