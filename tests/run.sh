#!/usr/bin/env bash
# Install everything the test suite needs (Python packages and Debian's
# Chromium for the browser tests), then run the whole suite.
# Usage: bash tests/run.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."

# Chromium for the browser tests, and a CJK font so Chinese labels render in
# screenshots and charts instead of empty boxes.
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "wenquanyi"; then
    if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei >/dev/null
fi
python -m pip install -q --disable-pip-version-check -e '.[test]'
python -m ruff check .
python -m pytest -n 2 "$@"
