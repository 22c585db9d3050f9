#!/bin/sh
# The CI recipe: start hookstash in the background, wait until it accepts, run the integration (here a small
# sender), assert that the right webhook arrived signed within 10 seconds, stop hookstash, and exit with the
# assertion's status (0: it arrived; 1: it did not, with the nearest misses on stderr).
#
#   HOOKSTASH   the hookstash binary (default: hookstash on PATH)
#   SENDER      what triggers the webhook, given the capture URL as its argument (default: ./send-signed.sh)
#   WEBHOOK_SECRET  the Stripe-style signing secret both sides share (default: a test secret)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
HOOKSTASH=${HOOKSTASH:-hookstash}
SENDER=${SENDER:-$here/send-signed.sh}
WEBHOOK_SECRET=${WEBHOOK_SECRET:-whsec_ci_recipe_test_secret}
export HOOKSTASH WEBHOOK_SECRET

work=$(mktemp -d)
serve_pid=
cleanup() {
    if [ -n "$serve_pid" ]; then
        kill -TERM "$serve_pid" 2>/dev/null || true
        wait "$serve_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# 1. The inbox, on free ports (port 0), checking Stripe signatures with the shared secret.
"$HOOKSTASH" serve --db "$work/hookstash.sqlite" --listen 127.0.0.1:0 --inspect off --quiet \
    --scheme stripe --secret-env WEBHOOK_SECRET --ready-file "$work/ready.json" >"$work/serve.log" 2>&1 &
serve_pid=$!

# 2. Ready: the file exists once the listener accepts; it names the real port.
if ! "$HOOKSTASH" wait-ready --ready-file "$work/ready.json" --timeout 30s; then
    cat "$work/serve.log" >&2
    exit 1
fi
capture_url=$(sed -n 's/.*"capture_url": "\([^"]*\)".*/\1/p' "$work/ready.json")

# 3. The integration under test sends its webhook (in the background, as a real one would, some time later).
"$SENDER" "$capture_url/webhooks/stripe" &
sender_pid=$!

# 4. The assertion: a signed invoice event arrives within 10 s (the store is fresh: every capture counts).
status=0
"$HOOKSTASH" expect --db "$work/hookstash.sqlite" --since-id 0 --within 10s \
    --method POST --path '/webhooks/stripe' --json '/type = invoice.*' --signature valid || status=$?
wait "$sender_pid" || true
exit "$status"
