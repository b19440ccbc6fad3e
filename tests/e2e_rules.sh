#!/bin/bash
# End to end, against a real Dovecot and SMTP receiver: the rules of rules/
# judge each application, documents are recognised by their natural names,
# staff forwards count only when authenticated, staff check documents, and
# rules check/diff tell staff what a change would do.
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20

servers_start
sed -i 's/^\[staff\]$/[staff]\ntrusted_authserv_id = mx.example.edu/' "$T/clerkd.conf"

# ---- applications, judged on arrival ----
ALL_DOCS=("Dean's letter.pdf" "Official Transcript.pdf" "Immunization record.pdf" "Titers.pdf" "PPD_1.pdf" "PPD_2.pdf" "Health insurance card.jpg")
mkmail "$T/complete.eml" "Jane Doe <jane.doe@med.example.edu>" "Visiting clerkship application" \
	"$(form 'Jane Doe' jane.doe@med.example.edu)\nDocuments: PPD_1.pdf = tb-ppd 2026-09-01; PPD_2.pdf = tb-ppd 2026-09-09\n" "${ALL_DOCS[@]}"
mkmail "$T/undated.eml" "Omar Haddad <omar.haddad@med.example.edu>" "Application" \
	"$(form 'Omar Haddad' omar.haddad@med.example.edu)" "${ALL_DOCS[@]}"
mkmail "$T/no-tb.eml" "Lena Fischer <lena.fischer@med.example.edu>" "Application for a visiting clerkship" \
	"$(form 'Lena Fischer' lena.fischer@med.example.edu)" "Dean's letter.pdf" "transcript.pdf" \
	"Vaccination record.pdf" "Titers.pdf" "insurance.pdf" "IMG_2041.jpg"
mkmail "$T/third-year.eml" "Tom Baker <tom.baker@med.example.edu>" "Application" \
	"$(form 'Tom Baker' tom.baker@med.example.edu year=3rd)" "${ALL_DOCS[@]}"
mkmail "$T/observer.eml" "Ana Silva <ana.silva@med.example.edu>" "Observership request" \
	"$(form 'Ana Silva' ana.silva@med.example.edu type=observership)"
mkmail "$T/toefl.eml" "Kenji Sato <kenji.sato@u-tokyo.example.jp>" "Application" \
	"$(form 'Kenji Sato' kenji.sato@u-tokyo.example.jp 'school=University of Tokyo Faculty of Medicine' country=Japan year=6th 'english=TOEFL 105')\nDocuments: PPD_1.pdf = tb-ppd 2026-09-01; PPD_2.pdf = tb-ppd 2026-09-09\n" \
	"${ALL_DOCS[@]}" "TOEFL score report.pdf"
ENCRYPT="Transcript.pdf" mkmail "$T/encrypted.eml" "Mia Wong <mia.wong@med.example.edu>" "Application" \
	"$(form 'Mia Wong' mia.wong@med.example.edu)\nDocuments: HepB titer.pdf = hepatitis-b 2026-10-01 pending; PPD_1.pdf = tb-ppd 2026-09-01; PPD_2.pdf = tb-ppd 2026-09-09\n" \
	"Dean's letter.pdf" "Transcript.pdf" "Immunization record.pdf" "PPD_1.pdf" "PPD_2.pdf" \
	"Health insurance card.jpg" "HepB titer.pdf"
deliver "$T/complete.eml" "$T/undated.eml" "$T/no-tb.eml" "$T/third-year.eml" "$T/observer.eml" \
	"$T/toefl.eml" "$T/encrypted.eml"
ok "clerkd --once over seven applications" run_clerkd
is "one reply to each" "$(sink_count)" 7

