#!/usr/bin/env bash
# Installs what the tests need from the system's packages, once: nothing here is done by hand.
# PostgreSQL's server binaries (the store's server tests) and Chromium (the newsletter page test).
set -euo pipefail
need=()
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  need+=(postgresql)
fi
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing for the tests: ${need[*]}"
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 \
      || echo "Could not install ${need[*]}: the tests that need them will skip and say so."
  else
    echo "Not root or no apt-get: tests needing ${need[*]} will skip and say so."
  fi
fi
