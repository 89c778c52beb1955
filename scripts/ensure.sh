#!/usr/bin/env bash
# Installs whatever trustpath needs that is missing, idempotently, and builds it.
# Fast when everything is already there: every step checks before it acts.
#   apt packages  : scripts/apt-packages/*.txt (one package a line, '#' comments)
#   npm modules   : npm ci when package-lock.json is newer than node_modules
#   TypeScript    : tsc (incremental) into build/
#   native parts  : make in every top-level folder that has a Makefile
#   system user   : the 'trustpath' user the daemon drops to
#   PAM helper    : trustpath-pam-helper setuid into /usr/local/libexec/trustpath, /etc/pam.d/trustpath
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
    ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error # electron: type definitions only here
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

ensure_pam_helper() {
  # The setuid PAM helper (mode 4750 root:trustpath: only the daemon's user may run
  # it) and its PAM service. Installed only when content, owner or mode differ.
  [ "$(id -u)" -eq 0 ] || return 0
  local src=native/out/trustpath-pam-helper dir=/usr/local/libexec/trustpath
  local dst=$dir/trustpath-pam-helper
  [ -f "$src" ] || { say "missing $src (native build failed?)"; return 1; }
  if ! cmp -s "$src" "$dst" || [ "$(stat -c '%U:%G %a' "$dst" 2>/dev/null)" != "root:trustpath 4750" ]; then
    say "installing $dst"
    install -d -m 0755 -o root -g root "$dir"
    cp "$src" "$dst.new"
    chown root:trustpath "$dst.new"
    chmod 4750 "$dst.new" # after chown, which clears the setuid bit
    mv -f "$dst.new" "$dst"
  fi
  if ! cmp -s native/pam-helper/trustpath.pam /etc/pam.d/trustpath; then
    say "installing /etc/pam.d/trustpath"
    install -m 0644 -o root -g root native/pam-helper/trustpath.pam /etc/pam.d/trustpath
  fi
}

ensure_apt
ensure_npm
ensure_user
ensure_build
ensure_pam_helper
