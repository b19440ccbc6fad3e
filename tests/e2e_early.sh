#!/bin/bash
# End to end, against a real Dovecot and SMTP receiver (issue 16): an
# application whose first chosen block starts more than
# application_window_months away is early, not ineligible. It is kept with
# its documents, the student is told the day its window opens, documents
# sent meanwhile are filed, and on that day the daily pass (clerkd --once
# too) judges it without another mail and tells the student, once.
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-08	# 2027-05 starts 3 May 2027: 6.8 months away

servers_start

DOCS=("Dean's letter.pdf" "Official Transcript.pdf" "Immunization record.pdf" "Titers.pdf" "PPD_1.pdf" "Health insurance card.jpg")
mkmail "$T/nora.eml" "Nora Lind <nora.lind@med.example.edu>" "Visiting clerkship application" \
	"$(form 'Nora Lind' nora.lind@med.example.edu 'c1=MED-401 2027-05' 'c2=SUR-512 2027-05')\nDocuments: PPD_1.pdf = tb-ppd 2026-09-01\n" \
	"${DOCS[@]}"
mkmail "$T/lars.eml" "Lars Berg <lars.berg@med.example.edu>" "Application" \
	"$(form 'Lars Berg' lars.berg@med.example.edu 'c1=MED-401 2027-05' 'c2=SUR-512 2027-06' grad=2027-07)" \
	"Dean's letter.pdf"
mkmail "$T/tom.eml" "Tom Baker <tom.baker@med.example.edu>" "Application" \
	"$(form 'Tom Baker' tom.baker@med.example.edu year=3rd 'c1=MED-401 2027-05' 'c2=SUR-512 2027-05')"
mkmail "$T/pia.eml" "Pia Holm <pia.holm@med.example.edu>" "Application" \
	"$(form 'Pia Holm' pia.holm@med.example.edu 'c1=MED-401 2027-05' 'c2=SUR-512 2027-05')" \
	"Dean's letter.pdf"
deliver "$T/nora.eml" "$T/lars.eml" "$T/tom.eml" "$T/pia.eml"
ok "clerkd --once over four applications" run_clerkd
is "one reply to each" "$(sink_count)" 4

# ---- held, not refused ----
nora=$(ref_of nora.lind@med.example.edu)
is "first block 6.8 months away: early" "$(status_of "$nora")" early
is "  with the documents it came with" "$(sql "SELECT count(*) FROM documents d JOIN applications a ON a.id = d.application_id WHERE a.reference = '$nora'")" 6
ok "  the day its window opens, in show --json" grep -q '"opens" : "2026-11-03"' <(clerkctl show "$nora" --json)
last_to nora.lind@med.example.edu >"$T/r"
ok "the reply says early" grep -q "^Status: early" "$T/r"
ok "  and the exact day the window opens" grep -q -F "For your first chosen block, this is on 3 November 2026." "$T/r"
ok "  that the application and its documents are kept" grep -q -F "We keep your application and every document you sent us." "$T/r"
ok "  that there is no need to apply again" grep -q -F "You do not need to apply again." "$T/r"
ok "  that it is checked that day, with a reply" grep -q -F "On 3 November 2026, we check your application" "$T/r"
is "  never 'apply again' alone" "$(grep -c -i 'please apply again' "$T/r")" 0
ok "  what is still missing, to send meanwhile" grep -q -F "Still missing (you can send these now" "$T/r"
ok "  (the second TB test)" grep -q -F "  - TB screening" "$T/r"
is "the subject says it, with the day" "$(subject_to nora.lind@med.example.edu)" \
	"Application received: early, kept until 3 November 2026 [$nora]"

tom=$(ref_of tom.baker@med.example.edu)
is "too early and a third-year student: ineligible" "$(status_of "$tom")" ineligible
last_to tom.baker@med.example.edu >"$T/r"
ok "  the reply gives the reason" grep -q "only for students in the final year" "$T/r"
is "  and says nothing of a window" "$(grep -c -F -e "3 November 2026" -e "window" "$T/r")" 0

# ---- meanwhile: a status request, a document ----
mkmail "$T/nora-status.eml" "Nora Lind <nora.lind@med.example.edu>" "Status of my application [$nora]" "Hello, what is my status?\n"
deliver "$T/nora-status.eml"
ok "a status request: run" run_clerkd
last_to nora.lind@med.example.edu >"$T/r"
ok "  the status reply says early" grep -q "^Status: early" "$T/r"
ok "  with the day" grep -q -F "3 November 2026" "$T/r"
is "  under a subject that says it" "$(subject_to nora.lind@med.example.edu)" \
	"Status: early, kept until 3 November 2026 [$nora]"

