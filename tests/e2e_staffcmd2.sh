#!/bin/bash
# End to end, against a real Dovecot and SMTP receiver: the staff commands
# that change an application's standing (issue #17): override (a
# coordinator's exception to a rule or a document kind), reinstate (a
# cancelled application back) and merge (a student who applied twice).
# Each is judged again at once, the student told once; each refused case
# says why; and each is undone with the rest of its batch when another
# command of the same message is refused.
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20

servers_start
sed -i 's/^\[staff\]$/[staff]\ntrusted_authserv_id = mx.example.edu/' "$T/clerkd.conf"
STAFF="Registrar <registrar@example.edu>"
AUTH="Authentication-Results: mx.example.edu; spf=pass smtp.mailfrom=example.edu; dkim=pass header.d=example.edu header.s=s1; dmarc=pass header.from=example.edu\n"
N=0
staff_mail() {	# staff_mail BODY: an authenticated staff message
	N=$((N + 1))
	EXTRA_HEADERS=$AUTH mkmail "$T/staff-$N.eml" "$STAFF" "Commands" "$1"
	deliver "$T/staff-$N.eml"
}
events_like() { sql "SELECT count(*) FROM events e JOIN applications a ON a.id = e.application_id WHERE a.reference = '$1' AND e.what LIKE '$2'"; }
docs_of() { sql "SELECT count(*) FROM documents d JOIN applications a ON a.id = d.application_id WHERE a.reference = '$1'"; }
overrides_of() { sql "SELECT count(*) FROM overrides o JOIN applications a ON a.id = o.application_id WHERE a.reference = '$1'"; }

ALL_DOCS=("Dean's letter.pdf" "Official Transcript.pdf" "Immunization record.pdf" "Titers.pdf" "PPD_1.pdf" "PPD_2.pdf" "Health insurance card.jpg")
DATES="Documents: PPD_1.pdf = tb-ppd 2026-09-01; PPD_2.pdf = tb-ppd 2026-09-09\n"
# Omar: every document, but a TOEFL score under the minimum: ineligible.
mkmail "$T/omar.eml" "Omar Haddad <omar@med.example.edu>" "Visiting clerkship application" \
	"$(form 'Omar Haddad' omar@med.example.edu 'school=University of Tokyo Faculty of Medicine' country=Japan year=6th 'english=TOEFL 80')\n$DATES" \
	"${ALL_DOCS[@]}" "TOEFL score report.pdf"
# Lena: no TB test clerkd can read: incomplete, tb-ppd missing.
mkmail "$T/lena.eml" "Lena Fischer <lena@med.example.edu>" "Application for a visiting clerkship" \
	"$(form 'Lena Fischer' lena@med.example.edu)" "Dean's letter.pdf" "transcript.pdf" \
	"Vaccination record.pdf" "Titers.pdf" "insurance.pdf" "IMG_2041.jpg"
# Kim: complete; cancelled below, then reinstated.
mkmail "$T/kim.eml" "Kim Park <kim@med.example.edu>" "Visiting clerkship application" \
	"$(form 'Kim Park' kim@med.example.edu)\n$DATES" "${ALL_DOCS[@]}"
# Paul applied twice, from two addresses, half of his documents each time.
mkmail "$T/paul1.eml" "Paul Novak <paul@med.example.edu>" "Visiting clerkship application" \
	"$(form 'Paul Novak' paul@med.example.edu)" "Dean's letter.pdf" "Official Transcript.pdf" "Health insurance card.jpg"
mkmail "$T/paul2.eml" "Paul Novak <paul.novak@mail.example.org>" "Visiting clerkship application" \
	"$(form 'Paul Novak' paul.novak@mail.example.org 'c1=NEU-301 2027-04')\n$DATES" "Immunization record.pdf" "Titers.pdf" "PPD_1.pdf" "PPD_2.pdf"
