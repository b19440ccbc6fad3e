#!/bin/bash
# End to end, against a real Dovecot and SMTP receiver: the block lottery
# (more applicants than seats, the same seed the same draw), waitlists in draw
# order, each applicant told once; cancellations and changes only once
# confirmed (token in the subject, the body or In-Reply-To), a freed seat
# offered to the first on the waitlist (accepted by token or by a threaded
# reply; withdrawn when its student is cancelled); dates refused by policy; questions
# about free seats and the FAQ; not-scheduled once the block starts.
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20

servers_start
CORES="cores=medicine, surgery, pediatrics, obstetrics-gynecology, neurology"
DOCS=("Dean's letter.pdf" "Transcript.pdf" "Immunization record.pdf" "Titers.pdf" "QuantiFERON.pdf" "Insurance card.jpg")
# Five complete applicants for two courses with 3 seats in all (OBG-410: 2, NEU-320: 1).
names=(Ada Ben Cleo Dev Eli)
for n in "${names[@]}"; do
	mkmail "$T/$n.eml" "$n Student <$n@med.example.edu>" "Application" \
		"$(form "$n Student" "$n@med.example.edu" 'c1=OBG-410 2027-03' 'c2=NEU-320 2027-03' "$CORES")" "${DOCS[@]}"
	deliver "$T/$n.eml"
done
ok "applications: run" run_clerkd
is "five complete applications" "$(sql "SELECT count(*) FROM applications WHERE status = 'complete'")" 5
is "not drawn by clerkd --once" "$(sql 'SELECT count(*) FROM lotteries')" 0
replies=$(sink_count)

clerkctl schedule 2027-03 --seed 4242 --dry-run >"$T/dry"
ok "a dry run prints the seed" grep -q "seed 4242" "$T/dry"
ok "and the draw order" grep -q -E "^  5\. ECP-2026-0000[1-5]$" "$T/dry"
is "and changes nothing" "$(sql "SELECT count(*) FROM applications WHERE status = 'complete'")" 5
clerkctl schedule 2027-03 --seed 4243 --dry-run >"$T/dry2"
ok "another seed, another draw" bash -c "! diff -q <(grep -A5 '^draw order' '$T/dry') <(grep -A5 '^draw order' '$T/dry2')"

clerkctl schedule 2027-03 --seed 4242 >"$T/draw"
is "the same seed draws the same" "$(sed -n '/^draw order/,/^waitlisted/p' "$T/draw")" "$(sed -n '/^draw order/,/^waitlisted/p' "$T/dry")"
is "as many scheduled as seats" "$(sql "SELECT count(*) FROM applications WHERE status = 'scheduled'")" 3
is "the rest waitlisted" "$(sql "SELECT count(*) FROM applications WHERE status = 'waitlisted'")" 2
order=($(sed -n '/^draw order/,/^seated/p' "$T/draw" | grep -o 'ECP-[0-9-]*'))
is "the first three drawn are seated" \
	"$(sql "SELECT group_concat(status) FROM (SELECT status FROM applications WHERE reference IN ('${order[0]}','${order[1]}','${order[2]}'))")" \
	"scheduled,scheduled,scheduled"
is "the first drawn has its first choice" "$(sql "SELECT course FROM assignments a JOIN applications p ON p.id = a.application_id WHERE p.reference = '${order[0]}'")" OBG-410
is "the third drawn its second (OBG-410 was full)" "$(sql "SELECT course FROM assignments a JOIN applications p ON p.id = a.application_id WHERE p.reference = '${order[2]}'")" NEU-320
first_wait=${order[3]}
second_wait=${order[4]}
clerkctl show "$first_wait" --json | tr -d ' \n' >"$T/w.json"
ok "the waitlist in JSON: course, block, position in draw order" grep -q '"waitlist":\[{"course":"NEU-320","block":"2027-03","position":1},{"course":"OBG-410","block":"2027-03","position":1}\]' "$T/w.json"
ok "  and the next drawn second" grep -q '"position":2' <(clerkctl show "$second_wait" --json | tr -d ' \n')
ok "assignments in JSON" grep -q '"assignments" : \[' <(clerkctl show "${order[0]}" --json)
ok "list --json has them too" grep -q '"course" : "OBG-410"' <(clerkctl list --json)
is "export --csv assignments: a header and a row per seat" "$(clerkctl export --csv assignments | wc -l)" 4
ok "export --csv waitlist names the first waiting" grep -q "^2027-03,OBG-410,1,$first_wait," <(clerkctl export --csv waitlist)
ok "drawing again with the same seed only reports" clerkctl schedule 2027-03 --seed 4242
ok "clerkctl lotteries shows the seed for audit" grep -q "seed=4242" <(clerkctl lotteries 2027-03)
ok "  and the draw order" grep -q -F "${order[0]}" <(clerkctl lotteries 2027-03 --json)
bash -c "'$CLERKCTL' --config '$T/clerkd.conf' schedule 2027-03 --seed 1 2>/dev/null"
is "another seed for a drawn block is refused" "$?" 1

