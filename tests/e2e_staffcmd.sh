#!/bin/bash
# End to end, against a real Dovecot and SMTP receiver: staff run the
# program by mail (issue #17). An authenticated staff message whose own
# lines are commands is one batch: all take effect or none; the reply to
# staff lists each outcome; each student affected gets one mail. Commands
# that are not authenticated staff change nothing: one notice to staff, no
# reply. Each verb is also a clerkctl command.
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20

servers_start
sed -i 's/^\[staff\]$/[staff]\ntrusted_authserv_id = mx.example.edu/' "$T/clerkd.conf"
STAFF="Registrar <registrar@example.edu>"
AUTH="Authentication-Results: mx.example.edu; spf=pass smtp.mailfrom=example.edu; dkim=pass header.d=example.edu header.s=s1; dmarc=pass header.from=example.edu\n"

doc_of() {	# doc_of REF FILENAME: "state kind doc_date dated pending positive"
	sql "SELECT d.state || ' ' || coalesce(d.kind, '-') || ' ' || d.doc_date || ' ' || d.dated || ' ' || d.pending || ' ' || d.positive
	     FROM documents d JOIN applications a ON a.id = d.application_id
	     WHERE a.reference = '$1' AND d.filename = '$2' ORDER BY d.id DESC LIMIT 1"
}
doc_id() { sql "SELECT d.id FROM documents d JOIN applications a ON a.id = d.application_id WHERE a.reference = '$1' AND d.filename = '$2'"; }
seats_of() { sql "SELECT group_concat(s.course || ' ' || s.block || ' ' || s.how, ';') FROM assignments s JOIN applications a ON a.id = s.application_id WHERE a.reference = '$1' AND s.state = 'active'"; }
email_of() { sql "SELECT email FROM applications WHERE reference = '$1'"; }
events_like() { sql "SELECT count(*) FROM events e JOIN applications a ON a.id = e.application_id WHERE a.reference = '$1' AND e.what LIKE '$2'"; }
N=0
# staff_mail BODY [FROM [HEADERS]]: a staff message, authenticated unless told otherwise.
staff_mail() {
	N=$((N + 1))
	EXTRA_HEADERS=${3-$AUTH} mkmail "$T/staff-$N.eml" "${2:-$STAFF}" "Commands" "$1"
	deliver "$T/staff-$N.eml"
}

ALL_DOCS=("Dean's letter.pdf" "Official Transcript.pdf" "Immunization record.pdf" "Titers.pdf" "PPD_1.pdf" "PPD_2.pdf" "Health insurance card.jpg")
mkmail "$T/jane.eml" "Jane Doe <jane.doe@med.example.edu>" "Visiting clerkship application" \
	"$(form 'Jane Doe' jane.doe@med.example.edu)\nDocuments: PPD_1.pdf = tb-ppd 2026-09-01; PPD_2.pdf = tb-ppd 2026-09-09\n" "${ALL_DOCS[@]}"
mkmail "$T/lena.eml" "Lena Fischer <lena.fischer@med.example.edu>" "Application for a visiting clerkship" \
	"$(form 'Lena Fischer' lena.fischer@med.example.edu)" "Dean's letter.pdf" "transcript.pdf" \
	"Vaccination record.pdf" "Titers.pdf" "insurance.pdf" "IMG_2041.jpg"
deliver "$T/jane.eml" "$T/lena.eml"
ok "two applications: run" run_clerkd
jane=$(ref_of jane.doe@med.example.edu)
lena=$(ref_of lena.fischer@med.example.edu)
is "Jane is complete" "$(status_of "$jane")" complete
is "Lena is incomplete: her TB test is a photo clerkd cannot read" "$(missing_of "$lena")" '"missing":["tb-ppd"]'

