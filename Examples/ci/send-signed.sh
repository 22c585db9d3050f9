#!/bin/sh
# A stand-in for the integration under test: posts a Stripe-style signed event to the URL given.
set -eu
url=$1
body=$(mktemp)
trap 'rm -f "$body"' EXIT
printf '{"id":"evt_ci_1","type":"invoice.paid","data":{"object":{"id":"in_1"}}}' >"$body"
signature=$("$HOOKSTASH" sign --scheme stripe --secret-env WEBHOOK_SECRET --body "$body")
curl --silent --show-error --fail --output /dev/null \
    -H 'Content-Type: application/json' -H "$signature" --data-binary "@$body" "$url"
