#!/bin/bash
# End to end, against a real Dovecot and SMTP receiver: conversations of
# several mails, read as the student and the coordinator read them (#15).
#   - a staff member who copies the program on a reply (no documents): nothing
#     credited, no one told, recorded; a forward with no documents: staff are
#     told that nothing arrived, the student is not;
#   - a question about cancelling is a question (answered or passed to staff),
#     never a cancel request; imperatives still are;
#   - a partial cancel ("cancel my 2027-04 block"): confirmed by token, only
#     that block given up (its seat offered to the first waiting), the rest kept;
#   - a dispute after "not eligible" (no question mark, no documents) reaches
#     staff with the student's words, and the student is told that it did;
#     a bare thank-you does not.
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20

servers_start
sed -i 's/^\[staff\]$/[staff]\ntrusted_authserv_id = mx.example.edu/' "$T/clerkd.conf"
AUTH="Authentication-Results: mx.example.edu; spf=pass smtp.mailfrom=example.edu; dkim=pass header.d=example.edu header.s=s1; dmarc=pass header.from=example.edu\n"
CORES="cores=medicine, surgery, pediatrics, obstetrics-gynecology, neurology"
DOCS=("Dean's letter.pdf" "Transcript.pdf" "Immunization record.pdf" "Titers.pdf" "QuantiFERON.pdf" "Insurance card.jpg")
token_of() { "$MAILCAT" -h Subject "$1" | grep -o -E 'confirm [A-Z0-9]{10}' | cut -d' ' -f2; }
newest() { ls -t "$T"/sink/* | head -1; }
newest_to() { local f; for f in $(ls -t "$T"/sink/*); do "$MAILCAT" -h To "$f" | grep -q -i -F "$1" && { echo "$f"; return 0; }; done; return 1; }

# Ben: March and April; Dee: April and February. All complete.
mkmail "$T/ben.eml" "Ben Okafor <ben@med.example.edu>" "Application" \
	"$(form "Ben Okafor" "ben@med.example.edu" 'c1=MED-401 2027-03' 'c2=NEU-320 2027-04' "$CORES")" "${DOCS[@]}"
mkmail "$T/dee.eml" "Dee Lindqvist <dee@med.example.edu>" "Application" \
	"$(form "Dee Lindqvist" "dee@med.example.edu" 'c1=MED-401 2027-04' 'c2=MED-401 2027-02' "$CORES")" "${DOCS[@]}"
deliver "$T/ben.eml" "$T/dee.eml"
ok "applications: run" run_clerkd
ben=$(ref_of ben@med.example.edu)
dee=$(ref_of dee@med.example.edu)
is "both complete" "$(status_of "$ben") $(status_of "$dee")" "complete complete"

# ---- 1. staff cc: no documents, no notice ----
docs_before=$(sql "SELECT count(*) FROM documents")
ben_mails=$(mails_to ben@med.example.edu)
staff_mails=$(mails_to registrar@example.edu)
EXTRA_HEADERS="${AUTH}Cc: Clerkship Program <clerkship@example.edu>\n" \
	mkmail "$T/cc.eml" "Registrar <registrar@example.edu>" "Re: Application [$ben]" \
	"Dear Ben,\n\nthank you. Your file looks good; we will write when the lottery is drawn.\n\nRegistrar\n\nOn Tue, 20 Oct 2026 at 10:01, Ben Okafor <ben@med.example.edu> wrote:\n> Dear coordinator,\n> please find my application below."
deliver "$T/cc.eml"
ok "staff cc: run" run_clerkd
is "the student gets no notice" "$(mails_to ben@med.example.edu)" "$ben_mails"
is "staff get no reply to a copy" "$(mails_to registrar@example.edu)" "$staff_mails"
is "no document filed" "$(sql "SELECT count(*) FROM documents")" "$docs_before"
ok "it is recorded in the applicant's history" grep -q "with no documents (a copy to the program)" <(clerkctl show "$ben")
is "and in the ledger, linked to the application" \
	"$(sql "SELECT count(*) FROM ledger l JOIN applications a ON a.id = l.application_id WHERE a.reference = '$ben' AND l.sender = 'registrar@example.edu'")" 1

# The same from Outlook: a reply quotes the mail it answers as a forward would.
EXTRA_HEADERS=$AUTH mkmail "$T/cc2.eml" "Registrar <registrar@example.edu>" "RE: Application [$dee]" \
	"Dear Dee, noted.\n\n________________________________\nFrom: Dee Lindqvist <dee@med.example.edu>\nSent: Tuesday, October 20, 2026 10:02\nTo: Clerkship <clerkship@example.edu>\nSubject: Application\n\nPlease find my application."
deliver "$T/cc2.eml"
ok "staff Outlook reply: run" run_clerkd
is "an Outlook reply with no documents: no notice to the student" "$(mails_to dee@med.example.edu)" 1
is "  and no reply to staff" "$(mails_to registrar@example.edu)" "$staff_mails"

# A forward that carried no documents: staff should know; the student is not told.
before=$(sink_count)
EXTRA_HEADERS=$AUTH mkmail "$T/fwd0.eml" "Registrar <registrar@example.edu>" "Fwd: my transcript" \
	"Please add this for the student.\n\n---------- Forwarded message ---------\nFrom: Ben Okafor <ben@med.example.edu>\nDate: Mon, 19 Oct 2026 at 09:12\nSubject: my transcript\nTo: Registrar <registrar@example.edu>\n\nHere is my transcript.\n"
deliver "$T/fwd0.eml"
ok "staff forward with no documents: run" run_clerkd
is "one mail: the reply to staff" "$(sink_count)" "$((before + 1))"
ok "  which says nothing was credited, and why" grep -q "carried no documents (no attachments), so nothing was credited" <(last_to registrar@example.edu)
ok "  and names the application" grep -q -F "$ben" <(last_to registrar@example.edu)
is "the student is not told" "$(mails_to ben@med.example.edu)" "$ben_mails"
ok "nobody reads '(no attachments)' as documents added" bash -c "! grep -r -l 'documents were added to your file' '$T/sink'"

# A forward with a document still credits it and tells the student (unchanged).
EXTRA_HEADERS=$AUTH mkmail "$T/fwd1.eml" "Registrar <registrar@example.edu>" "Fwd: my transcript" \
	"Please add this for the student.\n\n---------- Forwarded message ---------\nFrom: Ben Okafor <ben@med.example.edu>\nDate: Mon, 19 Oct 2026 at 09:12\nSubject: my transcript\nTo: Registrar <registrar@example.edu>\n\nHere is my transcript.\n" "Malpractice.pdf"
deliver "$T/fwd1.eml"
ok "staff forward with a document: run" run_clerkd
ok "the student is told what was added" grep -q "Malpractice.pdf" <(last_to ben@med.example.edu)
ben_mails=$(mails_to ben@med.example.edu)

# ---- the lotteries: Ben has a seat in each block, Dee in April ----
clerkctl schedule 2027-03 --seed 7 >/dev/null
clerkctl schedule 2027-04 --seed 7 >/dev/null
is "Ben seated in March and April" "$(sql "SELECT group_concat(course || ' ' || block, ', ') FROM (SELECT course, block FROM assignments a JOIN applications p ON p.id = a.application_id WHERE p.reference = '$ben' AND a.state = 'active' ORDER BY block)")" "MED-401 2027-03, NEU-320 2027-04"
is "Dee seated in April" "$(sql "SELECT course || ' ' || block FROM assignments a JOIN applications p ON p.id = a.application_id WHERE p.reference = '$dee' AND a.state = 'active'")" "MED-401 2027-04"
# Cara comes late: NEU-320 (one seat) is full in April, so she waits.
mkmail "$T/cara.eml" "Cara Mendes <cara@med.example.edu>" "Application" \
	"$(form "Cara Mendes" "cara@med.example.edu" 'c1=NEU-320 2027-04' 'c2=' "$CORES")" "${DOCS[@]}"
deliver "$T/cara.eml"
ok "results and a late applicant: run" run_clerkd
cara=$(ref_of cara@med.example.edu)
is "Cara waitlisted for NEU-320 in April" "$(status_of "$cara")" waitlisted
ben_mails=$(mails_to ben@med.example.edu)

# ---- 2. a question about cancelling is a question ----
conf_before=$(sql "SELECT count(*) FROM confirmations")
before=$(sink_count)
mkmail "$T/q1.eml" "Ben Okafor <ben@med.example.edu>" "Question about cancellation fees? [$ben]" \
	"Hello, if I cancel later, do I have to pay a fee?"
deliver "$T/q1.eml"
ok "fees question: run" run_clerkd
is "no confirmation asked" "$(sql "SELECT count(*) FROM confirmations")" "$conf_before"
is "one reply to the student, one notice to staff" "$(sink_count)" "$((before + 2))"
ok "  the student is told a coordinator will answer" grep -q "We have sent your message to a coordinator" <(last_to ben@med.example.edu)
ok "  with no confirmation in the subject" bash -c "! '$MAILCAT' -h Subject \$(ls -t '$T'/sink/* | head -2) | grep -q confirm"
ok "  staff get the question" grep -q "could not answer" <(last_to registrar@example.edu)
is "nothing changed" "$(status_of "$ben")" scheduled

mkmail "$T/q2.eml" "Ben Okafor <ben@med.example.edu>" "What happens if I cancel?" "Would my seat go to someone else?"
mkmail "$T/q3.eml" "Dee Lindqvist <dee@med.example.edu>" "Cancellation" "What happens if I cancel"
deliver "$T/q2.eml" "$T/q3.eml"
ok "questions: run" run_clerkd
is "still no confirmation asked" "$(sql "SELECT count(*) FROM confirmations")" "$conf_before"
ok "'What happens if I cancel?' is answered from the FAQ" grep -q "Cancel as early as you can" <(last_to ben@med.example.edu)
ok "  as a question" grep -q "You asked: I cannot attend" <(last_to ben@med.example.edu)
ok "a subject 'Cancellation' over a text that only asks: answered too" grep -q "Cancel as early as you can" <(last_to dee@med.example.edu)
is "nothing changed for either" "$(status_of "$ben") $(status_of "$dee")" "scheduled scheduled"

# Imperatives are still requests (not confirmed here: they lapse).
for s in "Please cancel my application" "Could you please cancel my place?"; do
	n=$(sql "SELECT count(*) FROM confirmations")
	mkmail "$T/imp.eml" "Dee Lindqvist <dee@med.example.edu>" "$s" "Thank you."
	deliver "$T/imp.eml"
	run_clerkd
	is "'$s' asks for confirmation" "$(sql "SELECT count(*) FROM confirmations")" "$((n + 1))"
done
mkmail "$T/imp2.eml" "Dee Lindqvist <dee@med.example.edu>" "Re: Application [$dee]" "Please cancel my application. I cannot come."
deliver "$T/imp2.eml"
n=$(sql "SELECT count(*) FROM confirmations")
run_clerkd
is "'Please cancel my application' in the text of a reply asks too" "$(sql "SELECT count(*) FROM confirmations")" "$((n + 1))"
sql "UPDATE confirmations SET used_at = datetime('now') WHERE application_id = (SELECT id FROM applications WHERE reference = '$dee')"

# ---- 3. a partial cancel ----
before=$(sink_count)
mkmail "$T/pc.eml" "Ben Okafor <ben@med.example.edu>" "Cancel my 2027-04 block [$ben]" \
	"Dear coordinator,\n\nI want to cancel my 2027-04 block. I still come in March.\n\nBen"
deliver "$T/pc.eml"
ok "partial cancel: run" run_clerkd
is "one reply" "$(sink_count)" "$((before + 1))"
ask=$(newest)
token=$(token_of "$ask")
ok "it asks for confirmation ($token)" test -n "$token"
is "  of that block only" "$(sql "SELECT action || ' ' || detail FROM confirmations WHERE token = '$token'")" "cancel 2027-04"
"$MAILCAT" "$ask" >"$T/ask.txt"
ok "  the mail names the block and its dates" grep -q -F "cancel only block 2027-04 (5-30 April 2027)" "$T/ask.txt"
ok "  what is given up" grep -q -F "You give up a seat in NEU-320 in that block" "$T/ask.txt"
ok "  and what is kept" grep -q -F "You keep block 2027-03 (1-26 March 2027)" "$T/ask.txt"
is "nothing changed yet" "$(sql "SELECT count(*) FROM assignments a JOIN applications p ON p.id = a.application_id WHERE p.reference = '$ben' AND a.state = 'active'")" 2

before=$(sink_count)
mkmail "$T/pcc.eml" "Ben Okafor <ben@med.example.edu>" "RE: $("$MAILCAT" -h Subject "$ask")" "Yes, confirm $token"
deliver "$T/pcc.eml"
ok "partial cancel confirmed: run" run_clerkd
is "Ben keeps March" "$(sql "SELECT group_concat(course || ' ' || block) FROM assignments a JOIN applications p ON p.id = a.application_id WHERE p.reference = '$ben' AND a.state = 'active'")" "MED-401 2027-03"
is "  his application is not cancelled: scheduled" "$(status_of "$ben")" scheduled
is "  his April choice is withdrawn, March kept" "$(sql "SELECT group_concat(block) FROM choices c JOIN applications p ON p.id = c.application_id WHERE p.reference = '$ben'")" "2027-03"
is "the April seat is offered to the first waitlisted" "$(sql "SELECT course || ' ' || block FROM offers o JOIN applications p ON p.id = o.application_id WHERE p.reference = '$cara' AND o.state = 'open'")" "NEU-320 2027-04"
is "two mails: Ben's reply and Cara's offer" "$(sink_count)" "$((before + 2))"
last_to ben@med.example.edu >"$T/done.txt"
ok "Ben reads which block was cancelled" grep -q -F "your cancellation of block 2027-04 (5-30 April 2027) is confirmed" "$T/done.txt"
ok "  what he gave up" grep -q -F "You gave up a seat in NEU-320 in that block" "$T/done.txt"
ok "  and what stays" grep -q -F "Your application stays open for block 2027-03 (1-26 March 2027)" "$T/done.txt"
ok "  with his March place" grep -q -F "MED-401 Acting Internship" "$T/done.txt"
ok "Cara is offered the seat, with its dates and her deadline" grep -q "Seat offered: NEU-320, 5-30 April 2027. Please answer by 23 October 2026" <("$MAILCAT" -h Subject "$(newest_to cara@med.example.edu)")
mkmail "$T/cara-yes.eml" "Cara Mendes <cara@med.example.edu>" "Re: $("$MAILCAT" -h Subject "$(newest_to cara@med.example.edu)")" "Yes, I take it."
deliver "$T/cara-yes.eml"
ok "Cara accepts: run" run_clerkd
is "Cara scheduled" "$(status_of "$cara")" scheduled
is "  in NEU-320" "$(sql "SELECT course || ' ' || block FROM assignments a JOIN applications p ON p.id = a.application_id WHERE p.reference = '$cara' AND a.state = 'active'")" "NEU-320 2027-04"
ok "the history says so" grep -q "cancellation of block 2027-04 confirmed" <(clerkctl show "$ben")
is "the token is used" "$(sql "SELECT used_at IS NOT NULL FROM confirmations WHERE token = '$token'")" 1

# Dee gives up April, her only seat: she waits for February's lottery (complete again).
mkmail "$T/pd.eml" "Dee Lindqvist <dee@med.example.edu>" "Cancel [$dee]" "Please cancel my April block, 2027-04."
deliver "$T/pd.eml"
run_clerkd
tok=$(token_of "$(newest)")
mkmail "$T/pdc.eml" "Dee Lindqvist <dee@med.example.edu>" "confirm $tok" "confirm $tok"
deliver "$T/pdc.eml"
ok "Dee's partial cancel confirmed: run" run_clerkd
is "Dee holds no seat" "$(sql "SELECT count(*) FROM assignments a JOIN applications p ON p.id = a.application_id WHERE p.reference = '$dee' AND a.state = 'active'")" 0
is "  and is complete again, waiting for February" "$(status_of "$dee")" complete
is "  her February choice kept" "$(sql "SELECT group_concat(course || ' ' || block) FROM choices c JOIN applications p ON p.id = c.application_id WHERE p.reference = '$dee'")" "MED-401 2027-02"

# A block the application is not in: nothing to confirm.
n=$(sql "SELECT count(*) FROM confirmations")
before=$(sink_count)
mkmail "$T/px.eml" "Ben Okafor <ben@med.example.edu>" "Cancel my 2027-06 block" "Please cancel 2027-06."
deliver "$T/px.eml"
ok "cancel of a block not chosen: run" run_clerkd
is "no confirmation asked" "$(sql "SELECT count(*) FROM confirmations")" "$n"
is "one reply" "$(sink_count)" "$((before + 1))"
ok "  which says nothing was changed, and lists his blocks" grep -q -F "no choice and no place in that block, so nothing was changed. Your block is: 2027-03 (1-26 March 2027)" <(last_to ben@med.example.edu)

# Ben's last block: cancelling it cancels the application (said so first).
mkmail "$T/pl.eml" "Ben Okafor <ben@med.example.edu>" "Cancel my 2027-03 block" "I cannot come after all."
deliver "$T/pl.eml"
run_clerkd
ok "his only block left: the whole application, said so" grep -q "Block 2027-03 (1-26 March 2027) is the only block in your application" <(last_to ben@med.example.edu)
is "  asked as a whole cancel" "$(sql "SELECT action || '|' || coalesce(detail, '') FROM confirmations ORDER BY rowid DESC LIMIT 1")" "cancel|"
# ---- 4. a dispute after "not eligible" reaches staff ----
mkmail "$T/eva.eml" "Eva Marsh <eva@med.example.edu>" "Application" \
	"$(form "Eva Marsh" "eva@med.example.edu" 'school=Nowhere Institute of Healing' "$CORES")" "${DOCS[@]}"
deliver "$T/eva.eml"
ok "ineligible application: run" run_clerkd
eva=$(ref_of eva@med.example.edu)
is "Eva is not eligible" "$(status_of "$eva")" ineligible
ok "  her reply invites her to write back" grep -q "reply to this message" <(last_to eva@med.example.edu)
before=$(sink_count)
staff_mails=$(mails_to registrar@example.edu)
mkmail "$T/eva2.eml" "Eva Marsh <eva@med.example.edu>" "Re: Application [$eva]" \
	"Dear coordinator,\n\nI think this is a mistake. My school is accredited: its official name is Nowhere University Faculty of Medicine.\n\nEva\n\nOn Tue, 20 Oct 2026, Clerkship Program wrote:\n> Status: not eligible."
deliver "$T/eva2.eml"
ok "dispute: run" run_clerkd
is "one reply to Eva, one notice to each staff address" "$(sink_count)" "$((before + 2))"
is "staff get one notice" "$(mails_to registrar@example.edu)" "$((staff_mails + 1))"
last_to registrar@example.edu >"$T/notice.txt"
ok "  with her own words" grep -q -F "official name is Nowhere University Faculty of Medicine" "$T/notice.txt"
ok "  and her reference" grep -q -F "$eva" "$T/notice.txt"
ok "  but not the quoted reply" bash -c "! grep -q -F '> Status: not eligible' '$T/notice.txt'"
last_to eva@med.example.edu >"$T/eva.txt"
ok "Eva is told a coordinator has her message" grep -q -F "We have sent your message to a coordinator" "$T/eva.txt"
ok "  and that she need not send it again" grep -q -F "You do not need to send it again" "$T/eva.txt"
ok "the history says so" grep -q "message passed to staff" <(clerkctl show "$eva")
is "nothing else changed" "$(status_of "$eva")" ineligible
staff_mails=$(mails_to registrar@example.edu)
mkmail "$T/eva3.eml" "Eva Marsh <eva@med.example.edu>" "Re: Application [$eva]" "Thank you!\n\nEva"
deliver "$T/eva3.eml"
ok "thank-you: run" run_clerkd
is "a bare thank-you does not go to staff" "$(mails_to registrar@example.edu)" "$staff_mails"
ok "  and gets the usual short answer" grep -q -F "We received your message" <(last_to eva@med.example.edu)

is "inbox emptied" "$(mailbox_count INBOX)" 0
done_testing
