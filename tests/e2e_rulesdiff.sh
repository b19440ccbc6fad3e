#!/bin/bash
# End to end, against a real Dovecot and SMTP receiver: applications judged
# under the rules shipped before issue #16 (tests/data/rules-before-16), then
# `clerkctl rules diff rules/` (the rules shipped now) lists who would move,
# old -> new status: a degree field that says none yet or not held (was
# ineligible), IELTS 7.5 (was incomplete), a May graduate with a June block
# (was eligible). A hepatitis B titer, new in #16, moves every one of them
# too (see below). After `rules apply`, IELTS 7.5 is no reason any more.
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2027-01-10

servers_start
OLD="$top_srcdir/tests/data/rules-before-16"
sed -i "s|^directory = .*|directory = $OLD|" "$T/clerkd.conf"
DOCS=("Dean's letter.pdf" "Transcript.pdf" "Immunization record.pdf" "Titers.pdf" "QuantiFERON.pdf" "Insurance card.jpg")
TOKYO=("school=University of Tokyo Faculty of Medicine" country=Japan year=6th)
mkmail "$T/ravi.eml" "Ravi Menon <ravi.menon@med.example.edu>" "Application" \
	"$(form 'Ravi Menon' ravi.menon@med.example.edu 'degree=none yet (MBBS expected 2027)')" "${DOCS[@]}"
mkmail "$T/lea.eml" "Lea Brun <lea.brun@med.example.edu>" "Application" \
	"$(form 'Lea Brun' lea.brun@med.example.edu 'degree=I do not hold a medical degree')" "${DOCS[@]}"
mkmail "$T/yuki.eml" "Yuki Tanaka <yuki.tanaka@u-tokyo.example.jp>" "Application" \
	"$(form 'Yuki Tanaka' yuki.tanaka@u-tokyo.example.jp "${TOKYO[@]}" 'english=IELTS 7.5')\nDocuments: IELTS report.pdf = toefl 2026-06-01\n" \
	"${DOCS[@]}" "IELTS report.pdf"
mkmail "$T/sam.eml" "Sam Ortiz <sam.ortiz@med.example.edu>" "Application" \
	"$(form 'Sam Ortiz' sam.ortiz@med.example.edu grad=2027-05 'c1=MED-401 2027-06' 'c2=SUR-512 2027-06')" "${DOCS[@]}"
mkmail "$T/jo.eml" "Jo Park <jo.park@med.example.edu>" "Application" \
	"$(form 'Jo Park' jo.park@med.example.edu)" "${DOCS[@]}"
deliver "$T/ravi.eml" "$T/lea.eml" "$T/yuki.eml" "$T/sam.eml" "$T/jo.eml"
ok "applications under the old rules: run" run_clerkd
ravi=$(ref_of ravi.menon@med.example.edu)
lea=$(ref_of lea.brun@med.example.edu)
yuki=$(ref_of yuki.tanaka@u-tokyo.example.jp)
sam=$(ref_of sam.ortiz@med.example.edu)
jo=$(ref_of jo.park@med.example.edu)
is "old rules: 'none yet (MBBS expected 2027)' read as a degree" "$(status_of "$ravi")" ineligible
is "old rules: 'I do not hold a medical degree' too" "$(status_of "$lea")" ineligible
is "old rules: IELTS 7.5 not accepted" "$(status_of "$yuki")" incomplete
is "old rules: a May 2027 graduate with a June 2027 block accepted" "$(status_of "$sam")" complete
is "old rules: an ordinary application complete" "$(status_of "$jo")" complete

# The old rules lack templates added since (decision-early.txt, ...): clerkd
# falls back to the shipped ones, and rules check says they are missing.
ok "the new rules pass rules check" clerkctl rules check "$top_srcdir/rules"
clerkctl rules diff "$top_srcdir/rules" >"$T/diff"
# Every one of them moves on hepatitis B too: before #16 an immunization
# record met it, now it needs a titer, and "Titers.pdf" was no kind then (it
# was filed unnamed), so each applicant now misses it: the diff says so.
HEPB='missing \[\] -> \["hepatitis-b"\]'
ok "rules diff: the degree 'none yet' is no longer ineligible (only the titer missing)" \
	grep -q "^$ravi  ineligible -> incomplete  $HEPB" "$T/diff"
ok "  'I do not hold a medical degree' too" grep -q "^$lea  ineligible -> incomplete  $HEPB" "$T/diff"
ok "  IELTS 7.5: still incomplete, now only for the titer" grep -q "^$yuki  incomplete -> incomplete  $HEPB" "$T/diff"
ok "  the May graduate with a June block: complete -> ineligible" grep -q "^$sam  complete -> ineligible  " "$T/diff"
ok "  the ordinary application: complete -> incomplete, for the titer alone" \
	grep -q "^$jo  complete -> incomplete  $HEPB" "$T/diff"
ok "  and it says how many of how many" grep -q -E "^5 of 5 applications would change under $top_srcdir/rules$" "$T/diff"
clerkctl rules diff "$top_srcdir/rules" --json | tr -d ' \n' >"$T/diff.json"
ok "rules diff --json: reference, status, new_status" \
	grep -q "\"reference\":\"$sam\",\"status\":\"complete\",\"new_status\":\"ineligible\"" "$T/diff.json"
is "nothing changed by the diff" "$(status_of "$ravi") $(status_of "$sam")" "ineligible complete"
sed -i "s|^directory = .*|directory = $top_srcdir/rules|" "$T/clerkd.conf"
ok "rules apply under the new rules" clerkctl rules apply
clerkctl show "$yuki" --json >"$T/yuki.json"
ok "  IELTS 7.5 is accepted now: no english reason" bash -c "! grep -q '\"english\"' '$T/yuki.json'"
ok "  the titer is what she misses" grep -q '"hepatitis-b"' "$T/yuki.json"
done_testing
