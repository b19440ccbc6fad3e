#!/bin/bash
# Loops and backscatter: a circuit breaker on the outbound rate, a per-recipient
# limit, our own mail and our own replies never answered, and bounces of our
# replies recorded against the applicant, never answered.
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20

servers_start
sed -i 's/^from = .*/&\nbounce_address = clerkship-bounces@example.edu\nmax_per_hour = 4\nmax_per_recipient_hour = 3/' "$T/clerkd.conf"
msg() {	# msg FROM ID [BODY]: a plain question
	printf 'From: %s\nTo: clerkship@example.edu\nSubject: Question %s\nMessage-ID: <%s@example.org>\n\n%s\n' \
		"$1" "$2" "$2" "${3:-Is MED-401 open in March?}"
}

# ---- the circuit breaker: 6 from 6 people, at most 4 an hour ----
for i in 1 2 3 4 5 6; do msg "person$i@example.org" "q$i" >"$T/q$i.eml"; done
deliver "$T"/q?.eml
run_clerkd
is "over the hourly rate: exit 75" "$?" 75
is "the breaker lets 4 through" "$(sink_count)" 4
is "the rest wait in the outbox" "$(sql "SELECT count(*) FROM outbox WHERE state = 'queued'")" 2
ok "the log says why" grep -q "circuit breaker" "$T/clerkd.log"
is "every message is done all the same" "$(mailbox_count INBOX)" 0
ok "the envelope sender is the bounce address" grep -q '^X-Mail-Args: <clerkship-bounces@example.edu>' "$(sink_files | head -1)"
sed -i 's/^max_per_hour = 4$/max_per_hour = 1000/' "$T/clerkd.conf"
ok "with the limit raised, the run exits 0" run_clerkd
is "and the waiting replies go" "$(sink_count)" 6

# ---- one person writing again and again: at most 3 replies an hour ----
for i in 1 2 3 4 5; do msg "storm@example.org" "s$i" >"$T/s$i.eml"; done
deliver "$T"/s?.eml
ok "a storm from one address: exit 0" run_clerkd
is "3 replies to that address, no more" "$(grep -l '^X-Rcpt-Args: <storm@example.org>' "$T"/sink/* | wc -l)" 3
is "the others held for staff" "$(clerkctl replies --status suppressed --json | grep -c '"id"')" 2

# ---- our own address, and our own replies coming back ----
printf 'From: Exchange Clerkship Program <clerkship@example.edu>\nTo: clerkship@example.edu\nSubject: test\nMessage-ID: <own@example.edu>\n\nFull name: Own Address\nMedical school: X\nYear of study: final\n' >"$T/own.eml"
deliver "$T/own.eml" "$(sink_files | head -1)"
before=$(sink_count)
ok "own mail and an own reply looped back: exit 0" run_clerkd
is "neither is answered" "$(sink_count)" "$before"
is "a form from our own address is kept, flagged for staff" \
	"$(clerkctl list --json | grep -c 'automatic-mail')" 1

# ---- a bounce of one of our replies ----
deliver "$DATA/latin1-plain.eml"
ok "an application: exit 0" run_clerkd
receipt=$(ls -t "$T"/sink/* | head -1)
rid=$("$MAILCAT" -h Message-ID "$receipt")
ref=$("$MAILCAT" -h Subject "$receipt" | grep -o -E 'ECP-[0-9]{4}-[0-9]{5}')
cat >"$T/bounce.eml" <<EOM
Return-Path: <>
From: MAILER-DAEMON@mx.etu.example.org (Mail Delivery System)
To: clerkship-bounces@example.edu
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce-1@mx.etu.example.org>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

The mail system: your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.etu.example.org

Final-Recipient: rfc822; francois.lefevre@etu.example.org
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <francois.lefevre@etu.example.org>: Recipient address rejected

--B
Content-Type: text/rfc822-headers

From: Exchange Clerkship Program <clerkship@example.edu>
To: francois.lefevre@etu.example.org
Message-ID: $rid
Subject: Re: application [$ref]

--B--
EOM
deliver "$T/bounce.eml"
before=$(sink_count)
ok "a bounce: exit 0" run_clerkd
is "a bounce is never answered" "$(sink_count)" "$before"
is "the reply is marked bounced" "$(sql "SELECT state FROM outbox WHERE message_id = '$(tr -d '<>' <<<"$rid")'")" bounced
is "the bounce is recorded against the address" \
	"$(sql "SELECT address || ' ' || status FROM bounces")" "francois.lefevre@etu.example.org 5.1.1 smtp; 550 5.1.1 <francois.lefevre@etu.example.org>: Recipient address rejected"
ok "staff see it in clerkctl show $ref" grep -q "bounced" <(clerkctl show "$ref" --json)

# What monitoring sees.
clerkctl stats --prometheus "$T/clerkd.prom" >"$T/stats.json"
ok "clerkctl stats counts the held replies" grep -q '"loops_suppressed" : 2' "$T/stats.json"
ok "and the bounce" grep -q '"bounces" : 1' "$T/stats.json"
ok "and the last pass" grep -q '"last_pass" : "20' "$T/stats.json"
is "the backlog after the last pass" "$(sed -n 's/.*"backlog" : \([0-9]*\).*/\1/p' "$T/stats.json")" 0
ok "the Prometheus text file has the replies by state" grep -q '^clerkd_replies{kind="sent"} [0-9]' "$T/clerkd.prom"
ok "and the applications by status" grep -q -E '^clerkd_applications\{kind="(incomplete|ineligible|complete)"\} [0-9]' "$T/clerkd.prom"
# Pacing (a provider's sending limit): sends spaced 60/n seconds apart.
sed -i 's/^\[smtp\]$/[smtp]\nmax_per_minute = 60/' "$T/clerkd.conf"
before=$(sink_count)
for i in 1 2 3 4; do
	printf 'From: pace%d@example.org\nTo: clerkship@example.edu\nSubject: A question\nMessage-ID: <pace-%d@example.org>\n\nHello\n' "$i" "$i" >"$T/pace$i.eml"
	deliver "$T/pace$i.eml"
done
start=$(date +%s.%N)
ok "paced: run" run_clerkd
elapsed=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
is "four replies sent" "$(sink_count)" "$((before + 4))"
ok "at 60 a minute, four take at least 3 s ($elapsed s)" awk -v e="$elapsed" 'BEGIN { exit !(e >= 2.9) }'
sed -i 's/^max_per_minute = 60$/pacing = exchange-online/' "$T/clerkd.conf"
ok "the exchange-online preset is accepted" "$CLERKD" --config "$T/clerkd.conf" --check-config
sed -i 's/^pacing = exchange-online$/pacing = carrier-pigeon/' "$T/clerkd.conf"
"$CLERKD" --config "$T/clerkd.conf" --check-config 2>"$T/err"
is "an unknown preset exits 78" "$?" 78
ok "  naming its line" grep -q "clerkd.conf:[0-9]*: pacing must be" "$T/err"
done_testing
