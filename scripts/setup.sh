#!/usr/bin/env bash
# Installs what pipewatch needs on a fresh Debian/Ubuntu machine, skipping what is already there:
#   system packages: librdkafka1 (the in-process Kafka mock cluster; always),
#                    prometheus (promtool for rule tests) with --test;
#   npm dependencies: `npm ci` from package-lock.json when node_modules is missing or older
#   than the lock file. ci installs exactly the committed lock and never rewrites it, so a fresh
#   clone stays clean (the lock lists every platform's optional native bindings of
#   unrs-resolver; npm installs only this platform's).
# Usage: bash scripts/setup.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(librdkafka1)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(prometheus chromium)
fi

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if ((${#missing[@]} > 0)); then
  echo "setup: installing system packages: ${missing[*]}"
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: apt-get not found; install ${missing[*]} with your package manager" >&2
    exit 1
  fi
  sudo=""
  if [[ "$(id -u)" != "0" ]]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "setup: need root (or sudo) to install ${missing[*]}" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq || { echo "setup: apt-get update failed; check the network" >&2; exit 1; }
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    { echo "setup: apt-get install ${missing[*]} failed" >&2; exit 1; }
fi

if [[ -L node_modules ]]; then
  # A shared install (e.g. a git worktree linking the main checkout's): npm ci would empty it
  # for everyone who links it. Install in the checkout that owns it.
  echo "setup: node_modules is a link to $(readlink node_modules); not reinstalling it here"
elif [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: installing npm dependencies (better-sqlite3 compiles from source: about 2 minutes)"
  npm ci --no-fund --no-audit --loglevel=error
fi
echo "setup: ready"
