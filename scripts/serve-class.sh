#!/usr/bin/env bash
# Serve nnviz to a class: several `panel serve` processes behind nginx on one port.
#   NNVIZ_PORT (8080)     the port students open: http://THIS-MACHINE:8080/app
#   NNVIZ_WORKERS (2)     panel processes (about one per core)
#   NNVIZ_TRAIN_PROCS (0) training worker processes per panel process; 0: sessions that train share
#                         each process's event loop by a budget, which keeps a full class answering
#   NNVIZ_HOSTS           the names/addresses students use, comma-separated (default: this machine's
#                         first address and localhost), each allowed as Host and websocket origin
#   NNVIZ_REDIS_URL       the class bus of a live class (?teach=1) shared by every process; with more
#                         than one worker and no URL, a redis-server of its own on 127.0.0.1 (port + 99)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${NNVIZ_PORT:-8080}
WORKERS=${NNVIZ_WORKERS:-2}
FIRST=$(hostname -I 2>/dev/null | awk '{print $1}')
HOSTS=${NNVIZ_HOSTS:-${FIRST:+$FIRST,}localhost}
bash scripts/setup.sh
if ! command -v nginx >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "nnviz: installing nginx..." >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >&2
  else
    echo "nnviz: nginx is needed (apt-get install nginx)" >&2; exit 1
  fi
fi
if [ "$WORKERS" -gt 1 ] && [ -z "${NNVIZ_REDIS_URL:-}" ] && ! command -v redis-server >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "nnviz: installing redis-server (the class bus between processes)..." >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >&2
    service redis-server stop >/dev/null 2>&1 || true      # the package's own; we start one below
  else
    echo "nnviz: redis-server is needed for a class over several processes (apt-get install redis-server)," \
         "or set NNVIZ_REDIS_URL" >&2; exit 1
  fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
RUN=$(mktemp -d /tmp/nnviz-class.XXXXXX)
ORIGINS=""
for h in ${HOSTS//,/ }; do ORIGINS="$ORIGINS${ORIGINS:+,}$h:$PORT"; done
export NNVIZ_TRAIN_PROCS=${NNVIZ_TRAIN_PROCS:-0}
export BOKEH_ALLOW_WS_ORIGIN="$ORIGINS"        # websocket origins and allowed Host names, one list
PIDS=()
cleanup() { kill "${PIDS[@]}" 2>/dev/null || true; [ -f "$RUN/nginx.pid" ] && kill "$(cat "$RUN/nginx.pid")" 2>/dev/null || true; }
trap cleanup EXIT INT TERM
BASE=$((PORT + 100))
if [ "$WORKERS" -gt 1 ] && [ -z "${NNVIZ_REDIS_URL:-}" ]; then
  REDIS_PORT=$((PORT + 99))
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --loglevel warning &
  PIDS+=($!)
  export NNVIZ_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
fi
UPSTREAMS=""
for i in $(seq 0 $((WORKERS - 1))); do
  p=$((BASE + i))
  .venv/bin/panel serve app.py --setup nnviz/server/startup.py --auth-module nnviz/server/auth.py --address 127.0.0.1 --port "$p" --log-level warning &
  PIDS+=($!)
  UPSTREAMS="$UPSTREAMS        server 127.0.0.1:$p;\n"
done
cp nnviz/server/link-too-long.html "$RUN/"
chmod 755 "$RUN"; chmod 644 "$RUN/link-too-long.html"      # nginx workers read the 414 page
sed -e "s#@RUN@#$RUN#g" -e "s#@LISTEN@#$PORT#g" -e "s#@UPSTREAMS@#$UPSTREAMS#" deploy/nginx.conf.template > "$RUN/nginx.conf"
for i in $(seq 1 100); do                        # wait for every process to answer
  up=0; for j in $(seq 0 $((WORKERS - 1))); do (echo > /dev/tcp/127.0.0.1/$((BASE + j))) 2>/dev/null && up=$((up + 1)); done
  [ "$up" = "$WORKERS" ] && break; sleep 0.2
done
echo "nnviz: $WORKERS processes behind nginx; students open http://${HOSTS%%,*}:$PORT/app" >&2
"$NGINX" -c "$RUN/nginx.conf" -g "daemon off;" &
PIDS+=($!)
wait -n "${PIDS[@]}"