jane=$(ref_of jane.doe@med.example.edu)
is "complete documents with natural names: complete" "$(status_of "$jane")" complete
is "nothing missing" "$(missing_of "$jane")" '"missing":[]'
last_to jane.doe@med.example.edu >"$T/r"
ok "the reply says complete" grep -q "Status: complete" "$T/r"
ok "and that it is not a guarantee" grep -q "does not guarantee a place" "$T/r"
is "the subject says the outcome" "$(subject_to jane.doe@med.example.edu)" "Application complete [$jane]"
ok "  and the reply is still in the student's thread" test -n "$(header_to jane.doe@med.example.edu In-Reply-To)"
ok "the Dean's letter is filed as good standing" grep -q -F "Dean's letter.pdf (" "$T/r"
ok "  ... as Letter of good standing" grep -q -F "filed as Letter of good standing" "$T/r"
ok "PPD_2.pdf with its date from the Documents: line" grep -q -F "to the end of your last block, dated 9 September 2026" "$T/r"
ok "the insurance card photo is filed as health insurance" grep -q "card.jpg ([0-9]* bytes): filed as Proof of health insurance$" "$T/r"
is "documents dated by the student are not flagged" \
	"$(sql "SELECT count(*) FROM documents d JOIN applications a ON a.id = d.application_id WHERE a.reference = '$jane' AND kind = 'tb-ppd' AND dated = 1")" 2

omar=$(ref_of omar.haddad@med.example.edu)
is "the same without dates: incomplete (issue 16)" "$(status_of "$omar")" incomplete
is "  two PPD results without dates cannot show 7 to 21 days: tb-ppd missing" "$(missing_of "$omar")" '"missing":["tb-ppd"]'
last_to omar.haddad@med.example.edu >"$T/r"
ok "  the reply says why" grep -q -F "    Your TB skin test results have no dates, so we cannot check that the second test was 7 to 21 days after the first." "$T/r"
ok "  and what to do, with an example line" grep -q -F "example: PPD_1.pdf = tb-ppd 2026-10-01. If you do not, a coordinator will check the dates on your documents." "$T/r"
ok "  the application is flagged for staff to check the dates" grep -q '"dates-to-check"' <(clerkctl show "$omar" --json)
is "  TB is listed once, as missing (not among those dated on receipt)" "$(grep -c -F "  - TB screening" "$T/r")" 1

lena=$(ref_of lena.fischer@med.example.edu)
is "no TB proof: incomplete" "$(status_of "$lena")" incomplete
is "with tb-ppd (and only it) missing" "$(missing_of "$lena")" '"missing":["tb-ppd"]'
last_to lena.fischer@med.example.edu >"$T/r"
ok "the reply says incomplete" grep -q "Status: incomplete" "$T/r"
ok "and lists the TB screening as missing" grep -q -F "  - TB screening: two-step PPD" "$T/r"
is "  in words, without the internal tag" "$(grep -c -F "[tb-ppd]" "$T/r")" 0
ok "and asks what the unrecognised photo is" grep -q -F 'IMG_2041.jpg = tb-ppd' "$T/r"
ok "one reply only, receipt and decision together" test "$(mails_to lena.fischer@med.example.edu)" = 1
is "the subject counts what is missing" "$(subject_to lena.fischer@med.example.edu)" "Application received: 1 item missing [$lena]"

tom=$(ref_of tom.baker@med.example.edu)
is "a third-year student: ineligible" "$(status_of "$tom")" ineligible
ok "the reply gives the reason" grep -q "only for students in the final year" <(last_to tom.baker@med.example.edu)
is "  under the subject 'Not eligible'" "$(subject_to tom.baker@med.example.edu)" "Not eligible [$tom]"
ok "the reason is in show --json" grep -q '"rule" : "final-year"' <(clerkctl show "$tom" --json)

ana=$(ref_of ana.silva@med.example.edu)
is "an observership request: ineligible" "$(status_of "$ana")" ineligible
ok "with the program's explanation" grep -q "We do not offer research positions or observerships" <(last_to ana.silva@med.example.edu)

kenji=$(ref_of kenji.sato@u-tokyo.example.jp)
is "an international 6th-year with TOEFL 105: complete" "$(status_of "$kenji")" complete

