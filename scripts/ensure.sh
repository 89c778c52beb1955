#!/usr/bin/env bash
# Installs whatever trustpath needs that is missing, idempotently, and builds it.
# Fast when everything is already there: every step checks before it acts.
#   apt packages  : scripts/apt-packages/*.txt (one package a line, '#' comments)
#   npm modules   : npm ci when package-lock.json is newer than node_modules
#   TypeScript    : tsc (incremental) into build/
#   native parts  : make in every top-level folder that has a Makefile
#   system user   : the 'trustpath' user the daemon drops to
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf 'ensure: %s\n' "$*" >&2; }

ensure_apt() {
  local want=() missing=() pkg
  mapfile -t want < <(cat scripts/apt-packages/*.txt | sed 's/#.*//' | tr -s ' \t' '\n' | sed '/^$/d' | sort -u)
  for pkg in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    say "missing Debian packages (run as root to install): ${missing[*]}"; return 1
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_npm() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm dependencies"
    npm ci --no-audit --no-fund --loglevel=error
    touch node_modules/.package-lock.json
  fi
}

ensure_build() {
  node_modules/.bin/tsc -p tsconfig.json
  local dir
  for dir in native xserver-ext prompt-ui; do
    if [ -f "$dir/Makefile" ]; then make -s -C "$dir"; fi
  done
}

ensure_user() {
  [ "$(id -u)" -eq 0 ] || return 0
  getent passwd trustpath >/dev/null && return 0
  say "creating the 'trustpath' system user"
  useradd --system --user-group --home-dir /nonexistent --no-create-home \
    --shell /usr/sbin/nologin --comment "trustpath authority" trustpath
}

ensure_apt
ensure_npm
ensure_user
ensure_build
