#!/bin/bash
# End to end, against a real Dovecot and SMTP receiver: conversations about
# documents (issue #15). A "FILE = KIND DATE" line in a later mail files a
# document sent before; documents sent with a first contact are kept and
# credited to the application when it comes from the same address, and only
# then.
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20

servers_start

doc_of() {	# doc_of REF FILENAME: "kind doc_date dated pending positive" of the newest
	sql "SELECT coalesce(d.kind, '-') || ' ' || d.doc_date || ' ' || d.dated || ' ' || d.pending || ' ' || d.positive
	     FROM documents d JOIN applications a ON a.id = d.application_id
	     WHERE a.reference = '$1' AND d.filename = '$2' ORDER BY d.id DESC LIMIT 1"
}

# ---- 1. a later mail names documents sent before ----
mkmail "$T/lena.eml" "Lena Fischer <lena.fischer@med.example.edu>" "Application for a visiting clerkship" \
	"$(form 'Lena Fischer' lena.fischer@med.example.edu)" "Dean's letter.pdf" "transcript.pdf" \
	"Immunization record.pdf" "Titers.pdf" "Health insurance card.jpg" "IMG_3318.jpeg" "IMG_3319.jpeg"
deliver "$T/lena.eml"
ok "application with two photos clerkd cannot read: run" run_clerkd
lena=$(ref_of lena.fischer@med.example.edu)
is "incomplete: the TB test is missing" "$(missing_of "$lena")" '"missing":["tb-ppd"]'
last_to lena.fischer@med.example.edu >"$T/r"
ok "the receipt asks for a line naming the photo" grep -q -F -x '    IMG_3318.jpeg = tb-ppd 2026-10-12' "$T/r"
is "the photo is on file, not recognised" "$(doc_of "$lena" IMG_3318.jpeg)" "- 2026-10-20 0 0 0"

# The student does what the receipt says: a reply with just the lines (one
# file name written in another case), no attachment.
before=$(sink_count)
mkmail "$T/lena-lines.eml" "Lena Fischer <lena.fischer@med.example.edu>" "Re: Application for a visiting clerkship [$lena]" \
	"Dear coordinator,\n\nboth photos are my TB skin test readings.\n\nIMG_3318.jpeg = tb-ppd 2026-10-12\nimg_3319.JPEG = tb-ppd 2026-10-05\n\nBest regards,\nLena"
deliver "$T/lena-lines.eml"
ok "the lines: run" run_clerkd
is "one reply" "$(sink_count)" "$((before + 1))"
is "IMG_3318.jpeg is filed as a PPD, dated as the line says" "$(doc_of "$lena" IMG_3318.jpeg)" "tb-ppd 2026-10-12 1 0 0"
is "the other one too, its name matched without case" "$(doc_of "$lena" IMG_3319.jpeg)" "tb-ppd 2026-10-05 1 0 0"
is "the application is judged again: complete" "$(status_of "$lena")" complete
is "nothing missing" "$(missing_of "$lena")" '"missing":[]'
last_to lena.fischer@med.example.edu >"$T/r"
ok "the reply says what was filed, with the date in words" \
	grep -q -F "IMG_3318.jpeg is now filed as TB screening" "$T/r"
ok "  dated 12 October 2026" grep -q "IMG_3318.jpeg is now filed as .*, dated 12 October 2026\.$" "$T/r"
ok "  and the other, by its name on file" grep -q "IMG_3319.jpeg is now filed as .*, dated 5 October 2026\.$" "$T/r"
ok "and the new status" grep -q "Status: complete" "$T/r"
ok "the reply carries the reference" grep -q -F "[$lena]" <("$MAILCAT" -h Subject "$(ls -t "$T"/sink/* | head -1)")
ok "the change is in the audit trail" grep -q "filed IMG_3318.jpeg as tb-ppd 2026-10-12" <(clerkctl show "$lena")

# A word after the date: the second reading was positive.
before=$(sink_count)
mkmail "$T/lena-pos.eml" "Lena Fischer <lena.fischer@med.example.edu>" "Re: Application [$lena]" \
	"Sorry, the second reading was positive.\nIMG_3318.jpeg = tb-ppd 2026-10-12 positive"
