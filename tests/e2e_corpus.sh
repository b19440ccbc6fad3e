#!/bin/bash
# End to end over the robustness corpora: the project's broken and hostile mail
# (tests/data/broken) and, when present, the shared real-world corpus. Every
# message ends in Processed or Quarantine, clerkd never dies, nothing is
# answered twice, only humans are answered, and no reply carries a header
# that came from a stranger.
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20
CORPUS=${CLERKD_SHARED_CORPUS:-$top_srcdir/../shared/corpus}
files="$DATA/broken/*.eml"
# A tarball unpacked elsewhere (make distcheck) has no shared corpus beside it.
[ -d "$CORPUS" ] && files="$files $CORPUS/*/*__*"

servers_start
# shellcheck disable=SC2086
drop $files
n=$(echo $files | wc -w)
is "corpus delivered" "$(mailbox_count INBOX)" "$n"

for pass in 1 2 3; do
	run_clerkd
	rc=$?
	ok "pass $pass: clerkd exits 0 (got $rc)" test "$rc" -eq 0
done
is "inbox emptied" "$(mailbox_count INBOX)" 0
is "every message in Processed or Quarantine" \
	"$(($(mailbox_count Processed) + $(mailbox_count Quarantine)))" "$n"
db="$T/store/clerkd.db"
is "every message in the ledger" "$(sqlite3 "$db" "SELECT count(*) FROM ledger")" "$n"
is "every reply delivered" "$(sink_count)" "$(sqlite3 "$db" "SELECT count(*) FROM outbox WHERE state = 'sent'")"
# Replies go to the sender; notices to staff are other mail and do not count.
is "at most one reply per message" \
	"$(sqlite3 "$db" "SELECT count(*) FROM (SELECT o.ledger_id FROM outbox o JOIN ledger l ON l.id = o.ledger_id WHERE o.rcpt = l.sender GROUP BY o.ledger_id HAVING count(*) > 1)")" 0
is "no reply to automatic mail" \
	"$(sqlite3 "$db" "SELECT count(*) FROM outbox o JOIN ledger l ON l.id = o.ledger_id WHERE l.class = 'automatic' AND o.kind NOT LIKE 'staff-notice:%'")" 0
ok "some automatic mail recognised (bounces, reports)" \
	test "$(sqlite3 "$db" "SELECT count(*) FROM ledger WHERE class = 'automatic'")" -gt 5
bad=0
for f in $(sink_files); do
	[ "$("$MAILCAT" -h Auto-Submitted "$f")" = auto-replied ] || bad=$((bad + 1))
done
is "every reply is marked auto-replied" "$bad" 0
injected=0
for f in $(sink_files); do
	sed '/^\r\{0,1\}$/q' "$f" | grep -q -i -E '^(Bcc|X-Evil|X-Injected):' && injected=$((injected + 1))
done
is "no reply carries an injected header" "$injected" 0
ok "mail over a limit is answered with the limit" \
	test "$(sql "SELECT count(*) FROM outbox WHERE kind = 'over-limit'")" -gt 0
echo "# $(sqlite3 "$db" "SELECT class || ': ' || count(*) FROM ledger GROUP BY class" | tr '\n' ' ')"
done_testing
