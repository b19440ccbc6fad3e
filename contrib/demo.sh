#!/bin/bash
# contrib/demo.sh: clerkd's main job on an embedded default. Starts a throwaway
# Dovecot (IMAP) and an SMTP receiver on loopback, puts the sample mail of
# contrib/samples in the inbox, runs clerkd over it once, and shows what
# happened: the replies as the students read them, and clerkctl list.
set -u
cd "$(dirname "$0")/.."
contrib/setup.sh >/dev/null || { echo "demo: set-up failed (run contrib/setup.sh to see why)"; exit 1; }
make -s tests/mailcat

top_srcdir=$(pwd)
top_builddir=$(pwd)
KEEP_TEST_DIR=1
. tests/lib.sh
export CLERKD_NOW=${CLERKD_NOW:-2026-10-20}

rule() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }

servers_start
deliver contrib/samples/*.eml
rule "Inbox: $(mailbox_count INBOX) messages"
for f in contrib/samples/*.eml; do
	printf '  %-34s from %s\n' "$(basename "$f")" "$("$MAILCAT" -h From "$f" 2>/dev/null)"
done

rule "clerkd --once"
"$CLERKD" --config "$T/clerkd.conf" --once 2>&1 | sed 's/^/  /'
echo "  exit status: ${PIPESTATUS[0]}"

n=0
for f in $(sink_files); do
	n=$((n + 1))
	rule "Reply $n, as the student reads it (decoded by its declared charset, as a mail client would)"
	"$MAILCAT" "$f" || echo "  !! this reply is not valid in the charset it declares: a student would see the marks above"
done
rule "Inbox now: $(mailbox_count INBOX); Processed: $(mailbox_count Processed); replies sent: $(sink_count)"

rule "clerkctl list"
clerkctl list
rule "clerkctl show $(clerkctl list --json | sed -n 's/.*"reference" : "\(.*\)".*/\1/p' | head -1)"
clerkctl show "$(clerkctl list --json | sed -n 's/.*"reference" : "\(.*\)".*/\1/p' | head -1)"

rule "Run it again: nothing is answered twice"
"$CLERKD" --config "$T/clerkd.conf" --once 2>&1 | sed 's/^/  /'
echo "  replies sent in all: $(sink_count)"

echo
echo "The demo's config, database and documents are in $T"
echo "(clerkctl --config $T/clerkd.conf list); the servers stop now."