deliver "$T/lena-pos.eml"
ok "a positive result: run" run_clerkd
is "one reply" "$(sink_count)" "$((before + 1))"
is "the document is marked positive" "$(doc_of "$lena" IMG_3318.jpeg)" "tb-ppd 2026-10-12 1 0 1"
is "a positive PPD asks for a chest X-ray" "$(missing_of "$lena")" '"missing":["chest-xray"]'
ok "the reply says the result" grep -q "IMG_3318.jpeg is now filed as .*, dated 12 October 2026, result positive\.$" \
	<(last_to lena.fischer@med.example.edu)

# Lines that cannot be acted on: a file that is not on file, a kind that does not exist.
before=$(sink_count)
mkmail "$T/lena-bad.eml" "Lena Fischer <lena.fischer@med.example.edu>" "Re: Application [$lena]" \
	"scan0007.pdf = chest-xray 2026-10-18\nIMG_3319.jpeg = tb-test 2026-10-05"
deliver "$T/lena-bad.eml"
ok "lines clerkd cannot use: run" run_clerkd
is "one reply" "$(sink_count)" "$((before + 1))"
last_to lena.fischer@med.example.edu >"$T/r"
ok "an unknown file name is named" grep -q -F 'We have no document called "scan0007.pdf" on file' "$T/r"
ok "  with the names on file" grep -q -F -x "  - Health insurance card.jpg" "$T/r"
ok "an unknown kind is named" grep -q -F '"tb-test" is not a kind of document that we know' "$T/r"
ok "  with the kinds a student may name, in words" grep -q -F -x "  - tb-igra: TB blood test (IGRA: QuantiFERON or T-SPOT)" "$T/r"
ok "  every kind" grep -q -F -x "  - good-standing: Letter of good standing" "$T/r"
ok "  and an example" grep -q -F -x '    IMG_3319.jpeg = tb-ppd 2026-10-12' "$T/r"
is "nothing changed" "$(doc_of "$lena" IMG_3319.jpeg)" "tb-ppd 2026-10-05 1 0 0"
is "  still the chest X-ray missing" "$(missing_of "$lena")" '"missing":["chest-xray"]'

# Someone else quoting the reference cannot rename her documents.
before=$(sink_count)
mkmail "$T/other.eml" "Someone <someone@elsewhere.example.net>" "Documents for $lena" \
	"IMG_3318.jpeg = chest-xray 2026-10-19"
deliver "$T/other.eml"
ok "a line from another address: run" run_clerkd
is "it changes nothing" "$(doc_of "$lena" IMG_3318.jpeg)" "tb-ppd 2026-10-12 1 0 1"
is "  the X-ray still missing" "$(missing_of "$lena")" '"missing":["chest-xray"]'
is "  and the student hears nothing of it" "$(mails_to lena.fischer@med.example.edu)" 4

# ---- 2. documents sent with a first contact ----
before=$(sink_count)
refs_before=$(sql "SELECT coalesce(sum(last), 0) FROM ref_counter")
mkmail "$T/ravi-first.eml" "Ravi Kumar <ravi.kumar@med.example.edu>" "Visiting clerkship" \
	"Hello,\n\nI would like to apply for a clerkship. I attach the documents I have now.\n\nRavi" \
	"Dean's letter.pdf" "Official Transcript.pdf" "IMG_5000.jpeg"
deliver "$T/ravi-first.eml"
ok "a first contact with attachments: run" run_clerkd
is "one reply" "$(sink_count)" "$((before + 1))"
last_to ravi.kumar@med.example.edu >"$T/r"
subject=$("$MAILCAT" -h Subject "$(ls -t "$T"/sink/* | head -1)")
ok "the first-contact reply carries no reference" test -z "$(echo "$subject" | grep -o 'ECP-[0-9]*-[0-9]*')"
is "  and takes none" "$(sql "SELECT coalesce(sum(last), 0) FROM ref_counter")" "$refs_before"
is "  no application exists" "$(sql "SELECT count(*) FROM applications WHERE email = 'ravi.kumar@med.example.edu'")" 0
ok "it still gives the blank form" grep -q "Full name:" "$T/r"
ok "it says the documents were kept" grep -q "We kept the documents you sent with this message:" "$T/r"
ok "  listing them" grep -q -F "Dean's letter.pdf (" "$T/r"
ok "  and what each was taken for" grep -q "Official Transcript.pdf ([0-9]* bytes): filed as Transcript$" "$T/r"
ok "  and that they will be added when the application arrives" \
	grep -q "When your application arrives from this address (ravi.kumar@med.example.edu), we will add" "$T/r"
