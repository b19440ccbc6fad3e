#!/bin/bash
# End to end: the rolling (first come, first served) policy, with seats held
# for the program's own students until home_hold_days before the block.
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20

servers_start
cp -r "$top_srcdir/rules" "$T/rules"
sed -i "s|^directory = .*|directory = $T/rules|" "$T/clerkd.conf"
# Other numbers than the shipped ones, too: the texts take theirs from here.
sed -i 's/^scheduling = .*/scheduling = rolling/; s/^home_school =.*/home_school = Example State University College of Medicine/; s/^home_seats = .*/home_seats = 1/; s/^toefl_minimum = .*/toefl_minimum = 90/; s/^max_choices = .*/max_choices = 10/' \
	"$T/rules/policy.ini"
ok "the rolling rules pass rules check" clerkctl rules check
DOCS=("Dean's letter.pdf" "Transcript.pdf" "Immunization record.pdf" "Titers.pdf" "QuantiFERON.pdf" "Insurance card.jpg")
CORES="cores=medicine, surgery, pediatrics, obstetrics-gynecology, neurology"

# NEU-320 has one seat; it is held for home students until 90 days before 2027-03.
mkmail "$T/a.eml" "Amy Away <amy@med.example.edu>" "Application" \
	"$(form "Amy Away" amy@med.example.edu 'c1=NEU-320 2027-03' 'c2=MED-401 2027-03' "$CORES")" "${DOCS[@]}"
deliver "$T/a.eml"
ok "first come: run" run_clerkd
is "placed at once, in its second choice (the first seat is held)" \
	"$(sql "SELECT status || ' ' || (SELECT course FROM assignments WHERE application_id = a.id AND state = 'active') FROM applications a WHERE email = 'amy@med.example.edu'")" \
	"scheduled MED-401"
ok "the one reply says scheduled, with the course" grep -q "Status: scheduled. You have a place" <(last_to amy@med.example.edu)
ok "  and the seat's details" grep -q "MED-401 Acting Internship in General Internal Medicine, University Hospital" <(last_to amy@med.example.edu)
ok "  and is one reply only" test "$(mails_to amy@med.example.edu)" = 1
amy=$(ref_of amy@med.example.edu)
is "  its subject says where and when" "$(subject_to amy@med.example.edu)" "Scheduled: MED-401, 1-26 March 2027; 1 item missing [$amy]"
ok "  and it never mentions a lottery (rolling policy)" bash -c "! grep -i lottery <(last_to amy@med.example.edu)"
mkmail "$T/h.eml" "Hugo Home <hugo@med.example.edu>" "Application" \
	"$(form "Hugo Home" hugo@med.example.edu 'school=Example State University College of Medicine' 'c1=NEU-320 2027-03' 'c2=NEU-320 2027-03' "$CORES")" "${DOCS[@]}"
deliver "$T/h.eml"
ok "a home student: run" run_clerkd
is "a home student gets the held seat" \
	"$(sql "SELECT status || ' ' || (SELECT course FROM assignments WHERE application_id = a.id AND state = 'active') FROM applications a WHERE email = 'hugo@med.example.edu'")" \
	"scheduled NEU-320"
mkmail "$T/b.eml" "Bo Late <bo@med.example.edu>" "Application" \
	"$(form "Bo Late" bo@med.example.edu 'c1=NEU-320 2027-03' 'c2=NEU-320 2027-03' "$CORES")" "${DOCS[@]}"
deliver "$T/b.eml"
ok "full: run" run_clerkd
is "when it is full, the next is waitlisted" "$(sql "SELECT status FROM applications WHERE email = 'bo@med.example.edu'")" waitlisted
ok "  and told its position" grep -q "waitlisted for NEU-320 in block 2027-03: position 1" <(last_to bo@med.example.edu)
is "  under the subject 'Waitlisted'" "$(subject_to bo@med.example.edu)" "Waitlisted: NEU-320, March 2027 [$(ref_of bo@med.example.edu)]"
ok "  which says nothing of a lottery" bash -c "! grep -i lottery <(last_to bo@med.example.edu)"
ok "  but the order of completion" grep -q "in the order in which applications" <(last_to bo@med.example.edu)
is "no lottery is ever drawn under rolling" "$(CLERKD_NOW=2027-02-01 clerkctl due >/dev/null; sql 'SELECT count(*) FROM lotteries')" 0

# ---- the numbers of this policy.ini, not the shipped ones ----
mkmail "$T/fc.eml" "Cleo Curious <cleo@med.example.edu>" "Question" "Can I apply? Can I be waitlisted?"
mkmail "$T/k.eml" "Kenji Sato <kenji@u-tokyo.example.jp>" "Application" \
	"$(form "Kenji Sato" kenji@u-tokyo.example.jp 'school=University of Tokyo Faculty of Medicine' country=Japan year=6th 'english=TOEFL 85')" \
	"${DOCS[@]}" "TOEFL score report.pdf"
deliver "$T/fc.eml" "$T/k.eml"
ok "policy numbers: run" run_clerkd
last_to cleo@med.example.edu >"$T/r"
ok "the first contact gives max_choices from policy.ini (10)" grep -q "You may choose up to 10 courses, in at most 3 blocks" "$T/r"
is "  under the subject 'How to apply'" "$(subject_to cleo@med.example.edu)" "Answer to your question, and how to apply"
ok "  the FAQ answer follows the rolling policy" grep -q "waitlist of each course you chose in that block, in order of arrival" "$T/r"
ok "  and says nothing of a lottery" bash -c "! grep -i lottery '$T/r'"
is "TOEFL 85 under toefl_minimum = 90: not eligible" "$(status_of "$(ref_of kenji@u-tokyo.example.jp)")" ineligible
ok "  the reason gives the policy's number" grep -q "TOEFL iBT score of at least 90," <(last_to kenji@u-tokyo.example.jp)
done_testing