# ---- 0. commands that are not authenticated staff change nothing ----
before=$(sink_count)
staff_mail "accept $lena transcript.pdf\naddress $lena mallory@evil.example" "$STAFF" ""
ok "a spoofed staff command mail: run" run_clerkd
is "  the address is unchanged" "$(email_of "$lena")" lena.fischer@med.example.edu
is "  one mail: the notice to staff (the sender gets no reply)" "$(sink_count)" "$((before + 1))"
ok "  which names the commands" grep -q -F "address $lena mallory@evil.example" <(last_to registrar@example.edu)
ok "  and says it was not authenticated" grep -q "not authenticated" <(last_to registrar@example.edu)
before=$(sink_count)
staff_mail "address $lena mallory@evil.example\nreply $lena\nYour seat is cancelled." "Mal Lory <mallory@evil.example>" ""
ok "commands from an address not on the staff list: run" run_clerkd
is "  the address is unchanged" "$(email_of "$lena")" lena.fischer@med.example.edu
is "  one notice to staff" "$(sink_count)" "$((before + 1))"
is "  no reply to the sender" "$(mails_to mallory@evil.example)" 0
ok "  the notice says why" grep -q "not on the staff list" <(last_to registrar@example.edu)

# ---- 0b. a held message: the staff notice carries the commands to accept it ----
mkmail "$T/friend.eml" "A Friend <friend@example.org>" "Document for $lena" "Lena asked me to send this." "Good standing letter.pdf"
deliver "$T/friend.eml"
ok "mail from another address quoting Lena's reference: run" run_clerkd
held_id=$(doc_id "$lena" "Good standing letter.pdf")
ok "the staff notice has the command to accept it" grep -q -x "accept $lena $held_id" <(last_to registrar@example.edu)
staff_mail "$(last_to registrar@example.edu | grep -x "accept $lena $held_id")\n\n> the notice, quoted"
ok "the command sent back: run" run_clerkd
is "the held document is accepted" "$(doc_of "$lena" "Good standing letter.pdf" | cut -d' ' -f1)" accepted

# ---- 1. kind, accept and note in one message; "Kind regards," is a signature ----
lena_mails=$(mails_to lena.fischer@med.example.edu)
staff_mail "Hello,\n\nkind $lena IMG_2041.jpg tb-igra 2026-10-01\naccept $lena IMG_2041.jpg\nnote $lena Called the student on 20 October.\n\nKind regards,\nRegistrar"
ok "kind, accept, note: run" run_clerkd
is "the photo is an accepted IGRA dated 1 October" "$(doc_of "$lena" IMG_2041.jpg)" "accepted tb-igra 2026-10-01 1 0 0"
is "Lena is complete now" "$(status_of "$lena")" complete
is "the note is in her history" "$(events_like "$lena" 'note: Called the student on 20 October.%')" 1
last_to registrar@example.edu >"$T/r"
ok "the reply to staff: all three carried out (the signature is no command)" grep -q "All 3 commands of your message were carried out" "$T/r"
ok "  it lists each command with its outcome" grep -q -F "> kind $lena IMG_2041.jpg tb-igra 2026-10-01" "$T/r"
ok "  ... done" grep -q "done: document #[0-9]* (IMG_2041.jpg) accepted as" "$T/r"
ok "  and names the reference in its subject" grep -q "^Subject: .*\[$lena\]" <("$MAILCAT" -h Subject "$(ls -t "$T"/sink/* | head -1)" | sed 's/^/Subject: /')
is "Lena gets one mail" "$(mails_to lena.fischer@med.example.edu)" "$((lena_mails + 1))"
last_to lena.fischer@med.example.edu >"$T/r"
ok "  which says what changed" grep -q "IMG_2041.jpg: accepted as" "$T/r"
ok "  and where she stands" grep -q -i "complete" "$T/r"
ok "  and not the staff note" test "$(grep -c "Called the student" "$T/r")" = 0