mkmail "$T/nora-doc.eml" "Nora Lind <nora.lind@med.example.edu>" "Re: Visiting clerkship application [$nora]" \
	"Here is my second TB test.\nDocuments: PPD_2.pdf = tb-ppd 2026-09-09\n" "PPD_2.pdf"
deliver "$T/nora-doc.eml"
ok "a document sent while early: run" run_clerkd
is "  one reply" "$(mails_to nora.lind@med.example.edu)" 3
is "  the document is filed on the same application" "$(sql "SELECT count(*) FROM documents d JOIN applications a ON a.id = d.application_id WHERE a.reference = '$nora' AND d.filename = 'PPD_2.pdf'")" 1
is "  still one application" "$(sql "SELECT count(*) FROM applications WHERE email = 'nora.lind@med.example.edu'")" 1
is "  the status stays early" "$(status_of "$nora")" early
is "  and nothing is missing any more" "$(missing_of "$nora")" '"missing":[]'
last_to nora.lind@med.example.edu >"$T/r"
ok "  the reply says early, with the day" grep -q -F "For your first chosen block, this is on 3 November 2026." "$T/r"
is "  and lists nothing as missing" "$(grep -c "Still missing" "$T/r")" 0

# ---- a corrected form: judged again at once ----
pia=$(ref_of pia.holm@med.example.edu)
is "Pia: early" "$(status_of "$pia")" early
mkmail "$T/pia-form.eml" "Pia Holm <pia.holm@med.example.edu>" "Application [$pia]" \
	"$(form 'Pia Holm' pia.holm@med.example.edu 'c1=MED-401 2027-03' 'c2=SUR-512 2027-03')" \
	"Dean's letter.pdf"
deliver "$T/pia-form.eml"
ok "Pia sends her form again with March 2027 blocks: run" run_clerkd
is "  judged at once: incomplete (documents missing), no longer early" "$(status_of "$pia")" incomplete
ok "  the reply says incomplete" grep -q "^Status: incomplete" <(last_to pia.holm@med.example.edu)
before=$(sink_count)

# ---- the day before the window opens: nothing ----
CLERKD_NOW=2026-11-02 ok "the day before the window opens: run" run_clerkd
is "the day before: no mail" "$(sink_count)" "$before"
is "  still early" "$(status_of "$nora") $(status_of "$(ref_of lars.berg@med.example.edu)")" "early early"

# ---- the day it opens: judged, and told once ----
CLERKD_NOW=2026-11-03 ok "the day the window opens: run" run_clerkd
is "  one mail to each of the two held" "$(( $(sink_count) - before ))" 2
is "  Nora: complete" "$(status_of "$nora")" complete
is "  told in one more mail" "$(mails_to nora.lind@med.example.edu)" 4
last_to nora.lind@med.example.edu >"$T/r"
ok "  that says why it comes" grep -q -F "the application window for your first chosen block opened today, 3 November 2026" "$T/r"
ok "  and the decision" grep -q "^Status: complete" "$T/r"
is "  under the outcome" "$(subject_to nora.lind@med.example.edu)" "Application complete [$nora]"
lars=$(ref_of lars.berg@med.example.edu)
is "  Lars: incomplete" "$(status_of "$lars")" incomplete
last_to lars.berg@med.example.edu >"$T/r"
ok "  his notice lists what is missing" grep -q -F "Still missing:" "$T/r"
ok "  (his transcript)" grep -q -x -F "  - Transcript" "$T/r"
is "  under a subject that counts it" "$(subject_to lars.berg@med.example.edu | sed 's/: [0-9]* items missing/: N items missing/')" \
	"Application window open: N items missing [$lars]"
is "  the judgement in the audit trail, once each" \
	"$(sql "SELECT count(*) FROM decisions WHERE cause = 'application window opened'")" 2
is "  Tom (ineligible) was not judged again" "$(mails_to tom.baker@med.example.edu)" 1

# ---- and again that day: nothing more ----
after=$(sink_count)
CLERKD_NOW=2026-11-03 ok "again the same day: run" run_clerkd
is "  no second notice" "$(sink_count)" "$after"
is "  no second judgement" "$(sql "SELECT count(*) FROM decisions WHERE cause = 'application window opened'")" 2

done_testing
