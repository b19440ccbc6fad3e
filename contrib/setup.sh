#!/bin/sh
# contrib/setup.sh: install what clerkd needs to build, test and demo
# (Debian 12 or later; run as root or with sudo), then build it in place.
# Safe to run again: it installs only what is missing and rebuilds what changed.
set -eu
cd "$(dirname "$0")/.."

PKGS="build-essential autoconf automake libtool pkg-config
libglib2.0-dev libgmime-3.0-dev libetpan-dev libcurl4-gnutls-dev libgnutls28-dev
libsqlite3-dev libxml2-dev libjson-glib-dev libsystemd-dev sqlite3 openssl
dovecot-imapd dovecot-lmtpd dovecot-submissiond postfix valgrind clang libclang-rt-dev python3
groff-base man-db chromium libxml2-utils libical-dev python3-icalendar
libcairo2-dev libpango1.0-dev fonts-dejavu-core fonts-noto-cjk poppler-utils libarchive-dev
libpoppler-glib-dev python3-gi gir1.2-poppler-0.18"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	SUDO=""
	[ "$(id -u)" = 0 ] || SUDO=sudo
	echo "setup: installing:$missing"
	$SUDO apt-get update -q
	# Postfix is here for smtp-sink, the tests' SMTP receiver: no system mail service.
	echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
fi

[ -x configure ] && [ configure -nt configure.ac ] && [ configure -nt Makefile.am ] || autoreconf -fi
[ -f Makefile ] && [ Makefile -nt configure ] || ./configure --enable-werror ${CONFIGURE_FLAGS:-}
make -j"$(nproc)"
