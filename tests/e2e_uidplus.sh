#!/bin/bash
# End to end against a server without UIDPLUS and without MOVE: clerkd can
# only COPY, and a plain EXPUNGE would remove every \Deleted message of the
# inbox, also those clerkd never handled (flagged by a person or another
# client). Nothing may be lost: the handled messages are copied to Processed
# and left in the inbox, flagged \Deleted and $ClerkdProcessed, never
# expunged; later passes neither answer nor copy them again.
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20
export IMAP_CAPABILITY="IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE NAMESPACE LITERAL+"

servers_start
caps=$(imap_talk 'CAPABILITY' | grep '^\* CAPABILITY')
ok "the server offers neither UIDPLUS nor MOVE" bash -c "! grep -q -w -E 'UIDPLUS|MOVE' <<<'$caps'"
ok "but IMAP4rev1" grep -q -w IMAP4rev1 <<<"$caps"

# In the files of a mailbox (INBOX, Processed, Quarantine): how many hold STRING.
holding() {
	local dir="$T/mail/clerk"
	[ "$1" != INBOX ] && dir="$dir/.$1"
	find "$dir/cur" "$dir/new" -type f -exec grep -l -F -- "$2" {} + 2>/dev/null | wc -l
}

mkmail "$T/alice.eml" 'Alice Able <alice.able@example.org>' 'Question' 'How long are the blocks?'
mkmail "$T/bob.eml" 'Bob Baker <bob.baker@example.org>' 'Question' 'When does the program start?'
printf 'garbage without a header\n\nmore garbage\n' >"$T/garbage.eml"
bob_id=$("$MAILCAT" -h Message-ID "$T/bob.eml")
deliver "$T/alice.eml" "$T/bob.eml"
drop "$T/garbage.eml"

# Before clerkd runs, another client flags two unprocessed messages \Deleted
# (without expunging): Bob's, and the garbage, which will fail and wait in
# the inbox for its next tries.
imap_talk 'STORE 2:3 +FLAGS (\Deleted)' >"$T/store.out"
ok "another client flagged two messages \\Deleted" grep -q '^c1 OK' "$T/store.out"
is "three messages in the inbox" "$(mailbox_count INBOX)" 3

ok "pass 1 exits 0" run_clerkd
is "pass 1: nothing expunged from the inbox" "$(mailbox_count INBOX)" 3
is "Bob's message, flagged \\Deleted by another client, is still in the inbox" "$(holding INBOX "$bob_id")" 1
is "the garbage, flagged \\Deleted and not handled, is still in the inbox" \
	"$(holding INBOX 'garbage without a header')" 1
is "both handled messages are in Processed" "$(mailbox_count Processed)" 2
is "Bob's message is in Processed once" "$(holding Processed "$bob_id")" 1
is "two replies" "$(sink_count)" 2
is "Bob is answered once" "$(mails_to bob.baker@example.org)" 1
is "Alice is answered once" "$(mails_to alice.able@example.org)" 1
is "the ledger: two moved, one failed" \
	"$(sql "SELECT group_concat(state, ' ') FROM (SELECT state FROM ledger ORDER BY state)")" "failed moved moved"
imap_talk 'FETCH 1:* (FLAGS)' | grep -E '^\* [0-9]+ FETCH' >"$T/flags.out"
is "the two handled originals are flagged as copied" "$(grep -c -F '$ClerkdProcessed' "$T/flags.out")" 2
is "and \\Deleted" "$(grep -F '$ClerkdProcessed' "$T/flags.out" | grep -c -F '\Deleted')" 2

ok "pass 2 exits 0" run_clerkd
is "pass 2: nothing sent again" "$(sink_count)" 2
is "pass 2: nothing copied again" "$(mailbox_count Processed)" 2
is "pass 2: nothing expunged" "$(mailbox_count INBOX)" 3

ok "pass 3 exits 0" run_clerkd
is "pass 3: the garbage is quarantined after 3 failures" "$(mailbox_count Quarantine)" 1
is "it is the garbage" "$(holding Quarantine 'garbage without a header')" 1
is "and its original stays in the inbox" "$(holding INBOX 'garbage without a header')" 1
is "pass 3: nothing sent again" "$(sink_count)" 2
is "pass 3: nothing copied again" "$(mailbox_count Processed)" 2

ok "pass 4 exits 0" run_clerkd
is "pass 4: not quarantined twice" "$(mailbox_count Quarantine)" 1
is "pass 4: nothing copied again" "$(mailbox_count Processed)" 2
is "pass 4: nothing sent again" "$(sink_count)" 2
is "pass 4: nothing expunged" "$(mailbox_count INBOX)" 3
is "the ledger: two moved, one quarantined" \
	"$(sql "SELECT group_concat(state, ' ') FROM (SELECT state FROM ledger ORDER BY state)")" \
	"moved moved quarantined"

