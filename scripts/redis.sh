#!/usr/bin/env bash
# Make sure redis-server exists for the class bus tests: Debian's package where we can install it.
# Not fatal: without it the Redis tests say they did not run (the in-memory bus is tested anyway).
cd "$(dirname "$0")/.."
command -v redis-server >/dev/null 2>&1 && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "nnviz: installing redis-server for the class bus tests..." >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >/dev/null 2>&1 \
    || echo "nnviz: redis-server could not be installed; the Redis tests will say they did not run" >&2
  service redis-server stop >/dev/null 2>&1 || true   # the package may start one on 6379; the tests run their own
fi
exit 0