ok "results: run" run_clerkd
# Five results, the summary to staff and OBG-410's roster to its coordinator
# (NEU-320 has none: its roster is in the summary; tests/e2e_rosters.sh).
is "each applicant told once" "$(sink_count)" "$((replies + 7))"
is "  staff and the OBG-410 coordinator once each" \
	"$(mails_to registrar@example.edu) $(mails_to obgyn-coordinator@example.edu)" "1 1"
for n in "${names[@]}"; do
	is "$n: one result mail" "$(mails_to "$n@med.example.edu")" 2
done
seated_email=$(sql "SELECT email FROM applications WHERE reference = '${order[0]}'")
ok "the seated are told their course, hospital and dates" grep -q -F "OBG-410 Maternal-Fetal Medicine, Women's Hospital (Obstetrics and Gynecology), block 2027-03: 1-26 March 2027" <(last_to "$seated_email")
ok "  and what to do next (malpractice proof)" grep -q "malpractice" <(last_to "$seated_email")
wait_email=$(sql "SELECT email FROM applications WHERE reference = '$first_wait'")
ok "the waitlisted are told their position" grep -q "waitlisted for OBG-410 in block 2027-03: position 1" <(last_to "$wait_email")


# The .ics parts of the newest mail to an address, parsed with Python's
# icalendar: "METHOD UID DTSTART DTEND SEQUENCE STATUS filename content-type" a line.
# Debian's python3-icalendar is /usr/bin/python3's (another python3 may come first in PATH).
ICS_PY=python3
python3 -c 'import icalendar' 2>/dev/null || ICS_PY=/usr/bin/python3
ics_of() {
	local f
	for f in $(ls -t "$T"/sink/*); do
		"$MAILCAT" -h To "$f" | grep -q -i -F "$1" || continue
		"$ICS_PY" - "$f" <<'PY'
import sys, email, email.policy, icalendar
msg = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
for part in msg.walk():
    if part.get_content_type() != 'text/calendar':
        continue
    raw = part.get_payload(decode=True)
    raw.decode('utf-8')  # strictly UTF-8
    cal = icalendar.Calendar.from_ical(raw)
    for ev in cal.walk('VEVENT'):
        print(cal['METHOD'], ev['UID'], ev.decoded('DTSTART').isoformat(),
              ev.decoded('DTEND').isoformat(), ev.get('SEQUENCE'), ev.get('STATUS'),
              part.get_filename(), part.get_params()[1:], ev['LOCATION'])
PY
		return 0
	done
	return 1
}
ics_of "$seated_email" >"$T/ics1"
ok "the seated get a calendar entry, parsed by Python's icalendar" grep -q "^PUBLISH .* 2027-03-01 2027-03-27 0 CONFIRMED clerkship-OBG-410-2027-03.ics " "$T/ics1"
ok "  as text/calendar; method=PUBLISH" grep -q -F "('method', 'PUBLISH')" "$T/ics1"
ok "  in UTF-8" grep -q -F "('charset', 'utf-8')" "$T/ics1"
ok "  at the course's hospital" grep -q -F "Women's Hospital, Obstetrics and Gynecology" "$T/ics1"
seated_uid=$(cut -d' ' -f2 "$T/ics1")
ok "  with a UID ($seated_uid)" test -n "$seated_uid"
is "the waitlisted get none" "$(ics_of "$wait_email")" ""

# The acceptance letter: a PDF beside the .ics, its text layer read with pdftotext.
pdf_of() {	# pdf_of ADDR OUT: the first PDF of the newest mail to ADDR; prints its name and type
	local f
	for f in $(ls -t "$T"/sink/*); do
		"$MAILCAT" -h To "$f" | grep -q -i -F "$1" || continue
		python3 - "$f" "$2" <<'PY'
import sys, email, email.policy
msg = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
for part in msg.walk():
    if part.get_content_type() == 'application/pdf':
        open(sys.argv[2], 'wb').write(part.get_payload(decode=True))
        print(part.get_filename(), part.get_content_type())
        break
PY
		return 0
	done
	return 1
}
seated_name=$(sql "SELECT name FROM applications WHERE reference = '${order[0]}'")
is "the seated get an acceptance letter" "$(pdf_of "$seated_email" "$T/letter1.pdf")" \
	"acceptance-letter-OBG-410-2027-03.pdf application/pdf"
pdftotext -enc UTF-8 "$T/letter1.pdf" "$T/letter1.txt"
ok "  its text has the student's name ($seated_name)" grep -q -F "$seated_name" "$T/letter1.txt"
ok "  the course" grep -q -F "OBG-410 Maternal-Fetal Medicine" "$T/letter1.txt"
ok "  the hospital" grep -q -F "Women's Hospital" "$T/letter1.txt"
ok "  the dates" grep -q -F "1-26 March 2027" "$T/letter1.txt"
ok "  the reference" grep -q -F "${order[0]}" "$T/letter1.txt"
ok "  on A4 (policy letter_paper)" grep -q -F "595.276 x 841.89 pts" <(pdfinfo "$T/letter1.pdf")
is "the waitlisted get no letter" "$(pdf_of "$wait_email" "$T/letter2.pdf")" ""

# ---- cancel: nothing until confirmed ----
before=$(sink_count)
mkmail "$T/cancel.eml" "Someone <$seated_email>" "Cancel [${order[0]}]" "I can no longer come."
deliver "$T/cancel.eml"
ok "cancel: run" run_clerkd
is "one reply" "$(sink_count)" "$((before + 1))"
confirm=$(ls -t "$T"/sink/* | head -1)
token=$("$MAILCAT" -h Subject "$confirm" | grep -o -E 'confirm [A-Z0-9]{10}' | cut -d' ' -f2)
ok "it asks for confirmation with a token in the subject ($token)" test -n "$token"
is "an unconfirmed cancel changes nothing" "$(sql "SELECT status FROM applications WHERE reference = '${order[0]}'")" scheduled

# A confirmation from another address does nothing (that address has no application).
mkmail "$T/forged.eml" "Mallory <mallory@elsewhere.example.net>" "Re: Cancel [${order[0]}] (confirm $token)" "confirm $token"
deliver "$T/forged.eml"
ok "forged confirmation: run" run_clerkd
is "a token from another address changes nothing" "$(sql "SELECT status FROM applications WHERE reference = '${order[0]}'")" scheduled

before=$(sink_count)
mkmail "$T/confirm.eml" "Someone <$seated_email>" "AW: [EXTERNAL] RE: $("$MAILCAT" -h Subject "$confirm")" "Yes, please."
deliver "$T/confirm.eml"
ok "confirmation: run" run_clerkd
is "confirmed: cancelled" "$(sql "SELECT status FROM applications WHERE reference = '${order[0]}'")" cancelled
is "the freed seat is offered to the first waitlisted, not given" "$(sql "SELECT status FROM applications WHERE reference = '$first_wait'")" waitlisted
ok "  the offer in show --json" grep -q '"offers":\[{"course":"OBG-410","block":"2027-03","expires":"2026-10-23"}\]' <(clerkctl show "$first_wait" --json | tr -d ' \n')
is "both are told" "$(sink_count)" "$((before + 2))"
ok "the canceller gets the confirmation" grep -q "cancellation is confirmed" <(last_to "$seated_email")
ics_of "$seated_email" >"$T/ics2"
ok "  with a CANCEL for the same UID" grep -q -F "CANCEL $seated_uid 2027-03-01 2027-03-27 1 CANCELLED clerkship-OBG-410-2027-03.ics" "$T/ics2"
offer=$(for f in $(ls -t "$T"/sink/*); do "$MAILCAT" -h To "$f" | grep -q -i -F "$wait_email" && { echo "$f"; break; }; done)
ok "the first waitlisted is offered the seat" grep -q "A seat is now free for you" <(last_to "$wait_email")
otoken=$("$MAILCAT" -h Subject "$offer" | grep -o -E 'confirm [A-Z0-9]{10}' | cut -d' ' -f2)
ok "  with a token to accept ($otoken)" test -n "$otoken"
mkmail "$T/accept.eml" "Someone <$wait_email>" "Yes" "I accept: confirm $otoken"
deliver "$T/accept.eml"
ok "offer accepted: run" run_clerkd
is "accepted: scheduled" "$(sql "SELECT status FROM applications WHERE reference = '$first_wait'")" scheduled
is "  in the course freed" "$(sql "SELECT course FROM assignments a JOIN applications p ON p.id = a.application_id WHERE p.reference = '$first_wait' AND a.state = 'active'")" OBG-410
is "the next one moves up" "$(clerkctl show "$second_wait" --json | tr -d ' \n' | grep -o '"course":"OBG-410","block":"2027-03","position":[0-9]*')" '"course":"OBG-410","block":"2027-03","position":1'
ok "the student is told the seat is theirs" grep -q "The seat is yours now" <(last_to "$wait_email")
ok "cancelled applications are listed" grep -q '"status" : "cancelled"' <(clerkctl list --json)
is "the token is single-use" "$(sql "SELECT count(*) FROM confirmations WHERE token = '$token' AND used_at IS NOT NULL")" 1

# ---- an evaluation form goes to the course's coordinator ----
mkmail "$T/eval.eml" "Someone <$wait_email>" "Evaluation form [$first_wait]" "My school's form is attached." "Evaluation form.pdf"
deliver "$T/eval.eml"
ok "evaluation form: run" run_clerkd
is "filed as evaluation-form" "$(sql "SELECT kind FROM documents WHERE filename = 'Evaluation form.pdf'")" evaluation-form
ok "routed to the coordinator of the student's course (OBG-410)" grep -q "For the coordinator of OBG-410" <(all_to obgyn-coordinator@example.edu)
ok "  with the form attached" grep -q -l 'filename="Evaluation form.pdf"' $(grep -l -i "To: obgyn-coordinator@example.edu" "$T"/sink/*)
ok "  and the student gets the usual receipt" grep -q -F "Evaluation form.pdf (" <(last_to "$wait_email")

# ---- change: a course (confirmed by In-Reply-To alone), and dates (refused) ----
third=${order[1]}
third_email=$(sql "SELECT email FROM applications WHERE reference = '$third'")
before=$(sink_count)
mkmail "$T/change.eml" "Someone <$third_email>" "Change of course [$third]" "Could I move to PED-430 instead?"
deliver "$T/change.eml"
ok "change: run" run_clerkd
ask=$(ls -t "$T"/sink/* | head -1)
ok "a course change asks for confirmation" grep -q -E 'confirm [A-Z0-9]{10}' <("$MAILCAT" -h Subject "$ask")
is "nothing changed yet" "$(sql "SELECT course FROM assignments a JOIN applications p ON p.id = a.application_id WHERE p.reference = '$third' AND a.state = 'active'")" OBG-410
{
	printf 'From: %s\nTo: clerkship@example.edu\nSubject: Re: ok\nMessage-ID: <irt-%s@example.org>\n' "$third_email" "$RANDOM"
	printf 'In-Reply-To: %s\n\nYes\n' "$("$MAILCAT" -h Message-ID "$ask")"
} >"$T/irt.eml"
deliver "$T/irt.eml"
ok "In-Reply-To confirmation: run" run_clerkd
is "confirmed by In-Reply-To: moved" "$(sql "SELECT course FROM assignments a JOIN applications p ON p.id = a.application_id WHERE p.reference = '$third' AND a.state = 'active'")" PED-430
is "its old seat is offered to the next waitlisted" "$(sql "SELECT course FROM offers o JOIN applications p ON p.id = o.application_id WHERE p.reference = '$second_wait' AND o.state = 'open'")" OBG-410

before=$(sink_count)
mkmail "$T/dates.eml" "Someone <$third_email>" "Change of dates [$third]" "Could I do my PED-430 from March 15 to April 12 instead?"
deliver "$T/dates.eml"
ok "dates: run" run_clerkd
ok "a change of dates is refused with the policy" grep -q "cannot change the dates" <(last_to "$third_email")
is "  with no confirmation asked" "$(sql "SELECT count(*) FROM confirmations c JOIN applications a ON a.id = c.application_id WHERE a.reference = '$third'")" 1

# ---- questions ----
mkmail "$T/q1.eml" "Nina Novak <nina.novak@med.example.si>" "Availability" "Hello, is PED-430 open in March?"
mkmail "$T/q2.eml" "Someone <$third_email>" "Question" "If I complete everything, am I guaranteed a place?"
mkmail "$T/q3.eml" "Someone <$third_email>" "Question" "Can my dog come along to the hospital?"
deliver "$T/q1.eml" "$T/q2.eml" "$T/q3.eml"
ok "questions: run" run_clerkd
last_to nina.novak@med.example.si >"$T/q1"
ok "availability answered from the live seats" grep -q -F "block 2027-03 (1-26 March 2027): open, 2 of 3 seats available" "$T/q1"
ok "  with the instructions and form of a first contact" grep -q "^Full name:" "$T/q1"
ok "a FAQ question gets the program's answer" grep -q "It does not guarantee a place" <(all_to "$third_email")
ok "an unanswerable one goes to staff" grep -q "could not answer" <(last_to registrar@example.edu)
ok "  and the student is told so" grep -q "sent your message to a coordinator" <(all_to "$third_email")

# ---- late applicants, a staff cancel, and the block's start ----
for n in Finn Gus; do
	mkmail "$T/$n.eml" "$n Late <$n@med.example.edu>" "Application" \
		"$(form "$n Late" "$n@med.example.edu" 'c1=NEU-320 2027-03' 'c2=OBG-410 2027-03' "$CORES")" "${DOCS[@]}"
	deliver "$T/$n.eml"
done
ok "late complete applications: run" run_clerkd
is "after the lottery, late applicants are waitlisted when all is full" \
	"$(sql "SELECT group_concat(status) FROM applications WHERE email IN ('finn@med.example.edu', 'gus@med.example.edu')")" "waitlisted,waitlisted"
ok "  and told so in their one reply" grep -q "Status: waitlisted" <(last_to finn@med.example.edu)
ok "staff cancel without a token" clerkctl cancel "$second_wait"
is "cancelled" "$(sql "SELECT status FROM applications WHERE reference = '$second_wait'")" cancelled
is "  its open offer withdrawn" "$(sql "SELECT state FROM offers o JOIN applications p ON p.id = o.application_id WHERE p.reference = '$second_wait'")" withdrawn
is "the seat is offered to the first late one" "$(sql "SELECT course FROM offers o JOIN applications p ON p.id = o.application_id WHERE p.email = 'finn@med.example.edu' AND o.state = 'open'")" OBG-410
ok "offer to the late one: run" run_clerkd
finn_offer=$(for f in $(ls -t "$T"/sink/*); do "$MAILCAT" -h To "$f" | grep -q -i -F finn@med.example.edu && { echo "$f"; break; }; done)
{
	printf 'From: Finn Late <finn@med.example.edu>\nTo: clerkship@example.edu\nSubject: Re: %s\n' "$("$MAILCAT" -h Subject "$finn_offer")"
	printf 'Message-ID: <finn-yes-%s@example.org>\nIn-Reply-To: %s\n\nYes, thank you.\n' "$RANDOM" "$("$MAILCAT" -h Message-ID "$finn_offer")"
} >"$T/finn-yes.eml"
deliver "$T/finn-yes.eml"
ok "accepted by a threaded reply: run" run_clerkd
is "the first late one takes the seat" "$(sql "SELECT status FROM applications WHERE email = 'finn@med.example.edu'")" scheduled
CLERKD_NOW=2027-03-01 clerkctl due >"$T/due"
ok "at the block's start clerkctl due closes the waitlists" grep -q "block 2027-03 started" "$T/due"
is "the waitlisted become not-scheduled" "$(sql "SELECT status FROM applications WHERE email = 'gus@med.example.edu'")" not-scheduled
ok "not-scheduled: run" run_clerkd
ok "and are told" grep -q "Status: not scheduled" <(last_to gus@med.example.edu)
ok "the one who accepted was told the seat is theirs" grep -q "The seat is yours now" <(all_to finn@med.example.edu)
is "inbox emptied" "$(mailbox_count INBOX)" 0

# ---- the daemon draws a lottery when it is due ----
for n in Hal Ivy; do
	mkmail "$T/$n.eml" "$n May <$n@med.example.edu>" "Application" \
		"$(form "$n May" "$n@med.example.edu" 'c1=MED-401 2027-05' 'c2=SUR-512 2027-05')" "${DOCS[@]}"
	deliver "$T/$n.eml"
done
ok "May applicants: run" env CLERKD_NOW=2027-01-10 "$CLERKD" --config "$T/clerkd.conf" --once
is "both complete" "$(sql "SELECT group_concat(status) FROM applications WHERE email IN ('hal@med.example.edu', 'ivy@med.example.edu')")" "complete,complete"
before=$(sink_count)
# 2027-05 starts on 2027-05-03: 39 days after 2027-03-25, within lead_days (45).
CLERKD_NOW=2027-03-25 "$CLERKD" --config "$T/clerkd.conf" >>"$T/clerkd.log" 2>&1 &
pid=$!
drawn() { [ "$(sql "SELECT count(*) FROM lotteries WHERE block = '2027-05'")" = 1 ] && [ "$(sink_count)" -ge "$((before + 2))" ]; }
waited=0
while ! drawn && [ "$waited" -lt 100 ]; do sleep 0.1; waited=$((waited + 1)); done
ok "the daemon draws the 2027-05 lottery when due" drawn
is "both seated (seats enough)" "$(sql "SELECT group_concat(status) FROM applications WHERE email IN ('hal@med.example.edu', 'ivy@med.example.edu')")" "scheduled,scheduled"
ok "and told" grep -q "the lottery for block 2027-05 has been drawn" <(last_to ivy@med.example.edu)
kill -TERM "$pid"
wait "$pid"
is "the daemon stops cleanly" "$?" 0
is "no lottery for a block not yet due" "$(sql "SELECT count(*) FROM lotteries WHERE block > '2027-05'")" 0
# Staff find Hal's IGRA is of 15 May 2026 (its date had stood in): it expires
# on 15 May 2027, before his block ends. (A student cannot be complete with such
# a result: the rules want it valid to the block's end; a seat already held is kept.)
ok "staff set the date of Hal's IGRA" clerkctl doc accept "$(ref_of hal@med.example.edu)" tb-igra --date 2026-05-15
is "  he keeps his seat" "$(sql "SELECT status FROM applications WHERE email = 'hal@med.example.edu'")" scheduled

# ---- reminders, each once ----
before=$(sink_count)
CLERKD_NOW=2027-04-28 clerkctl due >"$T/due2"
ok "the week before the block: a reminder to each scheduled student" grep -q -c "reminder (block)" "$T/due2"
is "  both of them" "$(grep -c 'reminder (block)' "$T/due2")" 2
# The TB result expiring before the block's end.
is "a TB result expiring before the block ends: one reminder, to its student" \
	"$(sql "SELECT group_concat(a.email) FROM reminders r JOIN applications a ON a.id = r.application_id WHERE r.kind = 'tb-expiry'")" hal@med.example.edu
CLERKD_NOW=2027-04-29 clerkctl due >"$T/due3"
is "each reminder only once" "$(grep -c 'reminder' "$T/due3")" 0
ok "reminders: run" run_clerkd
ok "the student reads it" grep -q "TB screening result expires before the end" <(all_to hal@med.example.edu)
mkmail "$T/kim.eml" "Kim Slow <kim@med.example.edu>" "Application" "$(form "Kim Slow" "kim@med.example.edu")"
deliver "$T/kim.eml"
ok "an incomplete application: run" run_clerkd
later=$(date -u -d '+20 days' +%F)
CLERKD_NOW=$later clerkctl due >"$T/due4"
ok "documents still missing 14 days after our last mail: a reminder" grep -q "reminder (missing)" "$T/due4"
sql "INSERT INTO bounces (outbox_id, address) SELECT max(id), 'kim@med.example.edu' FROM outbox"
sql "DELETE FROM reminders WHERE kind = 'missing'"
CLERKD_NOW=$later clerkctl due >"$T/due5"
is "never to an address that bounces" "$(grep -c 'reminder (missing)' "$T/due5")" 0
done_testing
