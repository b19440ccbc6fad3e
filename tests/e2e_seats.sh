#!/bin/bash
# End to end, against a real Dovecot and SMTP receiver: rules/seats.csv gives
# a course's seats in one block. NEU-301 has 3 seats in the catalog but 1 in
# block 2027-03, so its lottery seats one; OBG-410 is closed in 2027-03 (0),
# so it is never drawn nor waitlisted, and a student who chose it is told so.
# Availability answers say the same; rules check names a wrong row's line.
# Also FAQ answers (visa, housing) to applicants' questions by mail.
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20

servers_start
mkdir -p "$T/rules"
cp -r "$top_srcdir/rules/." "$T/rules/"
printf 'NEU-301,2027-03,1\nOBG-410,2027-03,0\n' >>"$T/rules/seats.csv"
sed -i "s|^directory = .*|directory = $T/rules|" "$T/clerkd.conf"
ok "rules check accepts seats.csv" clerkctl rules check

DOCS=("Dean's letter.pdf" "Transcript.pdf" "Immunization record.pdf" "Titers.pdf" "QuantiFERON.pdf" "Insurance card.jpg")
names=(Ada Ben Cleo)
for n in "${names[@]}"; do
	mkmail "$T/$n.eml" "$n Student <$n@med.example.edu>" "Application" \
		"$(form "$n Student" "$n@med.example.edu" 'c1=OBG-410 2027-03' 'c2=NEU-301 2027-03')" "${DOCS[@]}"
	deliver "$T/$n.eml"
done
mkmail "$T/dan.eml" "Dan Student <dan@med.example.edu>" "Application" \
	"$(form "Dan Student" "dan@med.example.edu" 'c1=OBG-410 2027-03' 'c2=NEU-301 2027-03')"
deliver "$T/dan.eml"
ok "applications: run" run_clerkd
is "three complete applications" "$(sql "SELECT count(*) FROM applications WHERE status = 'complete'")" 3
last_to ada@med.example.edu >"$T/r"
ok "the reply's choices say the course is closed in that block" \
	grep -q -F "1. OBG-410 in block 2027-03 (closed in this block: it has no seats)" "$T/r"
ok "  and not of the other choice" grep -q -F -x "  2. NEU-301 in block 2027-03" "$T/r"
is "Dan, without documents: incomplete" "$(status_of "$(ref_of dan@med.example.edu)")" incomplete
last_to dan@med.example.edu >"$T/r"
ok "an incomplete reply says what is wrong with the closed choice" \
	grep -q -F "Choice 1 (OBG-410 2027-03): OBG-410 is closed in block 2027-03: it has no seats in that block, so we cannot place you in it." "$T/r"
ok "  not with the other" bash -c "! grep -q 'Choice 2 (NEU-301' '$T/r'"
ok "the catalog under it lists the exceptions" grep -q -F "NEU-301 has 1 seat in block 2027-03." "$T/r"
ok "  the closed one too" grep -q -F "OBG-410 is closed in block 2027-03 (no seats)." "$T/r"

# ---- availability answers ----
mkmail "$T/q1.eml" "Nina Novak <nina.novak@med.example.si>" "Availability" "Hello, is NEU-301 open in March?"
mkmail "$T/q2.eml" "Omar Ali <omar.ali@med.example.si>" "Availability" "Are there seats in OBG-410 in March?"
mkmail "$T/q3.eml" "Pia Berg <pia.berg@med.example.si>" "Availability" "Is NEU-301 available in April?"
deliver "$T/q1.eml" "$T/q2.eml" "$T/q3.eml"
ok "questions: run" run_clerkd
ok "NEU-301 in March: 1 seat, the block's own" \
	grep -q -F "block 2027-03 (1-26 March 2027): open, 1 of 1 seat available" <(last_to nina.novak@med.example.si)
ok "  its usual seats named as usual" grep -q -F "usually has 3 seats per block" <(last_to nina.novak@med.example.si)
ok "OBG-410 in March: closed" grep -q -F "block 2027-03 (1-26 March 2027): closed, no seats in this block" \
	<(last_to omar.ali@med.example.si)
ok "NEU-301 in April: the catalog's 3" grep -q -F "block 2027-04 (5-30 April 2027): open, 3 of 3 seats available" \
	<(last_to pia.berg@med.example.si)
ok "  said without 'usually'" grep -q -F "NEU-301, Inpatient Neurology (University Hospital, Neurology), has 3 seats per block" \
	<(last_to pia.berg@med.example.si)

# ---- the FAQ, asked in students' words ----
mkmail "$T/q4.eml" "Ada Student <ada@med.example.edu>" "Visa question" \
	"Hello, will you send me an invitation letter for my visa? The embassy asks for one."
mkmail "$T/q5.eml" "Ben Student <ben@med.example.edu>" "Question" "Can you help me find accommodation near the hospital?"
deliver "$T/q4.eml" "$T/q5.eml"
ok "FAQ questions: run" run_clerkd
ok "a visa question: what the program sends, and nothing more" grep -q "We do not send any other letter" <(last_to ada@med.example.edu)
ok "a housing question: the program cannot help" grep -q "We cannot help with housing" <(last_to ben@med.example.edu)
is "  neither went to staff" "$(all_to registrar@example.edu | grep -c 'could not answer')" 0

# ---- the lottery ----
clerkctl schedule 2027-03 --seed 77 >"$T/draw"
is "one seated: NEU-301 has one seat in 2027-03" "$(sql "SELECT count(*) FROM assignments WHERE block = '2027-03'")" 1
is "  in NEU-301" "$(sql "SELECT course FROM assignments WHERE block = '2027-03'")" NEU-301
is "the others waitlisted" "$(sql "SELECT count(*) FROM applications WHERE status = 'waitlisted'")" 2
is "  on NEU-301 only: the closed course has no waitlist" \
	"$(sql "SELECT group_concat(DISTINCT course) FROM waitlist WHERE block = '2027-03'")" NEU-301
is "nobody in OBG-410 in 2027-03" "$(sql "SELECT count(*) FROM assignments WHERE course = 'OBG-410'")" 0
ok "results: run" run_clerkd

# ---- rules check names the line of a wrong row ----
printf 'NEU-301,2027-03,2\nCAR-999,2027-03,1\nNEU-301,2027-04,many\n' >>"$T/rules/seats.csv"
line=$(grep -n '^NEU-301,2027-03,2$' "$T/rules/seats.csv" | cut -d: -f1)
clerkctl rules check >"$T/out" 2>&1
is "a wrong seats.csv: rules check exits 1" "$?" 1
ok "  a course and block twice, by line" grep -q -F "$T/rules/seats.csv:$line: NEU-301 in block 2027-03 given twice" "$T/out"
ok "  an unknown course" grep -q -F "$T/rules/seats.csv:$((line + 1)): course CAR-999 is not in catalog.csv" "$T/out"
ok "  seats not a whole number" grep -q -F "$T/rules/seats.csv:$((line + 2)): seats 'many' must be a whole number" "$T/out"
done_testing
