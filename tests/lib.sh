# tests/lib.sh: real servers for end-to-end tests, started and stopped here.
#   . "$top_srcdir/tests/lib.sh"; servers_start; deliver FILE...; run_clerkd; ...
# A throwaway Dovecot (IMAP) and Postfix's smtp-sink (SMTP), both on loopback
# high ports, in a private directory that is removed on exit.

set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
CLERKD="$top_builddir/src/clerkd"
CLERKCTL="$top_builddir/src/clerkctl"
MAILCAT="$top_builddir/tests/mailcat"
DATA="$top_srcdir/tests/data"

# ---- TAP ----
T_N=0
T_FAILED=0
ok() {	# ok DESCRIPTION COMMAND...
	local desc=$1; shift
	T_N=$((T_N + 1))
	if "$@" >/dev/null 2>&1; then
		echo "ok $T_N - $desc"
	else
		echo "not ok $T_N - $desc"
		T_FAILED=$((T_FAILED + 1))
	fi
}
is() {	# is DESCRIPTION GOT EXPECTED
	T_N=$((T_N + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $T_N - $1"
	else
		echo "not ok $T_N - $1"
		echo "# got:      '$2'"
		echo "# expected: '$3'"
		T_FAILED=$((T_FAILED + 1))
	fi
}
done_testing() {
	# Every mail clerkd sent, and every one a test read, decodes strictly in
	# the charsets it declares (tests/mailcat.c).
	if [ -n "${T:-}" ] && [ -d "$T/sink" ]; then
		is "every mail sent is valid in the charsets it declares" \
			"$(! ls "$T"/sink/* >/dev/null 2>&1 || "$MAILCAT" --check "$T"/sink/* 2>&1 | head -5)" ""
		ok "no mail read by the test was mislabelled" test ! -s "$MAILCAT_ERRORS"
		[ -s "$MAILCAT_ERRORS" ] && sed 's/^/# /' "$MAILCAT_ERRORS" | head -5
	fi
	echo "1..$T_N"
	[ "$T_FAILED" -eq 0 ]
}
bail() {
	echo "Bail out! $*"
	exit 1
}

# ---- ports and users ----
port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
pick_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 30000))
		port_free "$p" && { echo "$p"; return 0; }
	done
	return 1
}
wait_port() {	# wait_port PORT: until something listens (5 s at most)
	for _ in $(seq 1 100); do
		port_free "$1" || return 0
		sleep 0.05
	done
	return 1
}
if [ "$(id -u)" = 0 ]; then
	MAIL_USER=nobody
	MAIL_GROUP=$(id -gn nobody)
else
	MAIL_USER=$(id -un)
	MAIL_GROUP=$(id -gn)
fi

# ---- the servers ----
servers_start() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/clerkd-test.XXXXXX")
	chmod 755 "$T"
	trap servers_stop EXIT
	mkdir -p "$T/run" "$T/state" "$T/mail" "$T/sink" "$T/store"
	export MAILCAT_ERRORS="$T/mailcat-errors"
	chown "$MAIL_USER:$MAIL_GROUP" "$T/mail"
	chmod 777 "$T/sink"
	IMAP_PORT=$(pick_port) || bail "no free port"
	SMTP_PORT=$(pick_port) || bail "no free port"
	IMAP_PASS=secret-$RANDOM$RANDOM
	printf 'clerk:{PLAIN}%s\n' "$IMAP_PASS" >"$T/users"
	printf '%s\n' "$IMAP_PASS" >"$T/imap.pass"
	chmod 600 "$T/imap.pass"
	IMAPS_PORT=$(pick_port) || bail "no free port"
	for try in 1 2 3; do
		dovecot_config
		dovecot -F -c "$T/dovecot.conf" >>"$T/dovecot.out" 2>&1 &
		DOVECOT_PID=$!
		wait_port "$IMAP_PORT" && kill -0 "$DOVECOT_PID" 2>/dev/null && break
		kill "$DOVECOT_PID" 2>/dev/null
		wait "$DOVECOT_PID" 2>/dev/null
		[ "$try" = 3 ] && { cat "$T/dovecot.out" "$T/dovecot.log" 2>/dev/null; bail "dovecot did not start"; }
		IMAP_PORT=$(pick_port) || bail "no free port"
		IMAPS_PORT=$(pick_port) || bail "no free port"
	done
	sink_start
	write_config
}