mia=$(ref_of mia.wong@med.example.edu)
last_to mia.wong@med.example.edu >"$T/r"
ok "an encrypted PDF gets a request for an unencrypted copy" grep -q "this PDF has a password" "$T/r"
ok "a titer whose result is pending is reported pending" grep -q -F -x "  - Hepatitis B: three vaccine doses and a titer (anti-HBs blood test): pending (we are waiting for the result; it counts once it arrives)" "$T/r"
ok "and is missing, not met" grep -q '"hepatitis-b"' <(missing_of "$mia")
ok "the encrypted transcript does not count" grep -q '"transcript"' <(missing_of "$mia")

clerkctl list --json >"$T/list.json"
ok "list --json carries missing as kind ids" grep -q '"tb-ppd"' "$T/list.json"
ok "and the reasons" grep -q '"rule" : "request-type"' "$T/list.json"
is "every decision is in the audit trail" "$(sql 'SELECT count(*) FROM decisions')" 7

# ---- documents later, from the registered address ----
before=$(sink_count)
mkmail "$T/lena-tb.eml" "Lena Fischer <lena.fischer@med.example.edu>" "Re: Application [$lena]" \
	"Here is my TB test." "QuantiFERON result.pdf"
# Omar gives the dates of his two results, as the reply asked.
mkmail "$T/omar-dates.eml" "Omar Haddad <omar.haddad@med.example.edu>" "Re: Application [$omar]" \
	"Hello,\n\nPPD_1.pdf = tb-ppd 2026-09-01\nPPD_2.pdf = tb-ppd 2026-09-09\n\nOmar"
deliver "$T/lena-tb.eml" "$T/omar-dates.eml"
ok "documents later: run" run_clerkd
is "one reply each" "$(sink_count)" "$((before + 2))"
is "Omar's dates, 8 days apart: complete" "$(status_of "$omar")" complete
ok "  his reply says so" grep -q "Status: complete" <(last_to omar.haddad@med.example.edu)
is "an IGRA completes the TB item: complete" "$(status_of "$lena")" complete
ok "the reply says so" grep -q "Status: complete" <(last_to lena.fischer@med.example.edu)
is "  in its subject too" "$(subject_to lena.fischer@med.example.edu)" "Application complete [$lena]"

# ---- status ----
before=$(sink_count)
mkmail "$T/status.eml" "Mia Wong <mia.wong@med.example.edu>" "status" "What is my status?"
deliver "$T/status.eml"
ok "status: run" run_clerkd
last_to mia.wong@med.example.edu >"$T/r"
ok "a status request gets the status" grep -q "Status: incomplete" "$T/r"
ok "with the documents on file" grep -q "HepB titer.pdf: Hepatitis B" "$T/r"
ok "and the reference in the subject" grep -q -F "[$mia]" <("$MAILCAT" -h Subject "$(ls -t "$T"/sink/* | head -1)")
is "  which says the status" "$(subject_to mia.wong@med.example.edu)" "Status: 2 items missing [$mia]"

# ---- documents quoting a reference from another address: held ----
before=$(sink_count)
mkmail "$T/other.eml" "Someone <someone@elsewhere.example.net>" "Documents for $mia" \
	"Please add these." "Official Transcript.pdf"
deliver "$T/other.eml"
ok "held: run" run_clerkd
is "held documents change nothing" "$(missing_of "$mia")" '"missing":["hepatitis-b","transcript"]'
ok "the sender is told they are held for staff" grep -q "A coordinator will check it first" <(last_to someone@elsewhere.example.net)
ok "staff are told" grep -q "held for staff" <(last_to registrar@example.edu)
is "nothing went to the applicant" "$(mails_to mia.wong@med.example.edu)" 2
ok "doc list shows it held" grep -q -E "^[0-9]+ +held +transcript" <(clerkctl doc list "$mia")
ok "staff accept it" clerkctl doc accept "$mia" transcript --date 2026-10-15
is "now only the pending titer is missing" "$(missing_of "$mia")" '"missing":["hepatitis-b"]'
ok "clerkd sends the student the notice" run_clerkd
ok "the student is told what staff checked" grep -q "a coordinator checked your documents" <(last_to mia.wong@med.example.edu)
ok "doc get returns the document's bytes" grep -q -a "Official Transcript.pdf" <(clerkctl doc get "$mia" \
	"$(sql "SELECT d.id FROM documents d JOIN applications a ON a.id = d.application_id WHERE a.reference = '$mia' AND d.kind = 'transcript' AND d.state = 'accepted'")")
