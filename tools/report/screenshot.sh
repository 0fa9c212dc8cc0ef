#!/usr/bin/env bash
# Renders a Spotter HTML report with headless Chromium (Debian package `chromium`) and saves screenshots, at a
# phone's width and at a desktop's, so a person can look at what the coordinator will see.
#
#   tools/report/screenshot.sh REPORT.html [OUT_PREFIX]   → OUT_PREFIX-phone.png, OUT_PREFIX-desktop.png
#
# The report must work offline: Chromium runs with networking to anything but file:// blocked by a proxy that
# does not exist, so an external URL would show as a broken image rather than load.
set -euo pipefail
report=$(realpath "$1")
prefix=${2:-${report%.html}}
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    echo "chromium not found: apt-get install chromium" >&2
    exit 1
fi
shot() {
    "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --proxy-server="127.0.0.1:9" \
        --virtual-time-budget=3000 --window-size="$2" --screenshot="$1" "file://$report$3" >/dev/null 2>&1
    echo "$1"
}
shot "$prefix-phone.png" 412,2400 ""
shot "$prefix-desktop.png" 1280,1600 ""
# The same page sorted by time (the sort buttons' code, run at load by the #sort=time fragment).
shot "$prefix-time.png" 1280,1600 "#sort=time"