# TLS_CERT and TLS_KEY, when set, give Dovecot an imaps listener on IMAPS_PORT.
# IMAP_CAPABILITY, when set, is what Dovecot advertises after login (e.g. a
# list without UIDPLUS and MOVE, as older or smaller servers do).
dovecot_config() {
	local ssl="ssl = no" caps=""
	[ -n "${IMAP_CAPABILITY:-}" ] && caps="imap_capability = $IMAP_CAPABILITY"
	[ -n "${TLS_CERT:-}" ] && ssl="ssl = yes
ssl_cert = <$TLS_CERT
ssl_key = <$TLS_KEY"
	cat >"$T/dovecot.conf" <<EOC
base_dir = $T/run
state_dir = $T/state
log_path = $T/dovecot.log
protocols = imap
listen = 127.0.0.1
$ssl
disable_plaintext_auth = no
auth_username_format = %Ln
default_login_user = $MAIL_USER
default_internal_user = $MAIL_USER
default_internal_group = $MAIL_GROUP
mail_location = maildir:$T/mail/%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN $T/users
}
userdb {
  driver = static
  args = uid=$MAIL_USER gid=$MAIL_GROUP home=$T/mail/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = $([ -n "${TLS_CERT:-}" ] && echo "$IMAPS_PORT" || echo 0)
  }
}
service anvil {
  chroot =
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
auth_failure_delay = 0
$caps
EOC
}

dovecot_restart() {	# with the current TLS_CERT/TLS_KEY
	kill "$DOVECOT_PID" 2>/dev/null
	wait "$DOVECOT_PID" 2>/dev/null
	for _ in $(seq 1 100); do port_free "$IMAP_PORT" && break; sleep 0.05; done
	dovecot_config
	dovecot -F -c "$T/dovecot.conf" >>"$T/dovecot.out" 2>&1 &
	DOVECOT_PID=$!
	wait_port "$IMAP_PORT" || bail "dovecot did not restart"
}

sink_start() {	# sink_start [SMTP-SINK OPTIONS]: e.g. -r RCPT (4xx), -f RCPT (5xx)
	local u="" try
	[ "$(id -u)" = 0 ] && u="-u $MAIL_USER"
	for try in 1 2 3; do
		# shellcheck disable=SC2086
		smtp-sink $u "$@" -d "$T/sink/%H%M%S." "127.0.0.1:$SMTP_PORT" 100 >>"$T/sink.out" 2>&1 &
		SINK_PID=$!
		wait_port "$SMTP_PORT" && kill -0 "$SINK_PID" 2>/dev/null && return 0
		# The port was taken meanwhile (tests run in parallel): another one.
		kill "$SINK_PID" 2>/dev/null
		SMTP_PORT=$(pick_port) || break
		[ -f "$T/clerkd.conf" ] && sed -i "s|^url = smtp://127.0.0.1:.*|url = smtp://127.0.0.1:$SMTP_PORT|" "$T/clerkd.conf"
	done
	cat "$T/sink.out"
	bail "smtp-sink did not start"
}

sink_stop() {
	[ -n "${SINK_PID:-}" ] && kill "$SINK_PID" 2>/dev/null && wait "$SINK_PID" 2>/dev/null
	SINK_PID=
	for _ in $(seq 1 100); do port_free "$SMTP_PORT" && return 0; sleep 0.05; done
}
sink_restart() {	# sink_restart [SMTP-SINK OPTIONS]
	sink_stop
	sink_start "$@"
}
sql() {
	sqlite3 "$T/store/clerkd.db" "$@"
}

servers_stop() {
	sink_stop
	if [ -n "${DOVECOT_PID:-}" ]; then
		kill "$DOVECOT_PID" 2>/dev/null
		wait "$DOVECOT_PID" 2>/dev/null
	fi
	if [ "${KEEP_TEST_DIR:-}" = 1 ] || [ "$T_FAILED" -gt 0 ]; then
		echo "# test directory kept: $T"
		[ "$T_FAILED" -gt 0 ] && [ -f "$T/dovecot.log" ] &&
			sed 's/^/# dovecot: /' "$T/dovecot.log" | tail -20
	else
		rm -rf "$T"
	fi
}