# ---- 2. test results: pending (clerkctl), then negative (mail) ----
ok "clerkctl pending: the same verb" clerkctl pending "$lena" IMG_2041.jpg
is "the result is pending" "$(doc_of "$lena" IMG_2041.jpg)" "accepted tb-igra 2026-10-01 1 1 0"
staff_mail "positive $lena IMG_2041.jpg"
ok "positive: run" run_clerkd
is "the result is positive" "$(doc_of "$lena" IMG_2041.jpg)" "accepted tb-igra 2026-10-01 1 0 1"
staff_mail "negative $lena $(doc_id "$lena" IMG_2041.jpg)"
ok "negative: run" run_clerkd
is "the result is negative, by the document's id" "$(doc_of "$lena" IMG_2041.jpg)" "accepted tb-igra 2026-10-01 1 0 0"
is "Lena is complete" "$(status_of "$lena")" complete

# ---- 3. reject, with a file name of several words ----
jane_mails=$(mails_to jane.doe@med.example.edu)
staff_mail "reject $jane Health insurance card.jpg The card expired in 2025."
ok "reject: run" run_clerkd
is "the card is rejected" "$(doc_of "$jane" "Health insurance card.jpg" | cut -d' ' -f1)" rejected
is "Jane is incomplete again" "$(status_of "$jane")" incomplete
is "Jane gets one mail" "$(mails_to jane.doe@med.example.edu)" "$((jane_mails + 1))"
ok "  with the reason" grep -q "The reason: The card expired in 2025." <(last_to jane.doe@med.example.edu)

# ---- 4. a batch that fails half-way changes nothing ----
before=$(sink_count)
jane_mails=$(mails_to jane.doe@med.example.edu)
staff_mail "accept $jane Health insurance card.jpg\naddress $jane jane.new@med.example.edu\naccept $jane 9999\nstatus ECP-2026-99999"
ok "half-way failure: run" run_clerkd
is "the card is still rejected" "$(doc_of "$jane" "Health insurance card.jpg" | cut -d' ' -f1)" rejected
is "the address is unchanged" "$(email_of "$jane")" jane.doe@med.example.edu
is "Jane is still incomplete" "$(status_of "$jane")" incomplete
is "only the reply to staff is sent" "$(sink_count)" "$((before + 1))"
is "Jane is told nothing" "$(mails_to jane.doe@med.example.edu)" "$jane_mails"
last_to registrar@example.edu >"$T/r"
ok "the reply says at the top that nothing changed" grep -q "NOTHING WAS CHANGED: 2 of the 4 commands" "$T/r"
ok "  names the missing document" grep -q "REFUSED: document not found: $jane has no document \"9999\"" "$T/r"
ok "  and the unknown reference" grep -q "REFUSED: unknown reference: there is no application ECP-2026-99999" "$T/r"

# ---- 5. the same, corrected: accept and a new address, one mail to the new address ----
staff_mail "accept $jane Health insurance card.jpg health-insurance 2026-09-15\naddress $jane jane.new@med.example.edu"
ok "accept and address: run" run_clerkd
is "the card is accepted, with its date" "$(doc_of "$jane" "Health insurance card.jpg")" "accepted health-insurance 2026-09-15 1 0 0"
is "the address is the new one" "$(email_of "$jane")" jane.new@med.example.edu
is "Jane is complete" "$(status_of "$jane")" complete
is "the old address is told nothing more" "$(mails_to jane.doe@med.example.edu)" "$jane_mails"
is "one mail to the new address" "$(mails_to jane.new@med.example.edu)" 1
ok "  that says both changes" grep -q -z "accepted as Proof of health insurance.*now jane.new@med.example.edu" <(last_to jane.new@med.example.edu | tr '\n' ' ')

