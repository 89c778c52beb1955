#!/bin/sh
# Installs or uninstalls a built trustpath checkout: `packaging/install.sh install|uninstall`.
# The root Makefile passes every path in the environment (PREFIX, DESTDIR, ...).
#
# With DESTDIR set (packaging) only files are written, the PAM helper without its
# setuid bit (the package sets mode 4750 root:trustpath with dpkg-statoverride).
# Without DESTDIR (a live install, as root) it also: diverts polkitd's bus activation
# file, bus policy and polkit.service aside (dpkg-divert --local where dpkg exists, so
# that polkitd's own upgrades land beside them), creates the 'trustpath' user and its
# directories, makes the helper setuid and asks dbus-daemon and systemd to reload.
# Uninstall removes every file install wrote and restores polkitd's files; the user
# and the state directory stay unless PURGE=yes (as with apt remove / purge).
set -eu
cd "$(dirname "$0")/.."
action=${1:-}
say() { printf 'trustpath %s: %s\n' "$action" "$*" >&2; }
die() { say "$*"; exit 1; }

: "${DESTDIR:=}" "${PREFIX:=/usr}" "${SYSCONFDIR:=/etc}" "${PURGE:=no}" "${BUNDLE_NODE:=yes}"
: "${BINDIR:=$PREFIX/bin}" "${LIBEXECDIR:=$PREFIX/libexec}" "${PKGLIBDIR:=$PREFIX/lib/trustpath}"
: "${DATADIR:=$PREFIX/share}" "${MANDIR:=$DATADIR/man}" "${DOCDIR:=$DATADIR/doc/trustpath}"
: "${UNITDIR:=$PREFIX/lib/systemd/system}" "${SYSUSERSDIR:=$PREFIX/lib/sysusers.d}" "${TMPFILESDIR:=$PREFIX/lib/tmpfiles.d}"
: "${DBUSPOLICYDIR:=$DATADIR/dbus-1/system.d}" "${DBUSSERVICEDIR:=$DATADIR/dbus-1/system-services}"
: "${XORGMODULEDIR:=/usr/lib/xorg/modules}" "${XORGCONFDIR:=$SYSCONFDIR/X11/xorg.conf.d}"
: "${STATEDIR:=/var/lib/trustpath}" "${RUNTIMEDIR:=/run/trustpath}" "${NODE:=$(command -v node || true)}"

HELPERDIR=$LIBEXECDIR/trustpath
PROMPTDIR=$DATADIR/trustpath/prompt-ui
# Binaries of native/out installed into HELPERDIR when built (others add them as they land).
NATIVE_PROGRAMS="trustpath-input trustpath-sak-listen"
# The prompt app as prompt-ui/Makefile builds it (page/ for Chromium, js/ for Electron).
PROMPT_APP=prompt-ui/out/app
# polkitd's files that trustpath's replace (Debian's paths); kept aside as FILE.polkitd.
: "${POLKITD_FILES:=/usr/share/dbus-1/system-services/org.freedesktop.PolicyKit1.service
  /usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf /lib/systemd/system/polkit.service}"
# trustpath's files of the same names, where this PREFIX puts them.
POLKIT_NAMED="$DBUSSERVICEDIR/org.freedesktop.PolicyKit1.service $DBUSPOLICYDIR/org.freedesktop.PolicyKit1.conf $UNITDIR/polkit.service"
# Directories that belong to trustpath alone (removed whole on uninstall).
OWN_DIRS="$PKGLIBDIR $HELPERDIR $DATADIR/trustpath $DOCDIR"
OWN_FILES="$BINDIR/trustpath $SYSCONFDIR/pam.d/trustpath $UNITDIR/trustpath.service
  $SYSUSERSDIR/trustpath.conf $TMPFILESDIR/trustpath.conf $XORGMODULEDIR/extensions/trustpath.so
  $XORGCONFDIR/50-trustpath.conf $MANDIR/man8/trustpathd.8 $MANDIR/man1/trustpath.1"

live() { [ -z "$DESTDIR" ]; }
node_path() { if [ "$BUNDLE_NODE" = yes ]; then echo "$PKGLIBDIR/node"; else echo "$NODE"; fi; }

# Directories a live install created, kept as PKGLIBDIR/installed-dirs so that uninstall
# removes them again, and only them: an empty directory that was there before (say
# /etc/X11/xorg.conf.d) stays. (A package manager tracks this itself for DESTDIR trees.)
CREATED_LIST=installed-dirs
CREATED=$(mktemp)
trap 'rm -f "$CREATED"' EXIT

# mkdir -p that notes each directory it makes (paths without DESTDIR).
mkparents() {
  d=$1 missing=
  while [ "$d" != / ] && [ ! -d "$DESTDIR$d" ]; do missing="$d${missing:+ $missing}"; d=$(dirname "$d"); done
  for m in $missing; do mkdir "$DESTDIR$m"; echo "$m" >> "$CREATED"; done
}