write_config() {
	cat >"$T/clerkd.conf" <<EOC
# written by tests/lib.sh
[imap]
url = imap://127.0.0.1:$IMAP_PORT
user = clerk
password_file = imap.pass
mailbox = INBOX

[smtp]
url = smtp://127.0.0.1:$SMTP_PORT
from = Exchange Clerkship Program <clerkship@example.edu>

[store]
database = store/clerkd.db
documents = store/documents

[rules]
directory = $top_srcdir/rules

[staff]
addresses = registrar@example.edu

# No daily digest but in tests/e2e_digest.sh (it would add a mail to a run).
[digest]
hour = off
EOC
}

# ---- mail in ----
deliver() {	# deliver FILE...: in order, through Dovecot's LDA
	local f
	for f in "$@"; do
		/usr/lib/dovecot/dovecot-lda -c "$T/dovecot.conf" -d clerk -f sender@example.org <"$f" ||
			bail "dovecot-lda failed for $f"
	done
	[ "$(id -u)" = 0 ] && chown -R "$MAIL_USER:$MAIL_GROUP" "$T/mail"
	return 0
}

drop() {	# drop FILE...: straight into the inbox's Maildir (no server needed; any order)
	local box="$T/mail/${DROP_USER:-clerk}" f n=0
	mkdir -p "$box/cur" "$box/new" "$box/tmp"
	for f in "$@"; do
		n=$((n + 1))
		cp "$f" "$box/tmp/drop.$$.$n.$RANDOM"
		mv "$box/tmp/drop.$$.$n."* "$box/new/"
	done
	chown -R "$MAIL_USER:$MAIL_GROUP" "$box"
}

# Messages in a mailbox (INBOX, Processed, ...), counted on disk.
mailbox_count() {
	local dir="$T/mail/clerk"
	[ "$1" != INBOX ] && dir="$dir/.$1"
	find "$dir/cur" "$dir/new" -type f 2>/dev/null | wc -l
}

# Another IMAP client: imap_talk COMMAND... logs in as clerk, selects INBOX,
# sends each command (tagged c1, c2, ...) and logs out; prints the session.
imap_talk() {
	local i=0 c
	exec 3<>"/dev/tcp/127.0.0.1/$IMAP_PORT" || return 1
	{
		printf 'a LOGIN clerk %s\r\nb SELECT INBOX\r\n' "$IMAP_PASS"
		for c in "$@"; do
			i=$((i + 1))
			printf 'c%d %s\r\n' "$i" "$c"
		done
		printf 'z LOGOUT\r\n'
	} >&3
	timeout 10 cat <&3 | tr -d '\r'
	exec 3<&-
}

