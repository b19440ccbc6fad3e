#!/bin/bash
# Faults that are not the message's: poison mail (quarantined after 3 tries,
# never blocking the rest, retried by staff), and an SMTP server that is down,
# says 4xx (replies wait, with backoff) or says 5xx (kept, shown, resent by staff).
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20

servers_start
: >"$T/empty.eml"					# a 0-byte message
printf 'garbage without a header\n\nmore garbage\n' >"$T/garbage.eml"
drop "$T/empty.eml" "$T/garbage.eml"
deliver "$DATA/gmail-pdf.eml"

# ---- poison ----
ok "pass 1 exits 0" run_clerkd
is "pass 1: the good message is answered, poison or not" "$(sink_count)" 1
is "pass 1: the two bad messages wait in the inbox" "$(mailbox_count INBOX)" 2
ok "pass 2 exits 0" run_clerkd
is "pass 2: still in the inbox after 2 failures" "$(mailbox_count INBOX)" 2
ok "pass 3 exits 0" run_clerkd
is "pass 3: quarantined after 3 failures" "$(mailbox_count Quarantine)" 2
is "the inbox is empty" "$(mailbox_count INBOX)" 0
is "nothing answered for poison" "$(sink_count)" 1
clerkctl quarantine list --json >"$T/q.json"
is "clerkctl quarantine list shows both" "$(grep -c '"id"' "$T/q.json")" 2
ok "with their error" grep -q 'not a MIME message' "$T/q.json"
ok "quarantine list as text" grep -q 'not a MIME message' <(clerkctl quarantine list)
qid=$(sed -n 's/.*"id" : \([0-9]*\).*/\1/p' "$T/q.json" | head -1)
ok "clerkctl quarantine retry $qid" clerkctl quarantine retry "$qid"
clerkctl quarantine retry 99999 2>/dev/null
is "retrying an unknown message exits 1" "$?" 1
ok "the pass after a retry exits 0" run_clerkd
is "the retried message went back to the inbox (and failed once more)" "$(mailbox_count INBOX)" 1
is "one left in quarantine" "$(mailbox_count Quarantine)" 1
is "the ledger says released" "$(sql "SELECT state FROM ledger WHERE id = $qid")" released

# ---- SMTP answers 4xx: the reply waits, with backoff ----
sink_restart -r RCPT
deliver "$DATA/latin1-plain.eml"
run_clerkd
is "a 4xx reply defers: exit 75" "$?" 75
is "the message itself is done" "$(mailbox_count Processed)" 2
is "nothing delivered" "$(sink_count)" 1
clerkctl replies --status queued --json >"$T/r.json"
is "clerkctl replies --status queued shows it" "$(grep -c '"id"' "$T/r.json")" 1
ok "with the server's answer" grep -q '450' "$T/r.json"
rid=$(sed -n 's/.*"id" : \([0-9]*\).*/\1/p' "$T/r.json" | head -1)
next=$(sql "SELECT next_attempt - strftime('%s','now') FROM outbox WHERE id = $rid")
ok "next attempt backed off ($next s)" test "$next" -ge 20
run_clerkd
is "no new attempt before the backoff is over" "$(sql "SELECT attempts FROM outbox WHERE id = $rid")" 1
sink_restart
ok "the pass with SMTP back still waits for the backoff (exit 0)" run_clerkd
is "so nothing is sent yet" "$(sink_count)" 1
ok "clerkctl resend $rid" clerkctl resend "$rid"
ok "the pass after resend exits 0" run_clerkd
is "the waiting reply is delivered" "$(sink_count)" 2
is "and marked sent" "$(sql "SELECT state FROM outbox WHERE id = $rid")" sent