# Copies FILE to DESTDIR+DEST with MODE, replacing @VARS@ with the installed paths.
subst() {
  mkparents "$(dirname "$2")"
  sed -e "s|@LIBEXECDIR@|$LIBEXECDIR|g" -e "s|@PKGLIBDIR@|$PKGLIBDIR|g" -e "s|@NODE@|$(node_path)|g" \
    -e "s|@DOCDIR@|$DOCDIR|g" "$1" > "$DESTDIR$2"
  chmod "$3" "$DESTDIR$2"
}
put() { mkparents "$(dirname "$3")"; install -m "$2" "$1" "$DESTDIR$3"; }

check_built() {
  for f in build/agent/src/trustpathd.js native/out/trustpath-pam-helper xserver-ext/out/trustpath.so node_modules/.package-lock.json; do
    [ -e "$f" ] || die "$f is missing: build first (npm ci, then make)"
  done
  [ -x "$NODE" ] || die "no node runtime found (set NODE=/path/to/node)"
  "$NODE" -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' ||
    die "$NODE is older than Node 20, which trustpath needs"
}

# The compiled daemon, CLI, policy library and prompt code, without tests and source maps.
install_code() {
  dst=$DESTDIR$PKGLIBDIR
  rm -rf "$dst"
  mkparents "$PKGLIBDIR"
  mkdir -p "$dst/build" "$dst/node_modules"
  put package.json 0644 "$PKGLIBDIR/package.json"
  for part in agent policy prompt-ui; do
    [ -d "build/$part" ] || continue
    (cd build && find "$part" -type f -name '*.js' ! -name '*.test.js' ! -name '*.test-support.js' \
      ! -path '*/test/*' -print) | while read -r f; do put "build/$f" 0644 "$PKGLIBDIR/build/$f"; done
  done
  node packaging/prod-modules.mjs | while read -r m; do
    mkdir -p "$dst/$(dirname "$m")"
    cp -R "$m" "$dst/$m"
  done
  # Compiler intermediates of native addons, the modules' own tests, examples and
  # publishing files are not needed at run time.
  find "$dst/node_modules" -mindepth 2 -depth \( -name obj.target -o -name .deps -o -name test -o -name tests \
    -o -name example -o -name examples -o -name .github \) -type d -exec rm -rf {} +
  find "$dst/node_modules" \( -name .npmignore -o -name .travis.yml -o -name .eslintrc\* \) -type f -delete
  chmod -R u=rwX,go=rX "$dst"
  if [ "$BUNDLE_NODE" = yes ]; then put "$NODE" 0755 "$PKGLIBDIR/node"; fi
}

install_helpers() {
  subst packaging/trustpathd.in "$HELPERDIR/trustpathd" 0755
  subst packaging/trustpath.in "$BINDIR/trustpath" 0755
  put native/out/trustpath-pam-helper 0755 "$HELPERDIR/trustpath-pam-helper"
  for p in $NATIVE_PROGRAMS; do
    if [ -f "native/out/$p" ]; then put "native/out/$p" 0755 "$HELPERDIR/$p"; fi
  done
  put native/pam-helper/trustpath.pam 0644 "$SYSCONFDIR/pam.d/trustpath"
}

install_system() {
  subst packaging/systemd/trustpath.service "$UNITDIR/trustpath.service" 0644
  ln -sfn trustpath.service "$DESTDIR$UNITDIR/polkit.service"
  put packaging/sysusers.conf 0644 "$SYSUSERSDIR/trustpath.conf"
  put packaging/tmpfiles.conf 0644 "$TMPFILESDIR/trustpath.conf"
  put packaging/dbus/org.freedesktop.PolicyKit1.conf 0644 "$DBUSPOLICYDIR/org.freedesktop.PolicyKit1.conf"
  subst packaging/dbus/org.freedesktop.PolicyKit1.service "$DBUSSERVICEDIR/org.freedesktop.PolicyKit1.service" 0644
  put xserver-ext/out/trustpath.so 0644 "$XORGMODULEDIR/extensions/trustpath.so"
  put xserver-ext/conf/50-trustpath.conf 0644 "$XORGCONFDIR/50-trustpath.conf"
}

install_docs() {
  put docs/man/trustpathd.8 0644 "$MANDIR/man8/trustpathd.8"
  put docs/man/trustpath.1 0644 "$MANDIR/man1/trustpath.1"
  put docs/admin-guide.md 0644 "$DOCDIR/admin-guide.md"
  if [ -d "$PROMPT_APP" ]; then
    (cd "$PROMPT_APP" && find . -type f ! -name .built -print | sed 's|^\./||') | while read -r f; do put "$PROMPT_APP/$f" 0644 "$PROMPTDIR/$f"; done
    # Code that finds the app beside the checkout's build/ finds it here too.
    mkparents "$PKGLIBDIR/$(dirname "$PROMPT_APP")"
    ln -sfn "$PROMPTDIR" "$DESTDIR$PKGLIBDIR/$PROMPT_APP"
  fi
}

