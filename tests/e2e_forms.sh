#!/bin/bash
# End to end, against a real Dovecot and SMTP receiver: the form sent again,
# and choices changed by email (#15; DESIGN "Confirmations").
#   - a corrected form from the registered address updates the same
#     application: each changed field old -> new in the reply and in its
#     history, judged again (ineligible -> complete), still one application;
#   - choices in a form replaced at once while none of their blocks is drawn;
#     the same form again: "nothing changed";
#   - a form that changes a drawn block: other fields at once, the choices
#     wait for a token; confirmed: replaced, the seat given up goes to the
#     waitlist;
#   - a "change" request with new choice lines, confirmed by In-Reply-To;
#   - a form naming another address, and one after a cancel: new applications.
# Every message gets exactly one reply (mails counted).
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20

servers_start
CORES="cores=medicine, surgery, pediatrics, obstetrics-gynecology, neurology"
DOCS=("Dean's letter.pdf" "Transcript.pdf" "Immunization record.pdf" "Titers.pdf" "QuantiFERON.pdf" "Insurance card.jpg")
token_of() { "$MAILCAT" -h Subject "$1" | grep -o -E 'confirm [A-Z0-9]{10}' | cut -d' ' -f2; }
newest() { ls -t "$T"/sink/* | head -1; }
# The choices in the JSON of clerkctl show, "COURSE BLOCK" comma-separated, in order.
choices_of() {
	clerkctl show "$1" --json | tr -d '\n ' | grep -o '"choices":\[[^]]*\]' | head -1 |
		grep -o '"course":"[^"]*","block":"[^"]*"' |
		sed 's/"course":"\([^"]*\)","block":"\([^"]*\)"/\1 \2/' | paste -sd, -
}
apps_of() { sql "SELECT count(*) FROM applications WHERE email = '$1'"; }
seat_of() { sql "SELECT group_concat(course || ' ' || block, ', ') FROM assignments a JOIN applications p ON p.id = a.application_id WHERE p.reference = '$1' AND a.state = 'active'"; }
# A seat held in COURSE, or offered from the waitlist (once offers exist).
holds_or_offered() {
	clerkctl show "$1" --json | tr -d '\n ' | grep -o -E '"(assignments|offers)":\[[^]]*\]' | grep -q "\"$2\""
}
ANA="Ana Lima <ana@med.example.edu>"

# ---- 1. a corrected form: same application, judged again ----
mkmail "$T/a1.eml" "$ANA" "Application" \
	"$(form "Ana Lima" ana@med.example.edu grad=2028-09 "$CORES")" "${DOCS[@]}"
deliver "$T/a1.eml"
ok "first form: run" run_clerkd
ana=$(ref_of ana@med.example.edu)
is "ineligible: graduation too far away" "$(status_of "$ana")" ineligible

before=$(sink_count)
mkmail "$T/a2.eml" "$ANA" "Application (corrected)" \
	"$(form "Ana Lima" ana@med.example.edu grad=2027-05 "$CORES")"
deliver "$T/a2.eml"
ok "corrected form: run" run_clerkd
is "one reply" "$(sink_count)" "$((before + 1))"
is "still one application for the address" "$(apps_of ana@med.example.edu)" 1
is "  with the same reference" "$(ref_of ana@med.example.edu)" "$ana"
is "judged again: complete" "$(status_of "$ana")" complete
last_to ana@med.example.edu >"$T/r2.txt"
ok "the reply carries the reference" grep -q -F "[$ana]" <("$MAILCAT" -h Subject "$(newest)")
is "  in a subject that says the outcome" "$(subject_to ana@med.example.edu)" "Application complete [$ana]"
ok "the reply names the changed field, before -> now" grep -q -F 'Expected graduation: "2028-09" -> "2027-05"' "$T/r2.txt"
ok "  and only that field" test "$(grep -c -- '^  - .* -> ' "$T/r2.txt")" = 1
ok "  says no second application was opened" grep -q "did not open a second application" "$T/r2.txt"
ok "  warns in case someone else sent it" grep -q "If you did not send this, reply at once and tell us." "$T/r2.txt"
ok "  and gives the new status" grep -q -i "complete" "$T/r2.txt"
ok "the history has the correction" grep -q -F "form corrected: expected graduation '2028-09' -> '2027-05'" <(clerkctl show "$ana")
is "the stored form has the new value" "$(sql "SELECT json_extract(form, '$.expected_graduation') FROM applications WHERE reference = '$ana'")" 2027-05
is "the documents sent first are still on file" "$(sql "SELECT count(*) FROM documents d JOIN applications a ON a.id = d.application_id WHERE a.reference = '$ana'")" 6

# ---- 2. choices replaced before any draw; the same form again ----
before=$(sink_count)
mkmail "$T/a3.eml" "$ANA" "Application" \
	"$(form "Ana Lima" ana@med.example.edu "$CORES" 'c1=NEU-320 2027-04' 'c2=MED-401 2027-03')" "Malpractice.pdf"
deliver "$T/a3.eml"
ok "new choices: run" run_clerkd
is "one reply" "$(sink_count)" "$((before + 1))"
is "the choices are replaced at once, in the new order" "$(choices_of "$ana")" "NEU-320 2027-04,MED-401 2027-03"
is "no confirmation asked" "$(sql "SELECT count(*) FROM confirmations")" 0
ok "  and none in the subject" bash -c "! '$MAILCAT' -h Subject '$(newest)' | grep -q confirm"
last_to ana@med.example.edu >"$T/r3.txt"
ok "the reply says the choices were replaced, and what they were" grep -q -F "Your choices: we replaced them with the new list below. Before, they were: MED-401 2027-03, SUR-512 2027-03." "$T/r3.txt"
ok "  and lists the new ones" grep -q -F "1. NEU-320 in block 2027-04 (5-30 April 2027)" "$T/r3.txt"
ok "  and the attachment sent with the form, filed" grep -q "Malpractice.pdf .*filed as" "$T/r3.txt"
is "  which is on file" "$(sql "SELECT kind FROM documents WHERE filename = 'Malpractice.pdf'")" malpractice
ok "the history has old -> new" grep -q -F "choices replaced: MED-401 2027-03, SUR-512 2027-03 -> NEU-320 2027-04, MED-401 2027-03" <(clerkctl show "$ana")
is "still complete" "$(status_of "$ana")" complete

before=$(sink_count)
cp "$T/a3.eml" "$T/a4.eml"
sed -i 's/^Message-ID: <\(.*\)>/Message-ID: <again-\1>/' "$T/a4.eml"
deliver "$T/a4.eml"
ok "the same form again: run" run_clerkd
is "one reply" "$(sink_count)" "$((before + 1))"
ok "  which says nothing changed" grep -q "Nothing changed: this form says the same" <(last_to ana@med.example.edu)
ok "  and is in the history" grep -q "form sent again: nothing changed" <(clerkctl show "$ana")

# ---- 3. a form that changes a drawn block: a token first ----
mkmail "$T/b1.eml" "Bo Chen <bo@med.example.edu>" "Application" \
	"$(form "Bo Chen" bo@med.example.edu "$CORES" 'c1=NEU-320 2027-04' 'c2=')" "${DOCS[@]}"
deliver "$T/b1.eml"
ok "Bo applies: run" run_clerkd
bo=$(ref_of bo@med.example.edu)
is "Bo complete" "$(status_of "$bo")" complete
# NEU-320 has one seat: a seed that gives it to Ana.
seed=
for s in $(seq 1 40); do
	if clerkctl schedule 2027-04 --seed "$s" --dry-run | sed -n '/^seated:/,/^waitlisted:/p' | grep -q "$ana NEU-320"; then
		seed=$s
		break
	fi
done
ok "a seed that seats Ana ($seed)" test -n "$seed"
clerkctl schedule 2027-04 --seed "$seed" >/dev/null
is "Ana seated in NEU-320" "$(seat_of "$ana")" "NEU-320 2027-04"
is "Bo waitlisted" "$(status_of "$bo")" waitlisted
ok "the lottery's notices: run" run_clerkd

before=$(sink_count)
ana_mails=$(mails_to ana@med.example.edu)
mkmail "$T/a5.eml" "Ana Maria Lima <ana@med.example.edu>" "Application" \
	"$(form "Ana Maria Lima" ana@med.example.edu "$CORES" 'c1=MED-401 2027-03' 'c2=SUR-512 2027-03')"
deliver "$T/a5.eml"
ok "form dropping a drawn block: run" run_clerkd
is "one reply" "$(sink_count)" "$((before + 1))"
ask=$(newest)
token=$(token_of "$ask")
ok "it asks for a token ($token)" test -n "$token"
is "  recorded as a change of choices" "$(sql "SELECT action || ' ' || detail FROM confirmations WHERE token = '$token'")" "choices MED-401 2027-03;SUR-512 2027-03"
is "the choices are not changed yet" "$(choices_of "$ana")" "NEU-320 2027-04,MED-401 2027-03"
is "  nor the seat" "$(seat_of "$ana")" "NEU-320 2027-04"
is "  and Bo still waits" "$(status_of "$bo")" waitlisted
is "the name takes effect at once" "$(sql "SELECT name FROM applications WHERE reference = '$ana'")" "Ana Maria Lima"
$MAILCAT "$ask" >"$T/r5.txt"
ok "the reply names the changed name" grep -q -F 'Full name: "Ana Lima" -> "Ana Maria Lima"' "$T/r5.txt"
ok "  says the choices wait, and why" grep -q -F "2027-04 has already run. So we have not changed your choices yet." <(tr '\n' ' ' <"$T/r5.txt")
ok "  lists the new choices" grep -q -F "2. SUR-512 in block 2027-03" "$T/r5.txt"
ok "  says what would be given up" grep -q -F "You would give up a seat in NEU-320 in block 2027-04" <(tr '\n' ' ' <"$T/r5.txt")
ok "  gives the token" grep -q -F "confirm $token" "$T/r5.txt"
ok "  and the warning" grep -q "If you did not send this, reply at once and tell us." "$T/r5.txt"
ok "the history says it waits" grep -q "change of choices asked with the form, waiting for confirmation" <(clerkctl show "$ana")
is "a reply threaded to it would confirm too (its Message-ID is the confirmation's)" \
	"$(sql "SELECT message_id FROM confirmations WHERE token = '$token'" | tr -d '<>')" "$("$MAILCAT" -h Message-ID "$ask" | tr -d '<>')"

bo_mails=$(mails_to bo@med.example.edu)
before=$(sink_count)
mkmail "$T/a6.eml" "$ANA" "RE: $("$MAILCAT" -h Subject "$ask")" "Yes, I confirm."
deliver "$T/a6.eml"
ok "confirmed: run" run_clerkd
is "the choices are replaced" "$(choices_of "$ana")" "MED-401 2027-03,SUR-512 2027-03"
is "the seat in NEU-320 is given up" "$(seat_of "$ana")" ""
is "Ana waits for the March lottery: complete" "$(status_of "$ana")" complete
ok "the freed seat goes to Bo (a seat, or a seat offered)" holds_or_offered "$bo" NEU-320
is "Ana gets one reply" "$(mails_to ana@med.example.edu)" "$((ana_mails + 2))"
is "Bo is told" "$(mails_to bo@med.example.edu)" "$((bo_mails + 1))"
last_to ana@med.example.edu >"$T/r6.txt"
ok "the reply says the choices changed" grep -q "your choices are changed" "$T/r6.txt"
ok "  before and now" grep -q -F "1. NEU-320 in block 2027-04" "$T/r6.txt"
ok "  the seat given up, and where it goes" grep -q -F "You gave up a seat in NEU-320 in block 2027-04" <(tr '\n' ' ' <"$T/r6.txt")
ok "the history has it" grep -q -F "change of choices confirmed: NEU-320 2027-04, MED-401 2027-03 -> MED-401 2027-03, SUR-512 2027-03" <(clerkctl show "$ana")
is "the token is used" "$(sql "SELECT used_at IS NOT NULL FROM confirmations WHERE token = '$token'")" 1
is "still one application for Ana" "$(apps_of ana@med.example.edu)" 1

# A drawn block untouched still makes a change of choices wait: Bo keeps his
# April choice and adds one in March.
before=$(sink_count)
mkmail "$T/b3.eml" "Bo Chen <bo@med.example.edu>" "Application" \
	"$(form "Bo Chen" bo@med.example.edu "$CORES" 'c1=NEU-320 2027-04' 'c2=MED-401 2027-03')"
deliver "$T/b3.eml"
ok "a form adding a March choice beside a drawn April one: run" run_clerkd
is "one reply" "$(sink_count)" "$((before + 1))"
ok "  asks for a token" test -n "$(token_of "$(newest)")"
is "  and the choices wait" "$(choices_of "$bo")" "NEU-320 2027-04"
sql "UPDATE confirmations SET used_at = datetime('now') WHERE application_id = (SELECT id FROM applications WHERE reference = '$bo')"

# ---- 4. a change request with choice lines ----
CY="Cy Adeyemi <cy@med.example.edu>"
mkmail "$T/c1.eml" "$CY" "Application" "$(form "Cy Adeyemi" cy@med.example.edu "$CORES")" "${DOCS[@]}"
deliver "$T/c1.eml"
ok "Cy applies: run" run_clerkd
cy=$(ref_of cy@med.example.edu)
before=$(sink_count)
mkmail "$T/c2.eml" "$CY" "Change of choices [$cy]" \
	"Dear coordinator,\n\nplease change my choices to these:\n\nChoice 1: PED-430 2027-03\nChoice 2: MED-401 2027-03\n\nThank you,\nCy"
deliver "$T/c2.eml"
ok "change request: run" run_clerkd
is "one reply" "$(sink_count)" "$((before + 1))"
ask=$(newest)
token=$(token_of "$ask")
ok "it asks for a token ($token)" test -n "$token"
is "nothing changed yet" "$(choices_of "$cy")" "MED-401 2027-03,SUR-512 2027-03"
$MAILCAT "$ask" >"$T/rc2.txt"
ok "the reply lists the choices now" grep -q -F "2. SUR-512 in block 2027-03" "$T/rc2.txt"
ok "  and the new ones" grep -q -F "1. PED-430 in block 2027-03 (1-26 March 2027)" "$T/rc2.txt"
ok "  and says nothing changes until confirmed" grep -q "We change nothing until you confirm" "$T/rc2.txt"
before=$(sink_count)
{
	printf 'From: %s\nTo: clerkship@example.edu\nSubject: Re: ok\nMessage-ID: <irt-%s@example.org>\n' "$CY" "$RANDOM"
	printf 'In-Reply-To: %s\n\nYes, please.\n' "$("$MAILCAT" -h Message-ID "$ask")"
} >"$T/c3.eml"
deliver "$T/c3.eml"
ok "confirmed by In-Reply-To: run" run_clerkd
is "one reply" "$(sink_count)" "$((before + 1))"
is "the choices are replaced" "$(choices_of "$cy")" "PED-430 2027-03,MED-401 2027-03"
ok "  and the reply says so" grep -q "your choices are changed" <(last_to cy@med.example.edu)
is "judged again: still complete" "$(status_of "$cy")" complete

before=$(sink_count)
mkmail "$T/c4.eml" "$CY" "Change [$cy]" "Choice 1: PED-430 2027-03\nChoice 2: MED-401 2027-03"
deliver "$T/c4.eml"
ok "the same list again: run" run_clerkd
is "one reply" "$(sink_count)" "$((before + 1))"
ok "  with no token" bash -c "! '$MAILCAT' -h Subject '$(newest)' | grep -q -E 'confirm [A-Z0-9]{10}'"
ok "  which says nothing changed" grep -q "the same as the choices we have" <(last_to cy@med.example.edu)

# A form with no Email: line and a choice line that cannot be read: the
# choices stay, and the reply says why; the address left out is no change.
before=$(sink_count)
mkmail "$T/c6.eml" "$CY" "Application" "Full name: Cy Adeyemi\nMedical school: Example University School of Medicine\nSchool country: United States\nYear of study: final\nChoice 1: PED430 in March"
deliver "$T/c6.eml"
ok "a form with an unreadable choice: run" run_clerkd
is "one reply" "$(sink_count)" "$((before + 1))"
is "  the choices stay" "$(choices_of "$cy")" "PED-430 2027-03,MED-401 2027-03"
last_to cy@med.example.edu >"$T/rc6.txt"
ok "  the reply says the line could not be read" grep -q -F "we could not read 1 of your choice lines" <(tr '\n' ' ' <"$T/rc6.txt")
ok "  and that nothing changed" grep -q "We changed nothing in your application." "$T/rc6.txt"
ok "  the address left out is not a change" bash -c "! grep -q 'Email:' '$T/rc6.txt'"
is "still one application" "$(apps_of cy@med.example.edu)" 1

# A change of course within a held block, without choice lines, still asks as before.
before=$(sink_count)
mkmail "$T/c5.eml" "$CY" "Change of course [$cy]" "Could I move to SUR-512 instead?"
deliver "$T/c5.eml"
ok "course change without choice lines: run" run_clerkd
ok "  is refused as before: no place held yet" grep -q "you do not have a place yet" <(last_to cy@med.example.edu)

# ---- 5. new applications: a form for another address, and after a cancel ----
before=$(sink_count)
mkmail "$T/d1.eml" "$CY" "Application for my friend" "$(form "Dee Roy" dee@med.example.edu "$CORES")"
deliver "$T/d1.eml"
ok "a form naming another address: run" run_clerkd
is "a new application" "$(apps_of cy@med.example.edu)" 2
new=$(ref_of cy@med.example.edu)
ok "  flagged as before" grep -q "form-email-differs" <(clerkctl show "$new" --json)
is "  Cy's own is unchanged" "$(sql "SELECT name FROM applications WHERE reference = '$cy'")" "Cy Adeyemi"
is "one reply" "$(sink_count)" "$((before + 1))"

clerkctl cancel "$bo" >/dev/null
ok "a staff cancel: run" run_clerkd
ok "  Bo is told" grep -q "a coordinator has cancelled your application" <(last_to bo@med.example.edu)
before=$(sink_count)
mkmail "$T/b2.eml" "Bo Chen <bo@med.example.edu>" "Application" \
	"$(form "Bo Chen" bo@med.example.edu "$CORES" 'c1=MED-401 2027-03')"
deliver "$T/b2.eml"
ok "a form after a cancel: run" run_clerkd
is "a new application" "$(apps_of bo@med.example.edu)" 2
ok "  with a new reference" test "$(ref_of bo@med.example.edu)" != "$bo"
ok "  and the usual receipt" grep -q "Thank you for applying" <(last_to bo@med.example.edu)
is "one reply" "$(sink_count)" "$((before + 1))"

done_testing
