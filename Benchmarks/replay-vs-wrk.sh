#!/bin/sh
# Bulk replay of 100,000 captures with 16 concurrent transfers, as a ratio to wrk with 16 connections, against the
# same local nginx in the same run. Needs nginx and wrk (Debian: apt-get install nginx-light wrk).
#   Benchmarks/replay-vs-wrk.sh [captures] [concurrency]
set -eu
cd "$(dirname "$0")/.."
CAPTURES=${1:-100000}
CONCURRENCY=${2:-16}
PORT=${BENCH_PORT:-18089}
WORK=$(mktemp -d)
trap 'nginx -p "$WORK" -c "$WORK/nginx.conf" -s stop 2>/dev/null || true; rm -rf "$WORK"' EXIT

cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
error_log $WORK/error.log;
pid $WORK/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $WORK;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$PORT;
        location / { return 200 "ok"; }
    }
}
CONF
nginx -p "$WORK" -c "$WORK/nginx.conf"
sleep 0.5

# The benchmark lives in the benchmarks package (Benchmarks/Package.swift), outside the main package graph.
swift build -c release --package-path Benchmarks --product hookstash-replay-bench >/dev/null
"$(swift build -c release --package-path Benchmarks --show-bin-path)/hookstash-replay-bench" \
    --to "http://127.0.0.1:$PORT/webhooks/front" --captures "$CAPTURES" --concurrency "$CONCURRENCY"