# New mail beside the kept originals: handled once, copied once.
mkmail "$T/carol.eml" 'Carol Cole <carol.cole@example.org>' 'Question' 'Is NEU-301 open in April?'
carol_id=$("$MAILCAT" -h Message-ID "$T/carol.eml")
deliver "$T/carol.eml"
ok "pass 5 exits 0" run_clerkd
is "pass 5: Carol is answered once" "$(mails_to carol.cole@example.org)" 1
is "pass 5: one more reply in all" "$(sink_count)" 3
is "pass 5: Carol's message is in Processed" "$(holding Processed "$carol_id")" 1
is "pass 5: three in Processed, none twice" "$(mailbox_count Processed)" 3
is "pass 5: nothing expunged" "$(mailbox_count INBOX)" 4
ok "pass 6 exits 0" run_clerkd
is "pass 6: nothing sent, nothing copied" "$(sink_count) $(mailbox_count Processed)" "3 3"

# As a daemon (IDLE): the originals left in the inbox do not wake it again
# and again; new mail is answered at once, copied once.
sed -i 's/^mailbox = INBOX$/mailbox = INBOX\npoll_seconds = 60\nidle = yes/' "$T/clerkd.conf"
: >"$T/daemon.log"
"$CLERKD" --config "$T/clerkd.conf" >>"$T/daemon.log" 2>&1 &
daemon=$!
mkmail "$T/erin.eml" 'Erin Ernst <erin.ernst@example.org>' 'Question' 'How long are the blocks?'
sleep 1
deliver "$T/erin.eml"
for _ in $(seq 1 50); do [ "$(sink_count)" -ge 4 ] && break; sleep 0.1; done
sleep 1
# Another client flags a message: IDLE tells, but no new mail came, no pass.
imap_talk 'STORE 1 +FLAGS (\Flagged)' >"$T/flag.out"
ok "another client flags a message in the inbox" grep -q '^c1 OK' "$T/flag.out"
sleep 2
kill "$daemon"; wait "$daemon" 2>/dev/null
is "daemon: Erin is answered once" "$(mails_to erin.ernst@example.org)" 1
is "daemon: four in Processed" "$(mailbox_count Processed)" 4
passes=$(grep -c 'pass: ' "$T/daemon.log")
ok "daemon: two passes (start, new mail), not a loop ($passes)" test "$passes" -eq 2
sed -i '/^poll_seconds = 60$/d; /^idle = yes$/d' "$T/clerkd.conf"

# The same server with UIDPLUS (still no MOVE): the originals left behind
# are expunged by UID, new mail is copied and expunged by UID, and a message
# another client flagged \Deleted that clerkd could not handle yet stays.
IMAP_CAPABILITY="$IMAP_CAPABILITY UIDPLUS"
dovecot_restart
caps=$(imap_talk 'CAPABILITY' | grep '^\* CAPABILITY')
ok "now the server offers UIDPLUS, still not MOVE" bash -c "grep -q -w UIDPLUS <<<'$caps' && ! grep -q -w MOVE <<<'$caps'"
mkmail "$T/dave.eml" 'Dave Dunn <dave.dunn@example.org>' 'Question' 'How long are the blocks?'
printf 'more garbage without a header\n\nstill garbage\n' >"$T/garbage2.eml"
deliver "$T/dave.eml"
drop "$T/garbage2.eml"
imap_talk 'STORE 7 +FLAGS (\Deleted)' >"$T/store2.out"
ok "another client flagged the new garbage \\Deleted" grep -q '^c1 OK' "$T/store2.out"
ok "with UIDPLUS: exit 0" run_clerkd
is "with UIDPLUS: Dave is answered once" "$(mails_to dave.dunn@example.org)" 1
is "with UIDPLUS: nothing else sent" "$(sink_count)" 5
is "with UIDPLUS: five in Processed, none twice" "$(mailbox_count Processed)" 5
is "with UIDPLUS: one in Quarantine" "$(mailbox_count Quarantine)" 1
is "with UIDPLUS: only the new garbage is left in the inbox" "$(mailbox_count INBOX)" 1
is "it is the new garbage, not expunged" "$(holding INBOX 'more garbage without a header')" 1
ok "once more: exit 0" run_clerkd
is "once more: nothing sent, nothing copied" "$(sink_count) $(mailbox_count Processed) $(mailbox_count Quarantine) $(mailbox_count INBOX)" "5 5 1 1"
done_testing
