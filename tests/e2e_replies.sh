#!/bin/bash
# End to end: replies read as the student reads them (issue 15, "What every
# reply must give the student"): the dates of each chosen block computed from
# policy.ini and blocks.csv (documents due, lottery, how long a waitlist
# lasts), exactly which choice is wrong with the nearest valid codes and the
# catalog, the blocks in the first-contact reply, and the missing list in
# plain words.
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20

servers_start
cp -r "$top_srcdir/rules" "$T/rules"
sed -i "s|^directory = .*|directory = $T/rules|" "$T/clerkd.conf"
policy() { sed -i "s/^$1 = .*/$1 = $2/" "$T/rules/policy.ini"; }
# A date as the replies write it, computed here: day "2027-03-01 - 45 days".
day() { LC_ALL=C date -u -d "$1" '+%-d %B %Y'; }
DOCS=("Dean's letter.pdf" "Transcript.pdf" "Immunization record.pdf" "Titers.pdf" "QuantiFERON.pdf" "Insurance card.jpg")

# ---- 1. an incomplete application: dates for each block, from policy ----
mkmail "$T/ana.eml" "Ana Ruiz <ana@med.example.edu>" "Application" \
	"$(form "Ana Ruiz" ana@med.example.edu 'c1=MED-401 2027-03' 'c2=NEU-301 2027-04')" \
	"Transcript.pdf" "IMG_3318.jpeg"
deliver "$T/ana.eml"
ok "an incomplete application: run" run_clerkd
last_to ana@med.example.edu >"$T/r"
ok "the reply says incomplete" grep -q "^Status: incomplete" "$T/r"
lot3=$(day "2027-03-01 - 45 days")
due3=$(day "2027-03-01 - 60 days")	# documents_due_days (#16; was the day before the lottery)
lot4=$(day "2027-04-05 - 45 days")
due4=$(day "2027-04-05 - 60 days")
is "the dates computed here, as a check of the test" "$lot3 / $due3" "15 January 2027 / 31 December 2026"
ok "block 2027-03: its dates and when its documents are due" \
	grep -q -F "Block 2027-03 (1-26 March 2027): send the missing documents by $due3. The lottery is on $lot3." "$T/r"
ok "block 2027-04: its own dates" \
	grep -q -F "Block 2027-04 (5-30 April 2027): send the missing documents by $due4. The lottery is on $lot4." "$T/r"
ok "how long a waitlist lasts, with the date" \
	grep -q -F "you stay on the waitlist until the block starts on 1 March 2027." "$T/r"
is "no vague 'about 2 months'" "$(grep -c -i "about 2 months\|30 to 60 days" "$T/r")" 0
# The missing list in plain words.
ok "the missing list is grouped: identity and school" grep -q -x "Identity and school:" "$T/r"
ok "  health" grep -q -x "Health:" "$T/r"
ok "  insurance" grep -q -x "Insurance:" "$T/r"
ok "  one line each, plain titles" grep -q -x "  - Letter of good standing" "$T/r"
ok "  in the right group" grep -q -x "  - Proof of health insurance" <(grep -A1 -x "Insurance:" "$T/r")
is "what one immunization record covers, said once" \
	"$(grep -c "One immunization record can cover MMR, varicella, Tdap, influenza (a dose from this flu season) and your three hepatitis B doses." "$T/r")" 1
is "no internal tags like [tb-ppd]" "$(grep -c -E '\[[a-z]+(-[a-z]+)*\]' "$T/r")" 0
is "no MIME types" "$(grep -c -E '(application|image|text)/[a-z]' "$T/r")" 0
ok "sizes in words" grep -q -E "^  - Transcript.pdf \([0-9]+ bytes\): filed as Transcript$" "$T/r"
ok "the unrecognised photo: what to write" grep -q -F -x "    IMG_3318.jpeg = tb-ppd 2026-10-12" "$T/r"
ok "  with the kinds a student may name, in words" \
	grep -q -F -x "  - tb-igra: TB blood test (IGRA: QuantiFERON or T-SPOT)" "$T/r"