ok "doc reject with a reason" clerkctl doc reject "$mia" hepatitis-b --reason "the titer report is illegible"
ok "show prints the audit trail" grep -q "staff rejected a document" <(clerkctl show "$mia")

# ---- staff forwards ----
AUTH="Authentication-Results: mx.example.edu; spf=pass smtp.mailfrom=example.edu; dkim=pass header.d=example.edu header.s=s1; dmarc=pass header.from=example.edu\n"
FWD="Please add this for the student.\n\n---------- Forwarded message ---------\nFrom: Omar Haddad <omar.haddad@med.example.edu>\nDate: Mon, 19 Oct 2026 at 09:12\nSubject: my chest X-ray\nTo: Registrar <registrar@example.edu>\n\nHere is the X-ray report.\n"
mkmail "$T/omar-pos.eml" "Omar Haddad <omar.haddad@med.example.edu>" "Re: Application [$omar]" \
	"My second reading was positive.\nDocuments: PPD reading.pdf = tb-ppd 2026-09-20 positive" "PPD reading.pdf"
deliver "$T/omar-pos.eml"
ok "a positive result: run" run_clerkd
is "a positive PPD asks for a chest X-ray" "$(missing_of "$omar")" '"missing":["chest-xray"]'

# A forgery first: the staff address without the trusted server's word.
before=$(sink_count)
EXTRA_HEADERS="Authentication-Results: mx.evil.example; dmarc=pass header.from=example.edu\n" \
	mkmail "$T/forged.eml" "Registrar <registrar@example.edu>" "Fwd: my chest X-ray" "$FWD" "Chest X-ray report.pdf"
deliver "$T/forged.eml"
ok "forged staff forward: run" run_clerkd
is "it changes nothing" "$(sql "SELECT count(*) FROM documents d JOIN applications a ON a.id = d.application_id WHERE a.reference = '$omar' AND d.kind = 'chest-xray'")" 0
ok "and is reported to staff" grep -q "not authenticated: nothing was changed" <(last_to registrar@example.edu)
is "the student hears nothing of it" "$(mails_to omar.haddad@med.example.edu)" 3

before=$(sink_count)
EXTRA_HEADERS=$AUTH mkmail "$T/forward.eml" "Registrar <registrar@example.edu>" "Fwd: my chest X-ray" "$FWD" "Chest X-ray report.pdf"
deliver "$T/forward.eml"
ok "authenticated staff forward: run" run_clerkd
is "staff confirmation and student notice" "$(sink_count)" "$((before + 2))"
is "the X-ray is credited to the applicant found by the original sender" \
	"$(sql "SELECT state FROM documents d JOIN applications a ON a.id = d.application_id WHERE a.reference = '$omar' AND d.kind = 'chest-xray'")" accepted
is "which completes the application" "$(status_of "$omar")" complete
ok "staff get a confirmation" grep -q "credited to $omar" <(last_to registrar@example.edu)
ok "the student gets the new status" grep -q "Status: complete" <(last_to omar.haddad@med.example.edu)

# An Outlook-style forward, found by the reference in the subject, kind given by staff.
EXTRA_HEADERS=$AUTH mkmail "$T/forward2.eml" "Registrar <registrar@example.edu>" "FW: titer [$mia]" \
	"Document: hepatitis-b-titer 2026-10-18\n\n________________________________\nFrom: Mia Wong <mia.wong@gmail.example.com>\nSent: Monday, October 19, 2026 9:00 AM\nTo: Registrar\nSubject: titer\n\nattached" "scan0001.pdf"
deliver "$T/forward2.eml"
ok "forward by reference: run" run_clerkd
is "the staff note's Document: line names the kind" \
	"$(sql "SELECT kind || ' ' || doc_date FROM documents WHERE filename = 'scan0001.pdf'")" "hepatitis-b-titer 2026-10-18"
