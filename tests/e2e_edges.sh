#!/bin/bash
# End to end: mail over the size limit, and a mailbox migrated to a new
# UIDVALIDITY (every message looks new to IMAP; none may be answered again).
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20

servers_start
sed -i 's/^mailbox = INBOX$/mailbox = INBOX\nmax_message_size = 64K/' "$T/clerkd.conf"

# A 150 KB application from a person, and a large automatic message.
big() {	# big FROM SUBJECT EXTRA-HEADER
	printf 'From: %s\nTo: clerkship@example.edu\nSubject: %s\nMessage-ID: <%s@example.org>\n%sMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nFull name: Big Scan\nMedical school: X\nYear of study: final\n\n--b\nContent-Type: application/pdf; name=scan.pdf\nContent-Transfer-Encoding: base64\n\n' \
		"$1" "$2" "$RANDOM$RANDOM" "$3"
	head -c 110000 /dev/urandom | base64
	printf -- '--b--\n'
}
big 'Big Scan <big.scan@example.org>' 'My application with scans' '' >"$T/big.eml"
big 'Robot <robot@example.org>' 'Automatic reply: away' 'Auto-Submitted: auto-replied\n' >"$T/bigauto.eml"
deliver "$T/big.eml" "$T/bigauto.eml" "$DATA/gmail-pdf.eml"

