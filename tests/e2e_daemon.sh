#!/bin/bash
# clerkd as a daemon: mail that arrives while it runs is answered at once
# (IMAP IDLE: the poll timer is a minute); the IMAP server going away and
# coming back loses nothing (reconnect with backoff); SIGTERM stops it cleanly;
# with IDLE off it polls.
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20

servers_start
sed -i 's/^mailbox = INBOX$/mailbox = INBOX\npoll_seconds = 60\nidle = yes/' "$T/clerkd.conf"
"$top_builddir/tests/notify_listen" "$T/notify" 60 >"$T/notify.log" &
listener=$!
sleep 0.2
NOTIFY_SOCKET="$T/notify" WATCHDOG_USEC=400000 \
	"$CLERKD" --config "$T/clerkd.conf" >>"$T/clerkd.log" 2>&1 &
pid=$!
wait_for() {	# wait_for SECONDS COMMAND...
	local n=$(($1 * 10)); shift
	while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done
	return 1
}
replies() { [ "$(sink_count)" -ge "$1" ]; }

sleep 1
deliver "$DATA/gmail-pdf.eml"
ok "a message delivered while it runs is answered within 5 s (IDLE)" wait_for 5 replies 1
ok "systemd is told it is ready" grep -q "READY=1" "$T/notify.log"
ok "with a status line" grep -q "STATUS=last pass done" "$T/notify.log"
ok "and the watchdog is fed" wait_for 3 grep -q "WATCHDOG=1" "$T/notify.log"

# One clerkd per store: a second one (--once, or another daemon) exits 75
# naming the first's pid, and sends nothing; clerkctl's read-only commands
# work beside it; clerkctl restore waits for clerkd to be stopped.
printf 'From: Lock Asker <lock.asker@example.org>\nTo: clerkship@example.edu\nSubject: Question\nMessage-ID: <lock-asker@example.org>\n\nHow long are the blocks?\n' >"$T/ask.eml"
deliver "$T/ask.eml"	# for the second clerkd to find, were it to run
"$CLERKD" --config "$T/clerkd.conf" --once >"$T/second.out" 2>"$T/second.err"
is "clerkd --once beside the daemon exits 75" "$?" 75
ok "  saying which pid runs on the store" \
	grep -q -F "another clerkd (pid $pid) is running on this store ($T/store/clerkd.db); not starting" "$T/second.err"
timeout 10 "$CLERKD" --config "$T/clerkd.conf" >"$T/second.out" 2>"$T/second.err"
is "a second daemon exits 75 too" "$?" 75
ok "  saying so" grep -q "another clerkd (pid $pid)" "$T/second.err"
is "the lock file is the owner's alone" "$(stat -c %a "$T/store/clerkd.db.lock")" 600
is "  and names the daemon's pid" "$(head -1 "$T/store/clerkd.db.lock")" "$pid"
ok "clerkctl list works beside the daemon" clerkctl list
ok "  and stats" clerkctl stats
ok "  and backup" clerkctl backup "$T/backup"
clerkctl restore "$T/backup" 2>"$T/restore.err"
is "clerkctl restore beside the daemon exits 75" "$?" 75
ok "  saying which pid to stop" grep -q "clerkd (pid $pid) is running on this store" "$T/restore.err"
ok "the daemon answers what arrived meanwhile" wait_for 5 replies 2
is "  once" "$(sink_count)" 2
# Three passes so far (start, each arrival) and the IDLE between them ran on
# one connection: one login (the refused --once never connected).
is "one IMAP login serves the daemon's passes and IDLE" \
	"$(grep -c 'imap-login: Info: Login: user=<clerk>,' "$T/dovecot.log")" 1
ok "the daemon keeps running" kill -0 "$pid"

# SIGHUP: a new configuration takes effect; a broken one is refused.
sed -i 's/^from = Exchange Clerkship Program/from = Visiting Clerkships Office/' "$T/clerkd.conf"
kill -HUP "$pid"
ok "SIGHUP reloads the configuration" wait_for 5 grep -q "configuration reloaded" "$T/clerkd.log"
deliver "$DATA/encoded-words.eml"
ok "and the next one too" wait_for 5 replies 3
ok "answered with the reloaded settings" grep -q -F "Visiting Clerkships Office" <("$MAILCAT" -h From "$(ls -t "$T"/sink/* | head -1)")
cp "$T/clerkd.conf" "$T/good.conf"
echo "bogus line" >>"$T/clerkd.conf"
kill -HUP "$pid"
ok "a broken configuration is refused on SIGHUP" wait_for 5 grep -q "reload refused" "$T/clerkd.log"
ok "with the file and line" grep -q "reload refused.*clerkd.conf:[0-9]*:" "$T/clerkd.log"
ok "and clerkd keeps running" kill -0 "$pid"
cp "$T/good.conf" "$T/clerkd.conf"

# Rules reload with the configuration; broken rules are refused and the old ones kept.
cp -r "$top_srcdir/rules" "$T/rules"
sed -i "s|^directory = .*|directory = $T/rules|" "$T/clerkd.conf"
cp "$T/clerkd.conf" "$T/good.conf"
kill -HUP "$pid"
ok "SIGHUP with a rules directory of its own" wait_for 5 bash -c "[ \$(grep -c 'configuration reloaded' '$T/clerkd.log') -ge 2 ]"
sed -i 's/^require = choices >= 1$/require = choices >=/' "$T/rules/eligibility.ini"
kill -HUP "$pid"
ok "broken rules are refused on SIGHUP" wait_for 5 grep -q "reload refused.*eligibility.ini:[0-9]*:" "$T/clerkd.log"
ok "and clerkd keeps running on the old ones" kill -0 "$pid"
deliver "$DATA/outlook-signature.eml"
ok "still answering, judged by the old rules" wait_for 5 replies 4
ok "  (the reply carries a decision)" grep -q "^Status: " <("$MAILCAT" "$(ls -t "$T"/sink/* | head -1)")
cp "$top_srcdir/rules/eligibility.ini" "$T/rules/eligibility.ini"

kill "$DOVECOT_PID"; wait "$DOVECOT_PID" 2>/dev/null
drop "$DATA/latin1-plain.eml" "$DATA/first-contact.eml"	# mail arrives all the same
ok "it notices that IMAP is down" wait_for 15 grep -q "IMAP connect" "$T/clerkd.log"
ok "and keeps running" kill -0 "$pid"
dovecot_restart
ok "when IMAP is back, what arrived meanwhile is answered" wait_for 30 replies 6
is "nothing twice" "$(sink_count)" 6

kill -TERM "$pid"
ok "SIGTERM stops it within 5 s" wait_for 5 bash -c "! kill -0 $pid 2>/dev/null"
ok "telling systemd it is stopping" wait_for 2 grep -q "STOPPING=1" "$T/notify.log"
kill "$listener" 2>/dev/null
wait "$pid"
is "with exit status 0" "$?" 0

sed -i 's/^poll_seconds = 60$/poll_seconds = 1/; s/^idle = yes$/idle = no/' "$T/clerkd.conf"
"$CLERKD" --config "$T/clerkd.conf" >>"$T/clerkd.log" 2>&1 &
pid=$!
deliver "$DATA/phone-photo.eml"
ok "with IDLE off, polling answers within 5 s" wait_for 5 replies 7
kill -TERM "$pid"; wait "$pid"
is "nothing twice in all" "$(sink_count)" 7
done_testing
