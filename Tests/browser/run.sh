#!/bin/sh
# Headless Chromium tests of the inspector pages. Needs Debian's `chromium` (apt-get install -y chromium).
# Screenshots go to test-artifacts/. Usage: Tests/browser/run.sh
set -eu
cd "$(dirname "$0")/../.."
swift build --product hookstash-inspector-fixture
fixture="$(swift build --show-bin-path)/hookstash-inspector-fixture"
mkdir -p test-artifacts
exec python3 Tests/browser/inspector_browser_test.py --fixture "$fixture" --artifacts test-artifacts