ok "clerkd --once exits 0" run_clerkd
is "inbox emptied" "$(mailbox_count INBOX)" 0
is "both large messages in Processed" "$(mailbox_count Processed)" 3
is "two replies: the small application and the large human message" "$(sink_count)" 2
reply=$(grep -l -F 'big.scan@example.org' "$T"/sink/* | head -1)
ok "the large message gets a reply" test -n "$reply"
ok "the reply names the limit" grep -q -F 'the limit is 64.0' <("$MAILCAT" "$reply")
ok "the reply is threaded" grep -q -F '@example.org>' <("$MAILCAT" -h In-Reply-To "$reply")
is "no application from a message that was not read" "$(clerkctl list --json | grep -c '"reference"')" 1

# Migration: the processed mail comes back into the inbox under a new UIDVALIDITY.
before=$(sink_count)
uv1=$(sqlite3 "$T/store/clerkd.db" 'SELECT group_concat(uidvalidity) FROM mailboxes')
box="$T/mail/clerk"
kill "$DOVECOT_PID"; wait "$DOVECOT_PID" 2>/dev/null
find "$box/.Processed/cur" "$box/.Processed/new" -type f -exec mv {} "$box/new/" \;
rm -f "$box"/dovecot-uidlist "$box"/dovecot.index* "$box"/.Processed/dovecot-uidlist "$box"/.Processed/dovecot.index*
sleep 1	# UIDVALIDITY is a timestamp: make sure it changes
dovecot_restart
is "three messages back in the inbox" "$(mailbox_count INBOX)" 3

ok "clerkd --once after the migration exits 0" run_clerkd
uv2=$(sqlite3 "$T/store/clerkd.db" 'SELECT count(*) FROM mailboxes')
is "the new UIDVALIDITY is recorded beside the old ($uv1)" "$uv2" 2
is "nothing answered twice after the migration" "$(sink_count)" "$before"
is "inbox emptied after the migration" "$(mailbox_count INBOX)" 0
is "still one application" "$(clerkctl list --json | grep -c '"reference"')" 1
is "the migrated messages are recorded as duplicates" \
	"$(sqlite3 "$T/store/clerkd.db" "SELECT count(*) FROM ledger WHERE class = 'duplicate'")" 3

# Large messages: one of 8 MB is held in memory while its attachment is
# decoded into a file; one of 20 MB (over the 16 MB spool threshold) goes
# into a spool file as it arrives and is parsed from there. The attachments
# land intact, and the spool is left empty.
sed -i 's/^max_message_size = 64K$/max_message_size = 50M/' "$T/clerkd.conf"
large() {	# large N BYTES: $T/large-N.eml with $T/scan-N.bin attached
	head -c "$2" /dev/urandom >"$T/scan-$1.bin"
	{
		printf 'From: Big Scan <big.scan%d@example.org>\nTo: clerkship@example.edu\nSubject: Scans\n' "$1"
		printf 'Message-ID: <large-%d@example.org>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n' "$1"
		printf -- '--b\nContent-Type: text/plain\n\nFull name: Large Scan %d\nMedical school: X\nYear of study: final\n\n' "$1"
		printf -- '--b\nContent-Type: application/pdf; name=scan.pdf\nContent-Disposition: attachment; filename=scan.pdf\n'
		printf 'Content-Transfer-Encoding: base64\n\n'
		base64 "$T/scan-$1.bin"
		printf -- '--b--\n'
	} >"$T/large-$1.eml"
}
large 1 6000000
large 2 15000000
large 4 100000	# and two written around the page cache from the start: with a tail
large 5 65536	# and without one
deliver "$T/large-1.eml" "$T/large-2.eml" "$T/large-4.eml" "$T/large-5.eml"
before=$(sink_count)
ok "large messages: exit 0" run_clerkd
is "all are answered" "$(sink_count)" "$((before + 4))"
for n in 1 2 4 5; do
	sha=$(sha256sum "$T/scan-$n.bin" | cut -d' ' -f1)
	ok "attachment $n is stored intact, under its digest" cmp "$T/scan-$n.bin" "$T/store/documents/${sha:0:2}/$sha"
	is "and recorded with its size" "$(sql "SELECT size FROM documents WHERE sha256 = '$sha'")" "$(stat -c %s "$T/scan-$n.bin")"
done
is "the spool is left empty" "$(find "$T/store/documents/.spool" -type f | wc -l)" 0
ok "the receipt lists it" grep -q -F -- '- scan.pdf (15.0' <(all_to big.scan2@example.org)

# In the order they came, whatever their size: a small message, a large one
# (fetched on its own, into the spool), then another small one, handled in
# that order (before, the large one waited for the end of its batch).
large 3 13000000
mkmail "$T/before.eml" 'Small Before <small.before@example.org>' 'Question' 'How long are the blocks?'
mkmail "$T/after.eml" 'Small After <small.after@example.org>' 'Question' 'When does the program start?'
deliver "$T/before.eml" "$T/large-3.eml" "$T/after.eml"
first=$(sql "SELECT max(id) FROM ledger")
ok "mixed sizes: exit 0" run_clerkd
is "handled in the order they arrived" \
	"$(sql "SELECT group_concat(message_id, ' ') FROM (SELECT message_id FROM ledger WHERE id > $first ORDER BY id)")" \
	"$(for f in before large-3 after; do "$MAILCAT" -h Message-ID "$T/$f.eml"; done | tr -d '<>' | paste -sd' ')"

# The database busy (another writer holds it): nothing happens, nothing is lost.
db="$T/store/clerkd.db"
deliver "$DATA/latin1-plain.eml"
before=$(sink_count)
(echo "BEGIN EXCLUSIVE; SELECT 1;"; sleep 8) | sqlite3 "$db" >/dev/null &
lock=$!
sleep 0.5
run_clerkd
is "a locked database is a temporary failure (exit 75)" "$?" 75
is "the message stays in the inbox" "$(mailbox_count INBOX)" 1
is "nothing is sent" "$(sink_count)" "$before"
wait "$lock"
ok "once the database is free, clerkd exits 0" run_clerkd
is "the message is handled" "$(mailbox_count INBOX)" 0
is "and answered once" "$(sink_count)" "$((before + 1))"

# The disk full (the database capped at its present size, with no free pages
# inside): nothing half-written, the message waits in the inbox, and goes
# once there is room.
sql "VACUUM; PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
sed -i "s/^\[store\]$/[store]\nmax_size = 4096/" "$T/clerkd.conf"
{	# an application with many long fields: more than the pages left
	printf 'From: Long Form <long.form@example.org>\nTo: clerkship@example.edu\nSubject: Solicitud\n'
	printf 'Message-ID: <long-form@example.org>\n\nFull name: Long Form\nMedical school: X\nYear of study: final\n'
	for i in $(seq 1 50); do printf 'Note %d: %s\n' "$i" "$(head -c 300 /dev/zero | tr '\0' x)"; done
} >"$T/long.eml"
deliver "$T/long.eml"
before=$(sink_count)
apps=$(sql "SELECT count(*) FROM applications")
run_clerkd
is "a full database is a temporary failure (exit 75)" "$?" 75
is "the message stays in the inbox" "$(mailbox_count INBOX)" 1
is "nothing is sent" "$(sink_count)" "$before"
is "no application half-written" "$(sql "SELECT count(*) FROM applications")" "$apps"
is "the ledger does not know the message" "$(sql "SELECT count(*) FROM ledger WHERE subject LIKE 'Solicitud%'")" 0
sed -i '/^max_size = /d' "$T/clerkd.conf"
ok "with room again, clerkd exits 0" run_clerkd
is "the message is handled" "$(mailbox_count INBOX)" 0
is "and answered once" "$(sink_count)" "$((before + 1))"

# A first run on a store whose directory does not exist yet: made, private,
# and locked (the lock file lives beside the database).
sed -e 's|^database = .*|database = fresh/db/clerkd.db|' -e 's|^documents = .*|documents = fresh/documents|' \
	"$T/clerkd.conf" >"$T/fresh.conf"
ok "a store in a directory not made yet: clerkd --once exits 0" \
	"$CLERKD" --config "$T/fresh.conf" --once
ok "the database is made" test -s "$T/fresh/db/clerkd.db"
is "its directory is private" "$(stat -c %a "$T/fresh/db")" 700
done_testing
