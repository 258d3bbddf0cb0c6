#!/usr/bin/env bash
# The system programs the tests drive, checked before `npm test` and by CI (.ci/run):
# Chromium for the browser tests; redis-server and nginx for the multi-process tests;
# openssl for their self-signed certificate. As root on Debian/Ubuntu the missing ones
# are installed with apt-get; otherwise this stops at once with the exact command to run.
set -euo pipefail

need=()
command -v "${CHROMIUM_PATH:-/usr/bin/chromium}" >/dev/null 2>&1 || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
# nginx lives in /usr/sbin, which a non-login PATH may lack.
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# promtool (checks deploy/prometheus) comes with Debian's prometheus package.
command -v promtool >/dev/null 2>&1 || need+=(prometheus)

if [ "${#need[@]}" -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing test dependencies: ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
else
  echo "The tests need: ${need[*]}. Install with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