is "and the application is complete" "$(status_of "$mia")" complete

# ---- the same person again, from another address ----
mkmail "$T/twin.eml" "Jane Doe <jane.d@gmail.example.com>" "Application" "$(form 'Jane Doe' jane.d@gmail.example.com)"
deliver "$T/twin.eml"
ok "second application: run" run_clerkd
ok "is flagged for staff" grep -q "possible-duplicate:$jane" <(clerkctl show "$(ref_of jane.d@gmail.example.com)" --json)
ok "who are told" grep -q "may be a second application of $jane" <(last_to registrar@example.edu)

# ---- rules diff: a stricter TOEFL minimum, predicted before it is deployed ----
cp -r "$top_srcdir/rules" "$T/newrules"
sed -i 's/^toefl_minimum = .*/toefl_minimum = 110/' "$T/newrules/policy.ini"
clerkctl rules diff "$T/newrules" >"$T/diff"
ok "rules diff names the application the change moves" grep -q "^$kenji  complete -> ineligible" "$T/diff"
is "and only it" "$(grep -c '^ECP-' "$T/diff")" 1
is "nothing changed meanwhile" "$(status_of "$kenji")" complete
sed -i "s|^directory = .*|directory = $T/newrules|" "$T/clerkd.conf"
before=$(sink_count)
clerkctl rules apply >"$T/apply"
ok "rules apply moves what rules diff said" grep -q "^$kenji  complete -> ineligible" "$T/apply"
is "  and only that" "$(grep -c '^ECP-' "$T/apply")" 1
is "  recorded" "$(status_of "$kenji")" ineligible
ok "  the student is told once, on the next pass" run_clerkd
is "  one notice" "$(sink_count)" "$((before + 1))"
ok "  with the reason" grep -q "TOEFL" <(last_to kenji.sato@u-tokyo.example.jp)
sed -i 's/^toefl_minimum = .*/toefl_minimum = 100/' "$T/newrules/policy.ini"
clerkctl rules apply >/dev/null
is "applying the old rules again moves it back" "$(status_of "$kenji")" complete
sed -i 's/^toefl_minimum = .*/toefl_minimum = 110/' "$T/newrules/policy.ini"
mkmail "$T/kenji2.eml" "Kenji Sato <kenji.sato@u-tokyo.example.jp>" "Re: Application [$kenji]" "One more document." "Flu shot 2026.pdf"
deliver "$T/kenji2.eml"
ok "deployed: run" run_clerkd
is "the prediction holds once the rules are deployed" "$(status_of "$kenji")" ineligible
ok "rules diff --json" grep -q '"new_status"' <(clerkctl rules diff "$top_srcdir/rules" --json)

# ---- a rule that runs away: stopped after its step budget, FILE:LINE, never a hang ----
cp -r "$top_srcdir/rules" "$T/runaway"
CROSS="(WITH d(x) AS (VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10)) SELECT count(*) FROM d a, d b, d c, d e, d f, d g, d h, d i, d j, d k) > 0"
printf '\n[runaway]\nrequire = %s\nreason = never\n' "$CROSS" >>"$T/runaway/eligibility.ini"
line=$(grep -n '^require = (WITH d(x)' "$T/runaway/eligibility.ini" | cut -d: -f1)
rc=0; timeout 60 "$CLERKCTL" --config "$T/clerkd.conf" rules check "$T/runaway" >"$T/check" 2>&1 || rc=$?
is "rules check: a cross join of 10^10 rows fails the check, in time" "$rc" 1
ok "  named by its file and line" grep -q -F "$T/runaway/eligibility.ini:$line: rule 'runaway' took too long (over 5000000 steps)" "$T/check"
# Running away on one application only: the dry run passes, rules diff stops there, names it.
sed -i "s/^require = (WITH d(x)/require = CASE WHEN name = 'Kenji Sato' THEN (WITH d(x)/; s/d j, d k) > 0\$/d j, d k) > 0 ELSE 1 END/" "$T/runaway/eligibility.ini"
ok "  the same only for Kenji passes the check" timeout 60 "$CLERKCTL" --config "$T/clerkd.conf" rules check "$T/runaway"
rc=0; timeout 60 "$CLERKCTL" --config "$T/clerkd.conf" rules diff "$T/runaway" >"$T/diff" 2>&1 || rc=$?
is "  rules diff fails as with a broken rule (temporary)" "$rc" 75
ok "  naming file and line" grep -q -F "$T/runaway/eligibility.ini:$line: rule 'runaway' took too long" "$T/diff"