deliver "$T/omar.eml" "$T/lena.eml" "$T/kim.eml" "$T/paul1.eml" "$T/paul2.eml"
ok "five applications: run" run_clerkd
omar=$(ref_of omar@med.example.edu)
lena=$(ref_of lena@med.example.edu)
kim=$(ref_of kim@med.example.edu)
paul=$(ref_of paul@med.example.edu)
paul2=$(ref_of paul.novak@mail.example.org)
is "Omar is ineligible (English)" "$(status_of "$omar")" ineligible
ok "  for the rule english" grep -q '"rule" : "english"' <(clerkctl show "$omar" --json)
is "Lena is incomplete: tb-ppd missing" "$(missing_of "$lena")" '"missing":["tb-ppd"]'
is "Kim is complete" "$(status_of "$kim")" complete
is "Paul's first application is incomplete" "$(status_of "$paul")" incomplete
is "Paul has two applications" "$(sql "SELECT count(*) FROM applications WHERE name = 'Paul Novak'")" 2

# ---- 1. override: refused cases, each undoing its whole batch ----
before=$(sink_count)
staff_mail "override $lena tb-ppd Tested at our hospital on 2 October.\noverride $omar toefl-score Interviewed in English."
ok "override with an unknown rule, in a batch: run" run_clerkd
last_to registrar@example.edu >"$T/r"
ok "  refused: the rule is not known, and where the rules are" grep -q "REFUSED: \"toefl-score\" is not a rule we know. A rule is a section of rules/eligibility.ini" "$T/r"
ok "  nothing was changed" grep -q "NOTHING WAS CHANGED: 1 of the 2 commands" "$T/r"
is "  Lena's exception is not kept either" "$(overrides_of "$lena")" 0
is "  Lena is still incomplete" "$(status_of "$lena")" incomplete
is "  only the reply to staff" "$(sink_count)" "$((before + 1))"
staff_mail "override $omar english"
ok "override without a reason: run" run_clerkd
ok "  refused: a reason is needed" grep -q "REFUSED: give a reason for the student" <(last_to registrar@example.edu)
ok "clerkctl override with an unknown rule exits 1" test "$(clerkctl override "$omar" nonsense Because. >/dev/null 2>&1; echo $?)" = 1

# ---- 2. override a rule: Omar is judged again, and told once ----
omar_mails=$(mails_to omar@med.example.edu)
staff_mail "Hello,\n\noverride $omar english Interviewed in English by Dr. Smith on 15 October 2026.\n\nKind regards,\nRegistrar"
ok "override english: run" run_clerkd
is "Omar is complete now" "$(status_of "$omar")" complete
last_to registrar@example.edu >"$T/r"
ok "the reply to staff: carried out" grep -q "Your command was carried out." "$T/r"
ok "  says the exception" grep -q "done: exception made for rule english: Interviewed in English" "$T/r"
ok "  and the result of the new judgement" grep -q "$omar judged again: now complete." "$T/r"
is "Omar gets one mail" "$(mails_to omar@med.example.edu)" "$((omar_mails + 1))"
last_to omar@med.example.edu >"$T/r"
ok "  which says a coordinator made an exception" grep -q "A coordinator made an exception for you. It is explained below." "$T/r"
ok "  with the reason" grep -q "^The reason: Interviewed in English by Dr. Smith on 15 October 2026.$" "$T/r"
ok "  and, in his status, for which requirement, in plain words" grep -q -z "A coordinator made an exception for this requirement: \"International students need a TOEFL" <(tr '\n' ' ' <"$T/r" | tr -s ' ')
ok "  and says he is complete" grep -q "Status: complete" "$T/r"
clerkctl show "$omar" --json >"$T/show"
ok "show --json has the override" grep -q '"rule" : "english"' <(sed -n '/"overrides"/,$p' "$T/show")
ok "  with the reason" grep -q '"reason" : "Interviewed in English by Dr. Smith on 15 October 2026."' "$T/show"
ok "  who made it" grep -q '"by" : "staff <registrar@example.edu>"' "$T/show"
ok "  and when" grep -q '"at" : "20[0-9-]* [0-9:]*"' <(sed -n '/"overrides"/,$p' "$T/show")
is "the exception is in the history" "$(events_like "$omar" 'exception made for rule english: Interviewed%')" 1
# The student asks where he stands: the status reply says the exception.
mkmail "$T/omar-q.eml" "Omar Haddad <omar@med.example.edu>" "Re: my application $omar" "Hello, what is the status of my application?"
deliver "$T/omar-q.eml"
ok "Omar asks for his status: run" run_clerkd
ok "  the reply says the exception and its reason" grep -q -z "A coordinator made an exception for this requirement.*The reason: Interviewed in English by Dr. Smith" <(last_to omar@med.example.edu | tr '\n' ' ')

