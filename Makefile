# trustpath: build, install and package (see docs/admin-guide.md).
#   make                        build everything (TypeScript, native helpers, Xorg module)
#   make install                install into PREFIX (default /usr); as root without DESTDIR
#                               this is a live install: polkitd's bus and unit files are
#                               diverted aside, the 'trustpath' user and directories made
#   make uninstall [PURGE=yes]  remove it again and restore polkitd's files
#   make deb                    build the Debian package into build/deb/ (packaging/build-deb.sh)
# Paths follow the GNU conventions and may each be overridden (make install UNITDIR=...).
# Needs the npm modules (npm ci, or npm run ensure) before `make`.
PREFIX ?= /usr
DESTDIR ?=
SYSCONFDIR ?= /etc
BINDIR ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
PKGLIBDIR ?= $(PREFIX)/lib/trustpath
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
DOCDIR ?= $(DATADIR)/doc/trustpath
XORGMODULEDIR ?= $(shell pkg-config --variable=moduledir xorg-server 2>/dev/null || echo /usr/lib/xorg/modules)
XORGCONFDIR ?= $(SYSCONFDIR)/X11/xorg.conf.d
# The Node runtime copied to PKGLIBDIR/node (BUNDLE_NODE=no: the wrappers run NODE itself).
NODE ?= $(shell command -v node)
BUNDLE_NODE ?= yes

# The distribution prefix uses systemd's and dbus-daemon's own directories; any other
# prefix uses the directories those programs read for locally installed software.
ifeq ($(PREFIX),/usr)
UNITDIR ?= $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)
SYSUSERSDIR ?= /usr/lib/sysusers.d
TMPFILESDIR ?= /usr/lib/tmpfiles.d
DBUSPOLICYDIR ?= /usr/share/dbus-1/system.d
else
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
DBUSPOLICYDIR ?= $(SYSCONFDIR)/dbus-1/system.d
endif
DBUSSERVICEDIR ?= $(DATADIR)/dbus-1/system-services

INSTALL_VARS = DESTDIR='$(DESTDIR)' PREFIX='$(PREFIX)' SYSCONFDIR='$(SYSCONFDIR)' BINDIR='$(BINDIR)' \
  LIBEXECDIR='$(LIBEXECDIR)' PKGLIBDIR='$(PKGLIBDIR)' DATADIR='$(DATADIR)' MANDIR='$(MANDIR)' \
  DOCDIR='$(DOCDIR)' UNITDIR='$(UNITDIR)' SYSUSERSDIR='$(SYSUSERSDIR)' TMPFILESDIR='$(TMPFILESDIR)' \
  DBUSPOLICYDIR='$(DBUSPOLICYDIR)' DBUSSERVICEDIR='$(DBUSSERVICEDIR)' XORGMODULEDIR='$(XORGMODULEDIR)' \
  XORGCONFDIR='$(XORGCONFDIR)' NODE='$(NODE)' BUNDLE_NODE='$(BUNDLE_NODE)' PURGE='$(PURGE)'

all:
	@test -d node_modules || { echo 'make: node_modules is missing; run npm ci first' >&2; exit 1; }
	node_modules/.bin/tsc -p tsconfig.json
	@for d in native xserver-ext prompt-ui; do \
	  if [ -f $$d/Makefile ]; then $(MAKE) -s -C $$d || exit 1; fi; \
	done

install:
	$(INSTALL_VARS) sh packaging/install.sh install

uninstall:
	$(INSTALL_VARS) sh packaging/install.sh uninstall

deb: all
	bash packaging/build-deb.sh build/deb

.PHONY: all install uninstall deb
