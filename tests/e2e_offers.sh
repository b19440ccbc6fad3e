#!/bin/bash
# End to end, against a real Dovecot and SMTP receiver: a freed seat is
# offered, not imposed (#15; DESIGN "Confirmations"). A seated student
# cancels (confirmed by token); the first on the waitlist gets an offer with
# a deadline and `confirm TOKEN`, while the seat is held for them (a late
# applicant is waitlisted, not seated). Declined: the next is offered it.
# Not answered by the deadline: it lapses, the student is told, the next is
# offered it. Accepted by token, or by a reply threaded to the offer:
# scheduled. A staff cancel frees a seat the same way. Offers stop when the
# block starts.
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20

servers_start
CORES="cores=medicine, surgery, pediatrics, obstetrics-gynecology, neurology"
DOCS=("Dean's letter.pdf" "Transcript.pdf" "Immunization record.pdf" "Titers.pdf" "QuantiFERON.pdf" "Insurance card.jpg")
token_of() { "$MAILCAT" -h Subject "$1" | grep -o -E 'confirm [A-Z0-9]{10}' | cut -d' ' -f2; }
newest_to() {	# the file of the newest mail to an address
	local f
	for f in $(ls -t "$T"/sink/*); do
		"$MAILCAT" -h To "$f" | grep -q -i -F "$1" && { echo "$f"; return 0; }
	done
	return 1
}
offers_of() { clerkctl show "$1" --json | tr -d ' \n' | grep -o '"offers":\[[^]]*\]'; }
email_of() { sql "SELECT email FROM applications WHERE reference = '$1'"; }
run_clerkd_at() { CLERKD_NOW=$1 "$CLERKD" --config "$T/clerkd.conf" --once >>"$T/clerkd.log" 2>&1; }

# Four complete applicants for NEU-320 (one seat) in block 2027-03, and nothing else.
names=(Ada Ben Cleo Dev)
for n in "${names[@]}"; do
	mkmail "$T/$n.eml" "$n Student <$n@med.example.edu>" "Application" \
		"$(form "$n Student" "$n@med.example.edu" 'c1=NEU-320 2027-03' 'c2=' "$CORES")" "${DOCS[@]}"
	deliver "$T/$n.eml"
done
ok "applications: run" run_clerkd
is "four complete applications" "$(sql "SELECT count(*) FROM applications WHERE status = 'complete'")" 4
clerkctl schedule 2027-03 --seed 11 >"$T/draw"
order=($(sed -n '/^draw order/,/^seated/p' "$T/draw" | grep -o 'ECP-[0-9-]*'))
is "one seated, three waitlisted" "$(sql "SELECT group_concat(status) FROM (SELECT status FROM applications ORDER BY status)")" "scheduled,waitlisted,waitlisted,waitlisted"
seated=${order[0]} w1=${order[1]} w2=${order[2]} w3=${order[3]}
ok "results: run" run_clerkd

# ---- a seat frees: the seated student cancels, with confirmation ----
mkmail "$T/cancel.eml" "Someone <$(email_of "$seated")>" "Cancel [$seated]" "Please cancel my application. I cannot come."
deliver "$T/cancel.eml"
ok "cancel: run" run_clerkd
ask=$(newest_to "$(email_of "$seated")")
tok=$(token_of "$ask")
ok "the cancel asks for confirmation ($tok)" test -n "$tok"
before=$(sink_count)
mkmail "$T/cancel2.eml" "Someone <$(email_of "$seated")>" "Re: $("$MAILCAT" -h Subject "$ask")" "Yes."
deliver "$T/cancel2.eml"
ok "cancel confirmed: run" run_clerkd
is "cancelled" "$(status_of "$seated")" cancelled
is "two mails: the canceller's reply, and the offer" "$(sink_count)" "$((before + 2))"
ok "the canceller is told the seat goes to the next student" grep -q "cancellation is confirmed" <(last_to "$(email_of "$seated")")

# The first waitlisted reads an offer, not a seat.
offer=$(newest_to "$(email_of "$w1")")
subject=$("$MAILCAT" -h Subject "$offer")
otok=$(token_of "$offer")
ok "the offer's subject carries confirm TOKEN ($subject)" test -n "$otok"
ok "  and the deadline" grep -q "Please answer by 23 October 2026" <<<"$subject"
ok "  and the reference" grep -q -F "[$w1]" <<<"$subject"
"$MAILCAT" "$offer" >"$T/offer.txt"
ok "the offer names the course" grep -q -F "NEU-320, Neurocritical Care" "$T/offer.txt"
ok "  the hospital" grep -q -F "University Hospital" "$T/offer.txt"
ok "  the block and its dates" grep -q -F "2027-03, from 1 March 2027 to 26 March 2027" "$T/offer.txt"
ok "  the deadline as a date (today + offer_days)" grep -q -F "Please answer by 23 October 2026." "$T/offer.txt"
ok "  how to accept" grep -q -F "To accept the seat, reply to this message" "$T/offer.txt"
ok "  the token line" grep -q -F "confirm $otok" "$T/offer.txt"
ok "  how to decline" grep -q -F 'with the word "decline"' <(tr '\n' ' ' <"$T/offer.txt" | tr -s ' ')
ok "  and what silence does" grep -q -F "the offer ends. The seat then goes to the next student on the waitlist" <(tr '\n' ' ' <"$T/offer.txt" | tr -s ' ')
ok "  with no placeholder left" bash -c "! grep -q '{{' '$T/offer.txt'"
is "the offered student is still waitlisted" "$(status_of "$w1")" waitlisted
is "offers in show --json: course, block, expires" "$(offers_of "$w1")" '"offers":[{"course":"NEU-320","block":"2027-03","expires":"2026-10-23"}]'
is "  none for the others" "$(offers_of "$w2")" '"offers":[]'
ok "clerkctl show lists the offer" grep -q "course=NEU-320 block=2027-03 expires=2026-10-23" <(clerkctl show "$w1")
is "the seat is not taken yet" "$(sql "SELECT count(*) FROM assignments WHERE course = 'NEU-320' AND state = 'active'")" 0
ok "the history says so" grep -q "offered the freed seat in NEU-320" <(clerkctl show "$w1")
mkmail "$T/status.eml" "Someone <$(email_of "$w1")>" "status" "status"
deliver "$T/status.eml"
ok "status: run" run_clerkd
ok "a status reply shows the open offer and its deadline" grep -q -F "a seat in NEU-320 in block 2027-03 is offered to you: please answer our offer mail by 23 October 2026" <(last_to "$(email_of "$w1")")
last_to "$(email_of "$w1")" >"$T/status.txt"
ok "  and no receipt of attachments it did not have" bash -c "! grep -q -E 'no attachments|Attachments in your message' '$T/status.txt'"
ok "  but not its token (a reply quoting it must not accept)" bash -c "! grep -q -F '$otok' <('$MAILCAT' '$(newest_to "$(email_of "$w1")")')"

# While the offer is open the seat is held: a late complete applicant waits.
mkmail "$T/eve.eml" "Eve Late <eve@med.example.edu>" "Application" \
	"$(form "Eve Late" "eve@med.example.edu" 'c1=NEU-320 2027-03' 'c2=' "$CORES")" "${DOCS[@]}"
deliver "$T/eve.eml"
ok "late applicant: run" run_clerkd
eve=$(ref_of eve@med.example.edu)
is "a late applicant does not take the offered seat: waitlisted" "$(status_of "$eve")" waitlisted
is "  and still no seat taken" "$(sql "SELECT count(*) FROM assignments WHERE course = 'NEU-320' AND state = 'active'")" 0
is "one open offer for the one seat" "$(sql "SELECT count(*) FROM offers WHERE state = 'open'")" 1

# A stranger who knows the token changes nothing.
mkmail "$T/forged.eml" "Mallory <mallory@elsewhere.example.net>" "Re: $subject" "confirm $otok"
deliver "$T/forged.eml"
ok "forged answer: run" run_clerkd
is "a token from another address changes nothing" "$(offers_of "$w1")" '"offers":[{"course":"NEU-320","block":"2027-03","expires":"2026-10-23"}]'

# ---- declined: threaded to the offer, with the word "decline" ----
before=$(sink_count)
{
	printf 'From: %s\nTo: clerkship@example.edu\nSubject: Re: %s\n' "$(email_of "$w1")" "$subject"
	printf 'Message-ID: <decline-%s@example.org>\nIn-Reply-To: %s\n' "$RANDOM" "$("$MAILCAT" -h Message-ID "$offer")"
	printf 'Content-Type: text/plain; charset=utf-8\n\nThank you, but I decline. I found another place.\n\n'
	printf 'On Tue, 20 Oct 2026, Exchange Clerkship Program wrote:\n> To accept the seat, reply to this message.\n'
} >"$T/decline.eml"
deliver "$T/decline.eml"
ok "decline: run" run_clerkd
is "two mails: the reply, and the next offer" "$(sink_count)" "$((before + 2))"
last_to "$(email_of "$w1")" >"$T/declined.txt"
ok "the student reads that they declined" grep -q -F "you declined the seat in NEU-320, block 2027-03 (1-26 March 2027)" "$T/declined.txt"
ok "  and left that waitlist" grep -q -F "You are no longer on the waitlist of NEU-320 for this block" <(tr '\n' ' ' <"$T/declined.txt" | tr -s ' ')
ok "  in a reply to their mail" test -n "$("$MAILCAT" -h In-Reply-To "$(newest_to "$(email_of "$w1")")")"
ok "  whose subject says so" grep -q "^Seat declined \[ECP-" <("$MAILCAT" -h Subject "$(newest_to "$(email_of "$w1")")")
is "they hold no offer" "$(offers_of "$w1")" '"offers":[]'
ok "  and no waitlist place" grep -q '"waitlist":\[\]' <(clerkctl show "$w1" --json | tr -d ' \n')
is "  nor a seat" "$(sql "SELECT count(*) FROM assignments a JOIN applications p ON p.id = a.application_id WHERE p.reference = '$w1' AND a.state = 'active'")" 0
offer2=$(newest_to "$(email_of "$w2")")
otok2=$(token_of "$offer2")
ok "the next on the waitlist gets the offer ($otok2)" test -n "$otok2"
ok "  for the same seat" grep -q -F "NEU-320, Neurocritical Care" <("$MAILCAT" "$offer2")
is "  held for them" "$(offers_of "$w2")" '"offers":[{"course":"NEU-320","block":"2027-03","expires":"2026-10-23"}]'
is "the declining student's token is spent" "$(sql "SELECT used_at IS NOT NULL FROM confirmations WHERE token = '$otok'")" 1

# ---- lapsed: no answer by the deadline ----
before=$(sink_count)
ok "on the deadline: run" env CLERKD_NOW=2026-10-23 "$CLERKD" --config "$T/clerkd.conf" --once
is "on the deadline day the offer is still open" "$(sql "SELECT state FROM offers WHERE token = '$otok2'")" open
is "  and nobody is told anything" "$(sink_count)" "$before"
ok "the day after: run" env CLERKD_NOW=2026-10-24 "$CLERKD" --config "$T/clerkd.conf" --once
is "the offer lapsed" "$(sql "SELECT state FROM offers WHERE token = '$otok2'")" lapsed
is "two mails: the lapse notice, and the next offer" "$(sink_count)" "$((before + 2))"
last_to "$(email_of "$w2")" | tr '\n' ' ' | tr -s ' ' >"$T/lapsed.txt"
ok "the student is told the offer ended, with the date" grep -q -F "We did not receive your answer by 23 October 2026, so the offer has ended" "$T/lapsed.txt"
ok "  and that the seat goes to the next" grep -q -F "The seat goes to the next student on the waitlist" "$T/lapsed.txt"
is "  once" "$(all_to "$(email_of "$w2")" | grep -c "so the offer has ended")" 1
is "they hold no offer" "$(offers_of "$w2")" '"offers":[]'
offer3=$(newest_to "$(email_of "$w3")")
otok3=$(token_of "$offer3")
ok "the next gets the offer ($otok3)" test -n "$otok3"
ok "  with a deadline counted from the day it was made" grep -q "Please answer by 27 October 2026" <("$MAILCAT" -h Subject "$offer3")
ok "a second run tells nobody again" env CLERKD_NOW=2026-10-24 "$CLERKD" --config "$T/clerkd.conf" --once
is "  (no mail)" "$(sink_count)" "$((before + 2))"

# A late answer to the lapsed offer is told what became of it.
before=$(sink_count)
{
	printf 'From: %s\nTo: clerkship@example.edu\nSubject: Re: %s\n' "$(email_of "$w2")" "$("$MAILCAT" -h Subject "$offer2")"
	printf 'Message-ID: <late-%s@example.org>\nIn-Reply-To: %s\n' "$RANDOM" "$("$MAILCAT" -h Message-ID "$offer2")"
	printf 'Content-Type: text/plain; charset=utf-8\n\nYes, I want the seat!\n'
} >"$T/late.eml"
deliver "$T/late.eml"
ok "late answer: run" env CLERKD_NOW=2026-10-24 "$CLERKD" --config "$T/clerkd.conf" --once
is "one reply" "$(sink_count)" "$((before + 1))"
ok "  which says the offer ended on its date" grep -q -F "ended on 23 October 2026" <(last_to "$(email_of "$w2")")
is "  and gives no seat" "$(sql "SELECT count(*) FROM assignments WHERE course = 'NEU-320' AND state = 'active'")" 0

# ---- accepted: a new message carrying the token ----
before=$(sink_count)
mkmail "$T/accept.eml" "Someone <$(email_of "$w3")>" "My answer" "Hello, I accept. confirm $otok3\n\nThank you!"
deliver "$T/accept.eml"
ok "accept by token: run" env CLERKD_NOW=2026-10-25 "$CLERKD" --config "$T/clerkd.conf" --once
is "one reply" "$(sink_count)" "$((before + 1))"
is "scheduled" "$(status_of "$w3")" scheduled
is "  no open offer left" "$(offers_of "$w3")" '"offers":[]'
ok "  the seat in assignments" grep -q '"assignments":\[{"course":"NEU-320","block":"2027-03"}\]' <(clerkctl show "$w3" --json | tr -d ' \n')
ok "  no waitlist place left" grep -q '"waitlist":\[\]' <(clerkctl show "$w3" --json | tr -d ' \n')
last_to "$(email_of "$w3")" | tr '\n' ' ' | tr -s ' ' >"$T/accepted.txt"
ok "the student reads that the seat is theirs" grep -q -F "You accepted the seat in NEU-320 (Neurocritical Care), block 2027-03 (1-26 March 2027). The seat is yours now." "$T/accepted.txt"
ok "  and their status" grep -q "Status: scheduled" "$T/accepted.txt"
is "  with the seat's calendar entry and letter (kept as sent)" "$(clerkctl doc list "$w3" | grep -c -E '^s[0-9]+ +sent .*(clerkship|acceptance-letter)-NEU-320-2027-03\.(ics|pdf)')" 2
is "nobody else is offered anything" "$(sql "SELECT count(*) FROM offers WHERE state = 'open'")" 0
is "the token is single-use" "$(sql "SELECT used_at IS NOT NULL FROM confirmations WHERE token = '$otok3'")" 1
is "Eve still waits" "$(status_of "$eve")" waitlisted

# ---- a staff cancel frees the seat the same way; accepted by a threaded reply ----
# The deadline comes from the policy: offer_days = 5 now.
cp -r "$top_srcdir/rules" "$T/rules"
sed -i 's/^offer_days = .*/offer_days = 5/' "$T/rules/policy.ini"
sed -i "s|^directory = .*|directory = $T/rules|" "$T/clerkd.conf"
before=$(sink_count)
ok "staff cancel" env CLERKD_NOW=2026-10-26 "$CLERKCTL" --config "$T/clerkd.conf" cancel "$w3"
ok "staff cancel: run" env CLERKD_NOW=2026-10-26 "$CLERKD" --config "$T/clerkd.conf" --once
offer4=$(newest_to eve@med.example.edu)
ok "Eve, next on the waitlist, is offered the seat" grep -q -E "confirm [A-Z0-9]{10}" <("$MAILCAT" -h Subject "$offer4")
ok "  with offer_days from policy.ini (5 days)" grep -q "Please answer by 31 October 2026" <("$MAILCAT" -h Subject "$offer4")
is "  not given it" "$(status_of "$eve")" waitlisted
{
	printf 'From: Eve Late <eve@med.example.edu>\nTo: clerkship@example.edu\nSubject: RE: %s\n' "$("$MAILCAT" -h Subject "$offer4" | sed 's/(confirm [A-Z0-9]*)//')"
	printf 'Message-ID: <yes-%s@example.org>\nIn-Reply-To: %s\n' "$RANDOM" "$("$MAILCAT" -h Message-ID "$offer4")"
	printf 'Content-Type: text/plain; charset=utf-8\n\nYes please, thank you very much.\n'
} >"$T/yes.eml"
deliver "$T/yes.eml"
ok "accept by a threaded reply: run" env CLERKD_NOW=2026-10-26 "$CLERKD" --config "$T/clerkd.conf" --once
is "Eve scheduled" "$(status_of "$eve")" scheduled
is "  in NEU-320 2027-03" "$(sql "SELECT course || ' ' || block FROM assignments a JOIN applications p ON p.id = a.application_id WHERE p.reference = '$eve' AND a.state = 'active'")" "NEU-320 2027-03"
ok "  and told so" grep -q "The seat is yours now" <(last_to eve@med.example.edu)
# Later mails in the offer's thread: a 'decline' is told how to cancel; a thank-you is read as usual.
for body in "Sorry, I decline after all." "Thank you, see you in March."; do
	{
		printf 'From: Eve Late <eve@med.example.edu>\nTo: clerkship@example.edu\nSubject: Re: %s\n' "$("$MAILCAT" -h Subject "$offer4")"
		printf 'Message-ID: <later-%s@example.org>\nIn-Reply-To: %s\n\n%s\n' "$RANDOM" "$("$MAILCAT" -h Message-ID "$offer4")" "$body"
	} >"$T/later.eml"
	deliver "$T/later.eml"
	run_clerkd_at 2026-10-27
	last_to eve@med.example.edu | tr '\n' ' ' | tr -s ' ' >"$T/later.txt"
	case $body in
	Sorry*) ok "a 'decline' after accepting changes nothing, and says how to cancel" grep -q -F 'so it is yours, and nothing was changed. If you do not want it now, write to us with "cancel my 2027-03 block"' "$T/later.txt" ;;
	*) ok "a thank-you after accepting is read like any other mail" bash -c "! grep -q 'accepted the seat' '$T/later.txt' && grep -q 'Status: scheduled' '$T/later.txt'" ;;
	esac
	is "  Eve still scheduled" "$(status_of "$eve")" scheduled