# ---- 6. assign before the lottery; the lottery leaves the seat alone ----
staff_mail "Please seat Jane (faculty invitation):\nassign $jane MED-420 2027-03\nThanks"
ok "assign: run" run_clerkd
is "Jane holds the seat, given by staff" "$(seats_of "$jane")" "MED-420 2027-03 staff"
is "Jane is scheduled" "$(status_of "$jane")" scheduled
ok "  and is told" grep -q "You have a seat in MED-420" <(last_to jane.new@med.example.edu)
ok "the lottery of 2027-03: run" clerkctl schedule 2027-03 --seed 7
is "Jane still holds only her assigned seat (out of the lottery's pool)" "$(seats_of "$jane")" "MED-420 2027-03 staff"
is "Lena is placed by the lottery" "$(sql "SELECT count(*) FROM assignments s JOIN applications a ON a.id = s.application_id WHERE a.reference = '$lena' AND s.state = 'active' AND s.how = 'lottery'")" 1
staff_mail "assign $lena SUR-512 2027-03"
ok "assign after the lottery: run" run_clerkd
is "Lena's seat is now the one assigned, in place of the drawn one" "$(seats_of "$lena")" "SUR-512 2027-03 staff"
staff_mail "assign $lena NEU-999 2027-03"
ok "assign to an unknown course: run" run_clerkd
ok "  is refused" grep -q "REFUSED: NEU-999 is not a course of the catalog" <(last_to registrar@example.edu)

# ---- 7. unassign (clerkctl) ----
ok "clerkctl unassign" clerkctl unassign "$jane" MED-420 2027-03
is "Jane holds no seat" "$(seats_of "$jane")" ""
ok "clerkctl status shows her documents with their ids" grep -q "health-insurance" <(clerkctl status "$jane")
ok "clerkctl refuses an unknown document, exit 1" test "$(clerkctl accept "$jane" 9999 >/dev/null 2>&1; echo $?)" = 1

# ---- 8. reply: the text goes to the student, threaded, from the program ----
lena_mails=$(mails_to lena.fischer@med.example.edu)
staff_mail "reply $lena\n\nDear Lena,\n\nyour IGRA result was received. Please bring the original on your first day.\n\nKind regards,\nThe registrar's office\n\n> an old quote\n"
ok "reply: run" run_clerkd
is "Lena gets one mail" "$(mails_to lena.fischer@med.example.edu)" "$((lena_mails + 1))"
last_to lena.fischer@med.example.edu >"$T/r"
ok "  with the coordinator's text" grep -q "Please bring the original on your first day." "$T/r"
ok "  and not the quoted part" test "$(grep -c "an old quote" "$T/r")" = 0
ok "  from the program's address" grep -q "clerkship@example.edu" <(header_to lena.fischer@med.example.edu From)
is "  threaded to her own message" "$(header_to lena.fischer@med.example.edu In-Reply-To | tr -d '<> ')" "$(sql "SELECT message_id FROM ledger WHERE sender = 'lena.fischer@med.example.edu' ORDER BY id DESC LIMIT 1")"

# ---- 9. status and help: staff only ----
lena_mails=$(mails_to lena.fischer@med.example.edu)
staff_mail "status $lena\nhelp\noverride $lena english-test Native speaker, confirmed by phone."
ok "status, help, override of an unknown rule: run" run_clerkd
last_to registrar@example.edu >"$T/r"
ok "the unknown rule is refused" grep -q "REFUSED: \"english-test\" is not a rule we know" "$T/r"
staff_mail "status $lena\nhelp"
ok "status and help: run" run_clerkd
last_to registrar@example.edu >"$T/r"
ok "status lists the documents with their ids" grep -q "IMG_2041.jpg" "$T/r"
ok "help lists the verbs" grep -q "assign REF COURSE BLOCK" "$T/r"
is "the student is not mailed for status" "$(mails_to lena.fischer@med.example.edu)" "$lena_mails"

# ---- 11. a staff message without commands is handled as before ----
before=$(sink_count)
staff_mail "Thanks, Jane, see you in March.\n\nKind regards,\nRegistrar"
ok "a copy with no commands: run" run_clerkd
is "  not answered, as before" "$(sink_count)" "$before"
done_testing
