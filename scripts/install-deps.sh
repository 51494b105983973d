#!/usr/bin/env bash
# Installs the Debian 12 packages HubDiffer builds and tests against, when they are missing.
# Safe to run again: it installs nothing that is already there.
set -euo pipefail
packages=(pkg-config libxml2-dev libcurl4-openssl-dev libhiredis-dev libxxhash-dev python3 redis-server)
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