is "  explained once" "$(grep -c "The kinds of document you can write" "$T/r")" 1
ok "today's date in words" grep -q "sent on 20 October 2026\.$" "$T/r"

# ---- 2. the policy changes, the dates change ----
policy lead_days 60
policy documents_due_days 75
ok "lead_days 60, documents_due_days 75 pass rules check" clerkctl rules check
mkmail "$T/ana2.eml" "Ana Ruiz <ana@med.example.edu>" "Re: Application [$(ref_of ana@med.example.edu)]" \
	"Here is my letter." "Dean's letter.pdf"
deliver "$T/ana2.eml"
ok "more documents, with lead_days 60 and documents_due_days 75: run" run_clerkd
last_to ana@med.example.edu >"$T/r"
lot3=$(day "2027-03-01 - 60 days")
due3=$(day "2027-03-01 - 75 days")
is "the new dates computed here" "$lot3 / $due3" "31 December 2026 / 16 December 2026"
ok "the reply gives the new lottery date and due date" \
	grep -q -F "Block 2027-03 (1-26 March 2027): send the missing documents by $due3. The lottery is on $lot3." "$T/r"
is "  and not the old ones" "$(grep -c "15 January 2027" "$T/r")" 0
is "  the letter is no longer missing (nor its group)" "$(grep -c -x "Identity and school:" "$T/r")" 0

# ---- 3. a complete application: the lottery date, and no promise ----
mkmail "$T/cy.eml" "Cy Chen <cy@med.example.edu>" "Application" \
	"$(form "Cy Chen" cy@med.example.edu 'c1=MED-401 2027-03' 'c2=SUR-512 2027-03')" "${DOCS[@]}"
deliver "$T/cy.eml"
ok "a complete application: run" run_clerkd
last_to cy@med.example.edu >"$T/r"
ok "the reply says complete" grep -q "^Status: complete" "$T/r"
ok "  with the lottery date of its block" \
	grep -q -F "Block 2027-03 (1-26 March 2027): the lottery is on 31 December 2026." "$T/r"
ok "  and that it is a lottery" grep -q "random lottery" "$T/r"
is "  no missing list" "$(grep -c "Still missing" "$T/r")" 0

# ---- 4. wrong choices: which one, the nearest codes, the catalog ----
mkmail "$T/dan.eml" "Dan Okafor <dan@med.example.edu>" "Application" \
	"$(form "Dan Okafor" dan@med.example.edu 'c1=MED-410 2027-03' 'c2=SUR-512 2027-13' 'c3=NEU-301 2026-09')" \
	"${DOCS[@]}"
deliver "$T/dan.eml"
ok "wrong choices: run" run_clerkd
last_to dan@med.example.edu >"$T/r"
ok "incomplete" test "$(status_of "$(ref_of dan@med.example.edu)")" = incomplete
is "  under a subject that names what to correct" "$(subject_to dan@med.example.edu)" "Application received: please correct your choices [$(ref_of dan@med.example.edu)]"
ok "the unknown course is named, with the nearest codes" \
	grep -q -F "Choice 1 (MED-410 2027-03): MED-410 is not a course we offer. Did you mean MED-401 or MED-420?" "$T/r"
ok "the unknown block is named" grep -q -F "Choice 2 (SUR-512 2027-13): 2027-13 is not one of our blocks." "$T/r"
ok "the block that has started is named, with its date" \
	grep -q -F "Choice 3 (NEU-301 2026-09): Block 2026-09 started on 7 September 2026" "$T/r"
ok "the catalog: code, title, hospital, seats" \
	grep -q -E "^  MED-401 +Acting Internship in General Internal Medicine +University Hospital +4$" "$T/r"
ok "  every course" test "$(grep -c -E "^  [A-Z]{3}-[0-9]{3}  " "$T/r")" = "$(($(wc -l <"$T/rules/catalog.csv") - 1))"
ok "the blocks still open, with their dates" grep -q -E "^  2027-03  1-26 March 2027$" "$T/r"
ok "  one across two years" grep -q -E "^  2026-12  7 December 2026 to 1 January 2027$" "$T/r"
is "  not those that have started" "$(grep -c -E "^  2026-(09|10) " "$T/r")" 0
ok "the good block still gets its dates" grep -q -F "Block 2027-03 (1-26 March 2027): send the missing documents by" "$T/r"

