#!/usr/bin/env bash
# Installs the Debian 12 packages HubDiffer builds and tests against, when they are missing.
# Safe to run again: it installs nothing that is already there.
# The tests start their own nginx (/usr/sbin/nginx), redis-server and python3 on free loopback
# ports, and use the curl CLI as a client.
set -euo pipefail
packages=(pkg-config libxml2-dev libcurl4-openssl-dev libhiredis-dev libxxhash-dev python3 redis-server nginx curl)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}" >&2
run() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
run apt-get update -q
run apt-get install -y -q --no-install-recommends "${missing[@]}"
# Debian starts the system nginx (port 80) on install; the tests do not need it.
for package in "${missing[@]}"; do
  if [ "$package" = nginx ]; then
    if command -v systemctl >/dev/null 2>&1; then run systemctl disable --now nginx 2>/dev/null || true; fi
  fi
done