ok "  an unrecognised one: how to name it in the application" \
	grep -q -F -x '    IMG_5000.jpeg = tb-ppd 2026-10-12' "$T/r"
is "the three are kept, for that address" \
	"$(sql "SELECT count(*) FROM kept_documents WHERE email = 'ravi.kumar@med.example.edu' AND application_id IS NULL")" 3
ok "their bytes are in the document store" test "$(find "$T/store/documents" -type f | wc -l)" -ge 9

# An application from another address, even one that names his address
# and his name, gets none of them.
mkmail "$T/mallory.eml" "Mallory <mallory@elsewhere.example.net>" "Application" \
	"$(form 'Mallory Smith' ravi.kumar@med.example.edu)"
deliver "$T/mallory.eml"
ok "an application from another address: run" run_clerkd
mallory=$(ref_of mallory@elsewhere.example.net)
is "  has no documents" "$(sql "SELECT count(*) FROM documents d JOIN applications a ON a.id = d.application_id WHERE a.reference = '$mallory'")" 0
is "  the kept ones are still waiting" \
	"$(sql "SELECT count(*) FROM kept_documents WHERE application_id IS NULL")" 3
ok "  and its receipt does not list them" test -z "$(last_to mallory@elsewhere.example.net | grep -e "Dean's letter" -e "We also filed")"

# His application, from the address that sent them, with the rest of the
# documents; a line names the photo he sent first.
before=$(sink_count)
mkmail "$T/ravi-app.eml" "Ravi Kumar <ravi.kumar@med.example.edu>" "Re: Visiting clerkship" \
	"$(form 'Ravi Kumar' ravi.kumar@med.example.edu)\nDocuments: PPD_1.pdf = tb-ppd 2026-09-01; PPD_2.pdf = tb-ppd 2026-09-09\nIMG_5000.jpeg = health-insurance 2026-08-01\n" \
	"Immunization record.pdf" "Titers.pdf" "PPD_1.pdf" "PPD_2.pdf"
deliver "$T/ravi-app.eml"
ok "his application: run" run_clerkd
is "one reply" "$(sink_count)" "$((before + 1))"
ravi=$(ref_of ravi.kumar@med.example.edu)
ok "  it has a reference" test -n "$ravi"
is "the kept documents are credited to it" \
	"$(sql "SELECT count(*) FROM kept_documents k JOIN applications a ON a.id = k.application_id WHERE a.reference = '$ravi'")" 3
is "  they are among its documents" \
	"$(sql "SELECT count(*) FROM documents d JOIN applications a ON a.id = d.application_id WHERE a.reference = '$ravi'")" 7
is "  the photo, named in the application mail" "$(doc_of "$ravi" IMG_5000.jpeg)" "health-insurance 2026-08-01 1 0 0"
is "judged with them: complete" "$(status_of "$ravi")" complete
is "  nothing missing" "$(missing_of "$ravi")" '"missing":[]'
last_to ravi.kumar@med.example.edu >"$T/r"
ok "the receipt lists them" grep -q "We also filed the documents you sent on 20 October 2026" "$T/r"
ok "  by name and kind" grep -q -F -x "  - Official Transcript.pdf: filed as Transcript" "$T/r"
ok "  and the photo as named" grep -q "IMG_5000.jpeg is now filed as Proof of health insurance, dated 1 August 2026\.$" "$T/r"
ok "  with the status" grep -q "Status: complete" "$T/r"
ok "  and the reference" grep -q -F "[$ravi]" <("$MAILCAT" -h Subject "$(ls -t "$T"/sink/* | head -1)")
ok "the audit trail says where they came from" grep -q "3 documents kept from a first contact credited" <(clerkctl show "$ravi")
ok "doc list shows them" grep -q "Official Transcript.pdf" <(clerkctl doc list "$ravi")

# Credited once: a later mail from him changes nothing of that.
mkmail "$T/ravi-status.eml" "Ravi Kumar <ravi.kumar@med.example.edu>" "status [$ravi]" "What is my status?"
deliver "$T/ravi-status.eml"
ok "status: run" run_clerkd
is "  no document twice" \
	"$(sql "SELECT count(*) FROM documents d JOIN applications a ON a.id = d.application_id WHERE a.reference = '$ravi'")" 7
ok "  and the status reply has no 'We also filed'" test -z "$(last_to ravi.kumar@med.example.edu | grep "We also filed")"

done_testing