# ---- 5. first contact: the blocks and the catalog ----
mkmail "$T/eve.eml" "Eve Adams <eve@example.org>" "Visiting clerkship" "Hello, how can I apply?"
deliver "$T/eve.eml"
ok "a first contact: run" run_clerkd
last_to eve@example.org >"$T/r"
ok "it gives the blank form" grep -q "^Full name:" "$T/r"
ok "the blocks with their dates" grep -q -E "^  2027-04  5-30 April 2027$" "$T/r"
is "  only those not started" "$(grep -c -E "^  2026-10 " "$T/r")" 0
ok "the catalog" grep -q -E "^  NEU-301 +Inpatient Neurology +University Hospital +3$" "$T/r"

# ---- 6. after the lottery date: never shown as to come ----
# Documents due after the lottery (documents_due_days below lead_days): a
# late seat is still possible. (With the default 60, after the deadline: no
# seat in the block, e2e_deadline.sh.)
policy documents_due_days 30
mkmail "$T/fay.eml" "Fay Lund <fay@med.example.edu>" "Application" \
	"$(form "Fay Lund" fay@med.example.edu 'c1=MED-401 2027-03' 'c2=SUR-512 2027-03')" "Transcript.pdf"
deliver "$T/fay.eml"
ok "an application after the lottery date: run" env CLERKD_NOW=2027-01-05 "$CLERKD" --config "$T/clerkd.conf" --once
last_to fay@med.example.edu >"$T/r"
ok "the lottery date is in the past tense" \
	grep -q -F "Block 2027-03 (1-26 March 2027): the lottery was on 31 December 2026." "$T/r"
is "  and not as to come" "$(grep -c "The lottery is on\|send the missing documents by" "$T/r")" 0
ok "  what can still happen, until the block starts" grep -q -F "If you complete your application, you can still get a free seat if one is left, or a place on the waitlist, until the block starts on 1 March 2027." "$T/r"

# A lottery drawn early by staff: said so, and no date in the past tense that is to come.
ok "staff draw 2027-06 early" env CLERKD_NOW=2027-01-05 "$CLERKCTL" --config "$T/clerkd.conf" schedule 2027-06 --seed 3
mkmail "$T/fay2.eml" "Fay Lund <fay@med.example.edu>" "Application" \
	"$(form "Fay Lund" fay.two@med.example.edu 'c1=MED-401 2027-06' 'c2=SUR-512 2027-06' grad=2027-07)" "Transcript.pdf"
sed -i 's/^From: .*/From: Fay Two <fay.two@med.example.edu>/' "$T/fay2.eml"
deliver "$T/fay2.eml"
ok "an application for a block drawn early: run" env CLERKD_NOW=2027-01-05 "$CLERKD" --config "$T/clerkd.conf" --once
ok "the lottery is said to be drawn, with no date" \
	grep -q -F "Block 2027-06 (7 June to 2 July 2027): the lottery has already been drawn. If you complete your application" <(last_to fay.two@med.example.edu)

# ---- 7. waitlisted: until when ----
policy lead_days 45
policy documents_due_days 60
for who in gil hal; do
	mkmail "$T/$who.eml" "${who^} Test <$who@med.example.edu>" "Application" \
		"$(form "${who^} Test" $who@med.example.edu 'c1=NEU-320 2027-04' 'c2=NEU-320 2027-04' 'cores=medicine, surgery, pediatrics, obstetrics-gynecology, neurology')" "${DOCS[@]}"
	deliver "$T/$who.eml"