# ---- 3. override a document kind: it counts as met (clerkctl: the same verb) ----
ok "clerkctl override tb-ppd" clerkctl override "$lena" tb-ppd "TB test done at our hospital on 2 October."
is "Lena is complete: tb-ppd counts as met" "$(status_of "$lena")" complete
is "  nothing missing" "$(missing_of "$lena")" '"missing":[]'
ok "  her mail is sent: run" run_clerkd
ok "  her mail says she need not send it" grep -q -z "exception for the document \"[^\"]*\": you do not need to send it" <(last_to lena@med.example.edu | tr '\n' ' ')

# ---- 4. reinstate ----
ok "Kim is cancelled by staff" clerkctl cancel "$kim"
is "Kim is cancelled" "$(status_of "$kim")" cancelled
staff_mail "reinstate $omar"
ok "reinstate an application that is not cancelled: run" run_clerkd
ok "  refused" grep -q "REFUSED: not allowed: $omar is not cancelled (it is complete)" <(last_to registrar@example.edu)
staff_mail "reinstate $kim\naccept $kim 99999"
ok "reinstate with a refused command in the batch: run" run_clerkd
ok "  the other is refused" grep -q "NOTHING WAS CHANGED" <(last_to registrar@example.edu)
is "  Kim is still cancelled" "$(status_of "$kim")" cancelled
kim_mails=$(mails_to kim@med.example.edu)
staff_mail "reinstate $kim"
ok "reinstate: run" run_clerkd
is "Kim is judged again: complete" "$(status_of "$kim")" complete
last_to registrar@example.edu >"$T/r"
ok "the reply to staff says seats are not given back" grep -q "Seats and waitlist places it held before are NOT given back" "$T/r"
is "Kim gets one mail" "$(mails_to kim@med.example.edu)" "$((kim_mails + 1))"
ok "  saying her application is open again" grep -q -z "A coordinator opened it again" <(last_to kim@med.example.edu | tr '\n' ' ')
is "the reinstatement is in her history" "$(events_like "$kim" 'reinstated%')" 1
is "  and in the decisions' audit trail" "$(sql "SELECT count(*) FROM decisions d JOIN applications a ON a.id = d.application_id WHERE a.reference = '$kim' AND d.previous = 'cancelled' AND d.status = 'received'")" 1