# The corpus' staff forward (Gmail, authenticated by mx.example.edu) of an applicant's PPD.
deliver "$DATA/gmail-pdf.eml" "$DATA/forward/staff-gmail-forward.eml"
ok "corpus staff forward: run" run_clerkd
priya=$(ref_of priya.raman@med.example.edu)
is "the forwarded PPD is credited to the applicant, accepted" \
	"$(sql "SELECT kind || ' ' || state || ' ' || source FROM documents d JOIN applications a ON a.id = d.application_id WHERE a.reference = '$priya' AND d.filename = 'PPD_1.pdf'")" \
	"tb-ppd accepted staff:registrar@example.edu"

# ---- health documents (#16): a titer report is not the immunization record; BCG ----
mkmail "$T/titers.eml" "Sara Lind <sara.lind@med.example.edu>" "Application" \
	"$(form 'Sara Lind' sara.lind@med.example.edu)\nBCG: yes\nDocuments: PPD_1.pdf = tb-ppd 2026-09-01; PPD_2.pdf = tb-ppd 2026-09-09\n" \
	"Dean's letter.pdf" "Official Transcript.pdf" "titers.pdf" "PPD_1.pdf" "PPD_2.pdf" "Health insurance card.jpg"
mkmail "$T/pending-mmr.eml" "Noor Aziz <noor.aziz@med.example.edu>" "Application" \
	"$(form 'Noor Aziz' noor.aziz@med.example.edu)\nDocuments: MMR titer.pdf = mmr 2026-10-01 pending; PPD_1.pdf = tb-ppd 2026-09-01; PPD_2.pdf = tb-ppd 2026-09-09\n" \
	"${ALL_DOCS[@]}" "MMR titer.pdf"
deliver "$T/titers.eml" "$T/pending-mmr.eml"
ok "health documents: run" run_clerkd
sara=$(ref_of sara.lind@med.example.edu)
is "titers.pdf is filed as a titer report" \
	"$(sql "SELECT kind FROM documents d JOIN applications a ON a.id = d.application_id WHERE a.reference = '$sara' AND d.filename = 'titers.pdf'")" titer-report
is "  which covers the serologies, not Tdap or influenza; BCG: yes asks for a chest X-ray" \
	"$(missing_of "$sara")" '"missing":["chest-xray","hepatitis-b","tdap","influenza"]'
last_to sara.lind@med.example.edu >"$T/r"
ok "  the reply names the chest X-ray and why" grep -q "Chest X-ray report (after a positive TB test or a BCG" "$T/r"
noor=$(ref_of noor.aziz@med.example.edu)
is "an MMR serology pending, with an immunization record: MMR is still missing" "$(missing_of "$noor")" '"missing":["mmr"]'
ok "  and the reply says it is pending" grep -q "pending (we are waiting for the result" <(last_to noor.aziz@med.example.edu)

# Hepatitis B: the immunization record (the doses) and a titer; influenza in
# this flu season (from 1 August 2026); a TB result valid to the end of the block.
mkmail "$T/hepb.eml" "Hana Kim <hana.kim@med.example.edu>" "Application" \
	"$(form 'Hana Kim' hana.kim@med.example.edu)\nDocuments: PPD_1.pdf = tb-ppd 2026-09-01; PPD_2.pdf = tb-ppd 2026-09-09\n" \
	"Dean's letter.pdf" "Official Transcript.pdf" "Immunization record.pdf" "PPD_1.pdf" "PPD_2.pdf" "Health insurance card.jpg"