done
ok "two for one seat: run" run_clerkd
ok "the lottery of 2027-04 on its day" env CLERKD_NOW=2027-02-19 "$CLERKCTL" --config "$T/clerkd.conf" schedule 2027-04 --seed 7
ok "  the notices go out" env CLERKD_NOW=2027-02-19 "$CLERKD" --config "$T/clerkd.conf" --once
waiting=$(sql "SELECT email FROM applications WHERE status = 'waitlisted'")
ok "one is waitlisted" test -n "$waiting"
last_to "$waiting" >"$T/r"
ok "the waitlisted is told until when the waitlist lasts" \
	grep -q -F "Block 2027-04 (5-30 April 2027): you stay on the waitlist until the block starts on 5 April 2027." "$T/r"

# ---- 8. rolling: no lottery date ----
policy scheduling rolling
mkmail "$T/ivy.eml" "Ivy Roe <ivy@med.example.edu>" "Application" \
	"$(form "Ivy Roe" ivy@med.example.edu 'c1=MED-401 2027-03' 'c2=SUR-512 2027-03')" "Transcript.pdf"
deliver "$T/ivy.eml"
ok "rolling, incomplete: run" run_clerkd
last_to ivy@med.example.edu >"$T/r"
ok "incomplete" grep -q "^Status: incomplete" "$T/r"
is "no lottery date" "$(grep -c -i "the lottery is on\|the lottery was on" "$T/r")" 0
ok "  but the date the documents are due (documents_due_days)" \
	grep -q -F "Block 2027-03 (1-26 March 2027): send the missing documents by 31 December 2026. There is no lottery" "$T/r"
ok "first come, first served, said" grep -q "in the order applications become complete" "$T/r"
ok "  and the block's start" grep -q -F "until the block starts on 1 March 2027" "$T/r"

# ---- 9. a long catalog: an attached file, and only the nearby courses ----
for n in $(seq 1 30); do printf 'CAR-%03d,Cardiology Elective %d,Heart Institute,Medicine,2,\n' "$n" "$n"; done >>"$T/rules/catalog.csv"
total=$(($(wc -l <"$T/rules/catalog.csv") - 1))
ok "a catalog of $total courses passes rules check" clerkctl rules check
mkmail "$T/jo.eml" "Jo Park <jo@example.org>" "Visiting clerkship" "Hello, which courses do you have?"
deliver "$T/jo.eml"
ok "a first contact, long catalog: run" run_clerkd
last_to jo@example.org >"$T/r"
ok "the text says where the courses are" 	grep -q -F "Our $total courses (code, title, hospital, and seats in each block) are in the attached file courses.csv." "$T/r"
is "  and has no table of them" "$(grep -c -E "^  CAR-0[0-9]{2} " "$T/r")" 0
ok "  but the blocks" grep -q -E "^  2027-04  5-30 April 2027$" "$T/r"
csv=$(python3 -c '
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
for p in m.walk():
    if p.get_filename() == "courses.csv":
        sys.stdout.write(p.get_payload(decode=True).decode())' "$(ls -t "$T"/sink/* | head -1)")
is "courses.csv is attached, a row a course" "$(printf '%s' "$csv" | grep -c .)" "$((total + 1))"
ok "  with its header" test "$(printf '%s' "$csv" | head -1 | tr -d '\r')" = "code,title,hospital,seats"
ok "  and each course" grep -q -F "CAR-017,Cardiology Elective 17,Heart Institute,2" <(printf '%s' "$csv")
mkmail "$T/kim.eml" "Kim Lee <kim@med.example.edu>" "Application" \
	"$(form "Kim Lee" kim@med.example.edu 'c1=CAR-100 2027-03' 'c2=MED-401 2027-03')" "Transcript.pdf"
deliver "$T/kim.eml"
ok "a wrong code in a long catalog: run" run_clerkd
last_to kim@med.example.edu >"$T/r"
ok "the wrong code named, with the nearest" grep -q -F "CAR-100 is not a course we offer. Did you mean CAR-010?" "$T/r"
ok "the courses that start like the student's" grep -q -E "^  CAR-017 +Cardiology Elective 17 +Heart Institute +2$" "$T/r"
ok "  said to be part of the catalog" grep -q -F "We offer $total courses. These are the ones whose code starts like yours" "$T/r"
is "  not the others" "$(grep -c -E "^  (SUR|NEU|PED)-[0-9]{3} " "$T/r")" 0
done_testing