# ---- clerkd ----
run_clerkd() {	# run_clerkd [ARGS]: --once with the test config; log in $T/clerkd.log
	# CLERKD_WRAPPER runs it under a tool, e.g. valgrind (contrib/test.sh).
	${CLERKD_WRAPPER:-} "$CLERKD" --config "$T/clerkd.conf" --once "$@" >>"$T/clerkd.log" 2>&1
}
clerkctl() {
	"$CLERKCTL" --config "$T/clerkd.conf" "$@"
}
sink_count() {
	find "$T/sink" -type f | wc -l
}
sink_files() {	# in arrival order
	ls -tr "$T/sink"/* 2>/dev/null | sed "s|^|| "
}

# ---- mail as students and staff write it, and what they get back ----
# mkmail FILE FROM SUBJECT BODY [ATTACHMENT...]: an ordinary student's message;
# an attachment is a file name, its bytes made up (a PDF header for .pdf).
MKMAIL_N=0
mkmail() {
	local out=$1 from=$2 subject=$3 body=$4 a
	shift 4
	MKMAIL_N=$((MKMAIL_N + 1))
	{
		printf 'From: %s\nTo: clerkship@example.edu\nSubject: %s\n' "$from" "$subject"
		printf 'Message-ID: <rules-%d.%s@example.org>\nDate: Tue, 20 Oct 2026 10:%02d:00 +0000\n' \
			"$MKMAIL_N" "$RANDOM" "$((MKMAIL_N % 60))"
		[ -n "${EXTRA_HEADERS:-}" ] && printf '%b' "$EXTRA_HEADERS"
		printf 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b0"\n\n'
		printf -- '--b0\nContent-Type: text/plain; charset=utf-8\n\n%b\n' "$body"
		for a in "$@"; do
			printf -- '--b0\nContent-Type: %s\nContent-Disposition: attachment; filename="%s"\n' \
				"$(case "$a" in *.pdf) echo application/pdf ;; *.jpg) echo image/jpeg ;; *) echo application/octet-stream ;; esac)" "$a"
			printf 'Content-Transfer-Encoding: base64\n\n'
			if [ "${ENCRYPT:-}" = "$a" ]; then
				printf '%%PDF-1.7\n1 0 obj <</Filter /Standard /V 4>> endobj\ntrailer <</Encrypt 1 0 R>>\n%s\n' "$a"
			else
				printf '%%PDF-1.4\n%% %s %s\n%%%%EOF\n' "$a" "$RANDOM$RANDOM"
			fi | base64
		done
		printf -- '--b0--\n'
	} >"$out"
}

form() {	# form NAME EMAIL [FIELD=VALUE...]: the application form, defaults overridden
	local name=$1 email=$2
	shift 2
	local school="Example University School of Medicine" country="United States" year=final
	local grad=2027-05 degree=none cores="medicine, surgery, pediatrics, obstetrics-gynecology"
	local type=clerkship english=native c1="MED-401 2027-03" c2="SUR-512 2027-03" c3="" kv
	for kv in "$@"; do
		case $kv in
		school=*) school=${kv#*=} ;; country=*) country=${kv#*=} ;; year=*) year=${kv#*=} ;;
		type=*) type=${kv#*=} ;; english=*) english=${kv#*=} ;; c1=*) c1=${kv#*=} ;;
		c2=*) c2=${kv#*=} ;; c3=*) c3=${kv#*=} ;; cores=*) cores=${kv#*=} ;;
		grad=*) grad=${kv#*=} ;; degree=*) degree=${kv#*=} ;;
		esac
	done
	printf 'Dear coordinator,\\n\\nplease find my application below.\\n\\nFull name: %s\\nEmail: %s\\nMedical school: %s\\nSchool country: %s\\nYear of study: %s\\nExpected graduation: %s\\nDegree held: %s\\nCore clerkships completed: %s\\nRequest type: %s\\nEnglish proficiency: %s\\nChoice 1: %s\\nChoice 2: %s\\n' \
		"$name" "$email" "$school" "$country" "$year" "$grad" "$degree" "$cores" "$type" "$english" "$c1" "$c2"
	[ -n "$c3" ] && printf 'Choice 3: %s\\n' "$c3"
	return 0
}

status_of() { clerkctl show "$1" --json | sed -n 's/^  "status" : "\(.*\)",$/\1/p'; }
missing_of() { clerkctl show "$1" --json | tr -d '\n ' | grep -o '"missing":\[[^]]*\]' | head -1; }
ref_of() { sql "SELECT reference FROM applications WHERE email = '$1' ORDER BY id DESC LIMIT 1"; }
# The newest mail to an address, as its reader sees it.
last_to() {
	local f
	for f in $(ls -t "$T"/sink/* 2>/dev/null); do
		if "$MAILCAT" -h To "$f" | grep -q -i -F "$1"; then
			"$MAILCAT" "$f"
			return 0
		fi
	done
	return 1
}
subject_to() {	# the subject of the newest mail to an address
	local f
	for f in $(ls -t "$T"/sink/* 2>/dev/null); do
		if "$MAILCAT" -h To "$f" | grep -q -i -F "$1"; then
			"$MAILCAT" -h Subject "$f"
			return 0
		fi
	done
	return 1
}
header_to() {	# header_to ADDR NAME: a header of the newest mail to an address
	local f
	for f in $(ls -t "$T"/sink/* 2>/dev/null); do
		if "$MAILCAT" -h To "$f" | grep -q -i -F "$1"; then
			"$MAILCAT" -h "$2" "$f"
			return 0
		fi
	done
	return 1
}
all_to() {	# every mail to an address, as its reader sees it
	local f
	for f in "$T"/sink/*; do
		[ -f "$f" ] && "$MAILCAT" -h To "$f" | grep -q -i -F "$1" && "$MAILCAT" "$f"
	done
	return 0
}
mails_to() {
	local f n=0
	for f in "$T"/sink/*; do
		[ -f "$f" ] && "$MAILCAT" -h To "$f" | grep -q -i -F "$1" && n=$((n + 1))
	done
	echo "$n"
}