mkmail "$T/flu.eml" "Ivan Petrov <ivan.petrov@med.example.edu>" "Application" \
	"$(form 'Ivan Petrov' ivan.petrov@med.example.edu)\nDocuments: Immunization record.pdf = immunization-form 2026-07-15; PPD_1.pdf = tb-ppd 2026-09-01; PPD_2.pdf = tb-ppd 2026-09-09\n" \
	"${ALL_DOCS[@]}"
mkmail "$T/tb-old.eml" "Eva Novak <eva.novak@med.example.edu>" "Application" \
	"$(form 'Eva Novak' eva.novak@med.example.edu)\nDocuments: PPD_1.pdf = tb-ppd 2026-03-02; PPD_2.pdf = tb-ppd 2026-03-10\n" \
	"${ALL_DOCS[@]}"
before=$(sink_count)
deliver "$T/hepb.eml" "$T/flu.eml" "$T/tb-old.eml"
ok "hepatitis B, influenza, TB expiry: run" run_clerkd
is "  one reply each" "$(sink_count)" "$((before + 3))"
hana=$(ref_of hana.kim@med.example.edu)
is "an immunization record without a titer: hepatitis-b missing" "$(missing_of "$hana")" '"missing":["hepatitis-b"]'
last_to hana.kim@med.example.edu >"$T/r"
ok "  the reply lists it in plain words" grep -q -F -x "  - Hepatitis B: three vaccine doses and a titer (anti-HBs blood test)" "$T/r"
ok "  and says the titer is what is lacking" grep -q -F -x "    We have the record of your doses. We also need your hepatitis B titer: the result of the anti-HBs blood test, with a number." "$T/r"
ok "  the record's note no longer promises hepatitis B" grep -q -F "and your three hepatitis B doses. For hepatitis B we also need the titer result." "$T/r"
mkmail "$T/hepb2.eml" "Hana Kim <hana.kim@med.example.edu>" "Re: Application [$hana]" "Here is my titer." "HBsAb result.pdf"
deliver "$T/hepb2.eml"
ok "  her titer: run" run_clerkd
is "  HBsAb result.pdf is filed as the hepatitis B titer" \
	"$(sql "SELECT kind FROM documents WHERE filename = 'HBsAb result.pdf'")" hepatitis-b-titer
is "  which completes the application" "$(status_of "$hana")" complete
ivan=$(ref_of ivan.petrov@med.example.edu)
is "an immunization record of 15 July 2026: influenza missing on 20 October" "$(missing_of "$ivan")" '"missing":["influenza"]'
ok "  the reply gives the season's first day" grep -q -F -x "    We need a flu vaccine dose from this flu season: given on 1 August 2026 or later." <(last_to ivan.petrov@med.example.edu)
mkmail "$T/flu2.eml" "Ivan Petrov <ivan.petrov@med.example.edu>" "Re: Application [$ivan]" \
	"Documents: Flu shot.pdf = influenza 2026-10-02" "Flu shot.pdf"
deliver "$T/flu2.eml"
ok "  a flu shot of 2 October 2026: run" run_clerkd
is "  complete" "$(status_of "$ivan")" complete
eva=$(ref_of eva.novak@med.example.edu)
is "a TB test that expires before the block ends: tb-ppd missing" "$(missing_of "$eva")" '"missing":["tb-ppd"]'
ok "  the reply says so with the dates" grep -q -F -x "    Your TB test of 10 March 2026 is valid until 10 March 2027, but your block 2027-03 ends on 26 March 2027. Please send a TB test result dated 26 March 2026 or later." <(last_to eva.novak@med.example.edu)

ok "no document kept under a name from mail" bash -c "! find '$T/store/documents' -type f -printf '%P\n' | grep -q -E 'pdf|jpe?g'"
is "no document readable by others" "$(find "$T/store/documents" -type f ! -perm 600 | wc -l)" 0
is "inbox emptied" "$(mailbox_count INBOX)" 0
done_testing