# polkitd's files move aside (FILE.polkitd, a name neither dbus-daemon nor systemd loads).
divert_polkit() {
  for f in $POLKITD_FILES; do
    if command -v dpkg-divert >/dev/null; then
      dpkg-divert --local --rename --divert "$f.polkitd" --add "$f" >/dev/null
    elif [ -e "$f" ] && [ ! -e "$f.polkitd" ]; then
      mv "$f" "$f.polkitd"
    fi
  done
}

undivert_polkit() {
  for f in $POLKITD_FILES; do
    if command -v dpkg-divert >/dev/null; then
      if dpkg-divert --listpackage "$f" | grep -qx LOCAL; then
        dpkg-divert --local --rename --remove "$f" >/dev/null
      fi
    elif [ -e "$f.polkitd" ] && [ ! -e "$f" ]; then
      mv "$f.polkitd" "$f"
    fi
  done
}

setup_live() {
  if command -v systemd-sysusers >/dev/null; then
    systemd-sysusers "$SYSUSERSDIR/trustpath.conf"
  elif ! getent passwd trustpath >/dev/null; then
    useradd --system --user-group --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin --comment "trustpath authority" trustpath
  fi
  if command -v systemd-tmpfiles >/dev/null; then
    systemd-tmpfiles --create "$TMPFILESDIR/trustpath.conf"
  else
    install -d -m 0700 -o trustpath -g trustpath "$STATEDIR" "$RUNTIMEDIR"
  fi
  chown root:trustpath "$HELPERDIR/trustpath-pam-helper"
  chmod 4750 "$HELPERDIR/trustpath-pam-helper" # after chown, which clears the setuid bit
  reload_services
}

# A running bus rereads its policy (the 'trustpath' user may be new); systemd its units.
reload_services() {
  if [ -S /run/dbus/system_bus_socket ]; then
    dbus-send --system --type=method_call --dest=org.freedesktop.DBus / org.freedesktop.DBus.ReloadConfig 2>/dev/null ||
      say "could not ask the system bus to reload its configuration"
  fi
  if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
}

do_install() {
  check_built
  if ! live; then mkdir -p "$DESTDIR"; fi
  if live; then
    [ "$(id -u)" -eq 0 ] || die "a live install (no DESTDIR) needs root"
    if dpkg-query -W -f='${Status}' trustpath 2>/dev/null | grep -q 'ok installed'; then
      die "the trustpath Debian package is installed; remove it before make install"
    fi
    divert_polkit
    # A reinstall keeps the first install's list: those directories are still ours.
    if [ -f "$PKGLIBDIR/$CREATED_LIST" ]; then cp "$PKGLIBDIR/$CREATED_LIST" "$CREATED"; fi
  fi
  install_code
  install_helpers
  install_system
  install_docs
  if live; then
    cp "$CREATED" "$PKGLIBDIR/$CREATED_LIST"
    chmod 0644 "$PKGLIBDIR/$CREATED_LIST"
    setup_live
  fi
  say "done (PREFIX=$PREFIX${DESTDIR:+ DESTDIR=$DESTDIR})"
}

do_uninstall() {
  if [ -f "$DESTDIR$PKGLIBDIR/$CREATED_LIST" ]; then cp "$DESTDIR$PKGLIBDIR/$CREATED_LIST" "$CREATED"; fi
  for d in $OWN_DIRS; do
    case "$d" in */trustpath) rm -rf "$DESTDIR$d" ;; *) die "refusing to remove $d (not a trustpath directory)" ;; esac
  done
  for f in $OWN_FILES $POLKIT_NAMED; do
    # polkit.service and the bus files are ours only where our install put them.
    case "$f" in
      */polkit.service) [ -L "$DESTDIR$f" ] && rm -f "$DESTDIR$f" ;;
      *org.freedesktop.PolicyKit1.*) grep -qs trustpath "$DESTDIR$f" && rm -f "$DESTDIR$f" ;;
      *) rm -f "$DESTDIR$f" ;;
    esac
  done
  # Deepest first; a directory that holds anything else now is left alone.
  sort -ru "$CREATED" | while read -r d; do rmdir "$DESTDIR$d" 2>/dev/null || true; done
  if live; then
    undivert_polkit
    if [ "$PURGE" = yes ]; then rm -rf "$STATEDIR" "$RUNTIMEDIR"; fi
    reload_services
  fi
  say "done${DESTDIR:+ (DESTDIR=$DESTDIR)}"
}

case "$action" in
  install) do_install ;;
  uninstall) do_uninstall ;;
  *) die "usage: packaging/install.sh install|uninstall (run by make install / make uninstall)" ;;
esac
