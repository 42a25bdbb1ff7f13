#!/usr/bin/env bash
# Make sure nginx exists for the deployment test: Debian's package where we can install it.
# Not fatal: without nginx the proxy test says it did not run.
cd "$(dirname "$0")/.."
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "nnviz: installing nginx for the deployment test..." >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx) >/dev/null 2>&1 \
    || echo "nnviz: nginx could not be installed; the proxy test will say it did not run" >&2
  service nginx stop >/dev/null 2>&1 || true      # the package starts one on port 80; the test runs its own
fi
exit 0