# ---- SMTP answers 5xx: failed, kept, shown ----
sink_restart -f RCPT
deliver "$DATA/encoded-words.eml"
ok "a 5xx reply is final: the pass exits 0" run_clerkd
clerkctl replies --status failed --json >"$T/f.json"
is "clerkctl replies --status failed shows it" "$(grep -c '"id"' "$T/f.json")" 1
ok "with the server's answer" grep -q '500' "$T/f.json"
fid=$(sed -n 's/.*"id" : \([0-9]*\).*/\1/p' "$T/f.json" | head -1)
run_clerkd
is "a failed reply is not retried by itself" "$(sql "SELECT attempts FROM outbox WHERE id = $fid")" 1
sink_restart
ok "clerkctl resend $fid" clerkctl resend "$fid"
ok "the pass after resend exits 0" run_clerkd
is "the failed reply is delivered after staff resend it" "$(sink_count)" 3

# ---- SMTP down altogether ----
sink_stop
deliver "$DATA/phone-photo.eml"
run_clerkd
is "SMTP down: exit 75" "$?" 75
is "the message is done all the same" "$(mailbox_count INBOX)" 0
ok "the reply waits, with the reason" grep -q -i "connect" <(clerkctl replies --status queued)

# ---- a crash between a send and its record ----
# Replies go out from a thread of their own, and each one sent is written to
# a journal before it is recorded in the database. A run killed in between
# leaves the journal; the next run records the reply as sent, and does not
# send it again.
did=$(sql "SELECT id FROM outbox WHERE state = 'queued' ORDER BY id DESC LIMIT 1")
sql "UPDATE outbox SET next_attempt = 0 WHERE id = $did"
printf '%s\n' "$did" >"$T/store/clerkd.db-sent"
sink_start
before=$(sink_count)
ok "the pass after the crash exits 0" run_clerkd
is "the journalled reply is recorded as sent" "$(sql "SELECT state FROM outbox WHERE id = $did")" sent
is "and not sent again" "$(sink_count)" "$before"
ok "the log says so" grep -q "1 reply sent by an earlier run recorded as sent" "$T/clerkd.log"
is "the journal is emptied" "$(stat -c %s "$T/store/clerkd.db-sent")" 0
# ---- the database busy or full between a send and its record ----
# A reply sent whose record then fails (SQLITE_BUSY while clerkctl writes,
# SQLITE_FULL at [store] max_size) stays in the journal, and in memory, until
# it is recorded: it is never sent again. CLERKD_TEST_FAIL_RECORD (test only,
# see outbox.c) makes the record of replies sent fail between two batches of
# a pass; busy fails it once (the end of the pass records it), full:2 twice
# (the next run records it from the journal).
sed -i 's/^mailbox = INBOX$/mailbox = INBOX\nbatch_size = 1/' "$T/clerkd.conf"
dups() {	# Message-IDs the SMTP receiver got more than once
	for f in "$T"/sink/*; do "$MAILCAT" -h Message-ID "$f"; done | sort | uniq -d
}
for kind in busy full:2; do
	for i in 1 2 3; do
		printf 'From: Asker %s <asker.%s.%s@example.org>\nTo: clerkship@example.edu\nSubject: Question\nMessage-ID: <ask-%s-%s@example.org>\n\nHow long are the blocks?\n' \
			"$i" "${kind%:*}" "$i" "${kind%:*}" "$i" >"$T/ask-$i.eml"
	done
	deliver "$T/ask-1.eml" "$T/ask-2.eml" "$T/ask-3.eml"
	before=$(sink_count)
	CLERKD_TEST_FAIL_RECORD=$kind run_clerkd
	is "$kind: a record that fails is a temporary failure (exit 75)" "$?" 75
	ok "$kind: the log says why" grep -q "CLERKD_TEST_FAIL_RECORD)" "$T/clerkd.log"
	ok "$kind: the next run exits 0" run_clerkd
	is "$kind: three replies, each sent once" "$(sink_count)" "$((before + 3))"
	is "$kind: no reply twice at the receiver" "$(dups)" ""
	is "$kind: none left queued" "$(sql "SELECT count(*) FROM outbox WHERE state = 'queued'")" 0
	is "$kind: the journal is emptied" "$(stat -c %s "$T/store/clerkd.db-sent")" 0
done
is "full:2: the reply left in the journal is recorded by the next run" \
	"$(grep -c "1 reply sent by an earlier run recorded as sent" "$T/clerkd.log")" 2
done_testing