done

# ---- near the block's start: the deadline is the day before it; then it closes ----
mkmail "$T/finn.eml" "Finn Late <finn@med.example.edu>" "Application" \
	"$(form "Finn Late" "finn@med.example.edu" 'c1=NEU-320 2027-03' 'c2=' "$CORES")" "${DOCS[@]}"
deliver "$T/finn.eml"
ok "another late applicant: run" env CLERKD_NOW=2026-10-27 "$CLERKD" --config "$T/clerkd.conf" --once
finn=$(ref_of finn@med.example.edu)
is "Finn waitlisted" "$(status_of "$finn")" waitlisted
CLERKD_NOW=2027-02-27 clerkctl cancel "$eve" >/dev/null
is "an offer two days before the block: due the day before it starts" "$(offers_of "$finn")" '"offers":[{"course":"NEU-320","block":"2027-03","expires":"2027-02-28"}]'
ok "offer near the start: run" env CLERKD_NOW=2027-02-27 "$CLERKD" --config "$T/clerkd.conf" --once
ok "  Finn reads that date" grep -q "Please answer by 28 February 2027" <(last_to finn@med.example.edu)
CLERKD_NOW=2027-03-01 clerkctl due >"$T/due"
is "at the block's start no offer is open" "$(sql "SELECT count(*) FROM offers WHERE state = 'open'")" 0
is "  nobody is offered the seat again" "$(sql "SELECT count(*) FROM offers WHERE application_id = (SELECT id FROM applications WHERE reference = '$finn')")" 1
ok "the block's start: run" env CLERKD_NOW=2027-03-01 "$CLERKD" --config "$T/clerkd.conf" --once
ok "  Finn is told the offer ended, and why" grep -q "so the offer has ended. The block has now started." <(last_to finn@med.example.edu | tr '\n' ' ' | tr -s ' ')
is "inbox emptied" "$(mailbox_count INBOX)" 0
done_testing