# ---- 5. merge ----
staff_mail "merge $paul $paul"
ok "merge an application with itself: run" run_clerkd
ok "  refused" grep -q "REFUSED: not allowed: $paul and $paul are the same application" <(last_to registrar@example.edu)
staff_mail "merge $paul ECP-2026-99999"
ok "merge with an unknown reference: run" run_clerkd
ok "  refused" grep -q "REFUSED: unknown reference: there is no application ECP-2026-99999" <(last_to registrar@example.edu)
staff_mail "assign $kim MED-401 2027-03"
ok "Kim is given a seat: run" run_clerkd
staff_mail "merge $paul $kim"
ok "merge with an application that holds a seat: run" run_clerkd
ok "  refused" grep -q "REFUSED: not allowed: $kim holds a seat" <(last_to registrar@example.edu)
staff_mail "merge $paul $paul2\nnote $paul Same student.\nunassign $paul MED-401 2027-03"
ok "merge with a refused command in the batch: run" run_clerkd
is "  Paul's second application is not cancelled" "$(status_of "$paul2")" incomplete
is "  its documents stay with it" "$(docs_of "$paul2")" 4
paul_mails=$(mails_to paul@med.example.edu)
paul2_mails=$(mails_to paul.novak@mail.example.org)
events_before=$(sql "SELECT count(*) FROM events e JOIN applications a ON a.id = e.application_id WHERE a.reference IN ('$paul', '$paul2')")
staff_mail "merge $paul $paul2"
ok "merge: run" run_clerkd
is "the documents moved to the first application" "$(docs_of "$paul")" 7
is "  none left with the second" "$(docs_of "$paul2")" 0
is "the second is cancelled" "$(status_of "$paul2")" cancelled
is "  with the event merged into" "$(events_like "$paul2" "merged into $paul%")" 1
is "  its history moved to the first: only that event left with it" "$(sql "SELECT count(*) FROM events e JOIN applications a ON a.id = e.application_id WHERE a.reference = '$paul2'")" 1
is "  the first has both histories, and the merge" "$(sql "SELECT count(*) FROM events e JOIN applications a ON a.id = e.application_id WHERE a.reference = '$paul'")" "$((events_before + 1))"
is "the first keeps its own choices" "$(sql "SELECT group_concat(c.course) FROM choices c JOIN applications a ON a.id = c.application_id WHERE a.reference = '$paul' ORDER BY c.rank")" "MED-401,SUR-512"
is "the first is judged again: complete" "$(status_of "$paul")" complete
last_to registrar@example.edu >"$T/r"
ok "the reply to staff says what moved" grep -q "done: $paul2 merged into this application: 4 documents, its history" "$T/r"
ok "  and that only one address is written to" grep -q "Only <paul@med.example.edu> is written to" "$T/r"
is "Paul gets one mail, at the first address" "$(mails_to paul@med.example.edu)" "$((paul_mails + 1))"
is "  none at the second" "$(mails_to paul.novak@mail.example.org)" "$paul2_mails"
ok "  saying the two are one now" grep -q -z "They are now one: $paul" <(last_to paul@med.example.edu | tr '\n' ' ' | tr -s ' ')
staff_mail "merge $paul2 $paul"
ok "merge into a cancelled application: run" run_clerkd
ok "  refused" grep -q "REFUSED: not allowed: $paul2 is cancelled" <(last_to registrar@example.edu)
staff_mail "reinstate $paul2"
ok "reinstate the application merged into another: run" run_clerkd
ok "  refused" grep -q "REFUSED: not allowed: $paul2 was merged into $paul" <(last_to registrar@example.edu)
is "  Paul's second is still cancelled" "$(status_of "$paul2")" cancelled

# ---- 6. a held message: the staff notice has the address line ----
mkmail "$T/new.eml" "Lena Fischer <lena.f@mail.example.org>" "Document for $lena" "My new address." "Good standing letter.pdf"
deliver "$T/new.eml"
ok "mail from another address quoting Lena's reference: run" run_clerkd
ok "the staff notice has the line that makes it her address" grep -q -x "address $lena lena.f@mail.example.org" <(last_to registrar@example.edu)
staff_mail "$(last_to registrar@example.edu | grep -x "address $lena lena.f@mail.example.org")\n\n> the notice, quoted"
ok "the line sent back: run" run_clerkd
is "Lena's address is the new one" "$(sql "SELECT email FROM applications WHERE reference = '$lena'")" lena.f@mail.example.org

# ---- 7. help lists the three verbs as available ----
staff_mail "help"
ok "help: run" run_clerkd
last_to registrar@example.edu >"$T/r"
ok "help: override" grep -q "override REF RULE REASON .*no longer counts" "$T/r"
ok "help: no verb is \"not available\"" test "$(grep -c "not available" "$T/r")" = 0
done_testing
