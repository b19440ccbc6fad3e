#!/bin/bash
# End to end (issue 16): the program's documents deadline, documents_due_days
# (60) before each block. An application complete only after a block's
# deadline gets no seat in that block: not in its lottery, not in a free
# seat after the draw, not under rolling placement; the reply names the
# deadline and the blocks still possible, or says plainly that none is and
# what to do. And a chosen course whose prerequisite the form does not list
# is named in the first reply, with the clerkship.
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-12-20

servers_start
cp -r "$top_srcdir/rules" "$T/rules"
sed -i "s|^directory = .*|directory = $T/rules|" "$T/clerkd.conf"
policy() { sed -i "s/^$1 = .*/$1 = $2/" "$T/rules/policy.ini"; }
on() { local day=$1; shift; env CLERKD_NOW="$day" "$@"; }
# draw DAY BLOCK SEED: staff draw a block's lottery that day; the report in $T/draw.
draw() { env CLERKD_NOW="$1" "$CLERKCTL" --config "$T/clerkd.conf" schedule "$2" --seed "$3" >"$T/draw"; }
DOCS=("Dean's letter.pdf" "Transcript.pdf" "Immunization record.pdf" "Titers.pdf" "QuantiFERON.pdf" "Insurance card.jpg")
seats_of() { sql "SELECT group_concat(s.course || ' ' || s.block, ', ') FROM assignments s JOIN applications a ON a.id = s.application_id WHERE a.email = '$1' AND s.state = 'active'"; }
waits_of() { sql "SELECT count(*) FROM waitlist w JOIN applications a ON a.id = w.application_id WHERE a.email = '$1'"; }

# The deadlines of the shipped blocks, 60 days before each start:
#   2027-03 (1 March 2027): 31 December 2026; lottery 15 January 2027
#   2027-04 (5 April 2027): 4 February 2027; lottery 19 February 2027
#   2027-05 (3 May 2027):   4 March 2027;    lottery 19 March 2027
is "documents_due_days is in policy.ini, 60" "$(grep -c '^documents_due_days = 60$' "$T/rules/policy.ini")" 1

# ---- 1. in time: complete on 20 December 2026, the reply gives the due date ----
mkmail "$T/ann.eml" "Ann Ito <ann@med.example.edu>" "Application" \
	"$(form "Ann Ito" ann@med.example.edu 'c1=MED-401 2027-03' 'c2=SUR-512 2027-03')" "${DOCS[@]}"
deliver "$T/ann.eml"
ok "an application complete in time: run" run_clerkd
is "  complete" "$(status_of "$(ref_of ann@med.example.edu)")" complete
is "  the day it became complete is kept" "$(sql "SELECT complete_on FROM applications WHERE email = 'ann@med.example.edu'")" 2026-12-20
last_to ann@med.example.edu >"$T/r"
ok "  the reply gives the lottery date" grep -q -F "Block 2027-03 (1-26 March 2027): the lottery is on 15 January 2027." "$T/r"
is "  and no deadline passed" "$(grep -c "deadline" "$T/r")" 0

# An incomplete one is told the new due date (60 days before, not the day before the lottery).
mkmail "$T/cat.eml" "Cat Moss <cat@med.example.edu>" "Application" \
	"$(form "Cat Moss" cat@med.example.edu 'c1=MED-401 2027-03' 'c2=PED-430 2027-04')" "Transcript.pdf"
deliver "$T/cat.eml"
ok "an incomplete application: run" run_clerkd
last_to cat@med.example.edu >"$T/r"
ok "  documents due 60 days before the block" \
	grep -q -F "Block 2027-03 (1-26 March 2027): send the missing documents by 31 December 2026. The lottery is on 15 January 2027." "$T/r"
ok "  each block its own" \
	grep -q -F "Block 2027-04 (5-30 April 2027): send the missing documents by 4 February 2027. The lottery is on 19 February 2027." "$T/r"

# ---- 2. complete after the deadline of 2027-03, in time for 2027-04 ----
mkmail "$T/bo.eml" "Bo Lind <bo@med.example.edu>" "Application" \
	"$(form "Bo Lind" bo@med.example.edu 'c1=MED-401 2027-03' 'c2=SUR-512 2027-04')" "${DOCS[@]}"
deliver "$T/bo.eml"
ok "complete on 5 January 2027: run" on 2027-01-05 "$CLERKD" --config "$T/clerkd.conf" --once
is "  complete (the rules decide; the deadline only takes seats away)" "$(status_of "$(ref_of bo@med.example.edu)")" complete
last_to bo@med.example.edu >"$T/r"
ok "  the reply names the block, its deadline, and the blocks still possible" \
	grep -q -F "Your documents arrived after the deadline for block 2027-03 (31 December 2026), so we cannot place you in that block. You can still get a seat in 2027-04." "$T/r"
ok "  and the dates of the block still possible" \
	grep -q -F "Block 2027-04 (5-30 April 2027): the lottery is on 19 February 2027." "$T/r"
is "  and no lottery date for the late block" "$(grep -c "Block 2027-03 (1-26 March 2027): the lottery" "$T/r")" 0

# The cat's documents are still missing after the deadline of 2027-03: told so.
mkmail "$T/cat2.eml" "Cat Moss <cat@med.example.edu>" "Re: Application [$(ref_of cat@med.example.edu)]" \
	"Here is my letter." "Dean's letter.pdf"
deliver "$T/cat2.eml"
ok "more documents, still incomplete, after the deadline of 2027-03: run" on 2027-01-05 "$CLERKD" --config "$T/clerkd.conf" --once
last_to cat@med.example.edu >"$T/r"
ok "  the deadline that passed, said before it is too late for the rest" \
	grep -q -F "The deadline for documents has passed for block 2027-03 (31 December 2026), so we cannot place you in that block, even if you send the missing documents now. You can still get a seat in 2027-04 if your application is complete in time." "$T/r"
ok "  with the date for the other block" \
	grep -q -F "Block 2027-04 (5-30 April 2027): send the missing documents by 4 February 2027." "$T/r"

# ---- 3. the lottery of 2027-03 leaves the late applicant out ----
ok "staff draw 2027-03 on its day" draw 2027-01-15 2027-03 5
ok "  one applicant in the draw" grep -q "^block 2027-03: lottery, seed 5, 1 applicant$" "$T/draw"
ok "  the one in time is in it" grep -q -F "$(ref_of ann@med.example.edu)" "$T/draw"
is "  the late one is not" "$(grep -c -F "$(ref_of bo@med.example.edu)" "$T/draw")" 0
ok "  the notices go out" on 2027-01-15 "$CLERKD" --config "$T/clerkd.conf" --once
is "the one in time has a seat" "$(seats_of ann@med.example.edu)" "MED-401 2027-03"
is "the late one has no seat" "$(seats_of bo@med.example.edu)" ""
is "  and no waitlist place" "$(waits_of bo@med.example.edu)" 0
is "  still complete, waiting for 2027-04" "$(status_of "$(ref_of bo@med.example.edu)")" complete

# ---- 4. no chosen block left: said plainly, and what to do ----
mkmail "$T/max.eml" "Max Roy <max@med.example.edu>" "Application" \
	"$(form "Max Roy" max@med.example.edu 'c1=MED-401 2027-03' 'c2=SUR-512 2027-04')" "${DOCS[@]}"
deliver "$T/max.eml"
ok "complete after the deadlines of every chosen block: run" on 2027-02-10 "$CLERKD" --config "$T/clerkd.conf" --once
last_to max@med.example.edu >"$T/r"
ok "  both blocks named, with their deadlines" \
	grep -q -F "Your documents arrived after the deadline for blocks 2027-03 (31 December 2026) and 2027-04 (4 February 2027), so we cannot place you in those blocks. You cannot get a seat in any of the blocks you chose." "$T/r"
ok "  what to do: a later block, by sending the form again" \
	grep -q -F "If you want a place in a later block, send the application form again with new choices. The first block you can still choose is 2027-05 (3-28 May 2027)." "$T/r"
is "  no lottery date for blocks it cannot have" "$(grep -c "the lottery is on" "$T/r")" 0
is "  no seat" "$(seats_of max@med.example.edu)" ""

# ---- 5. rolling: no seat after the deadline either ----
policy scheduling rolling
mkmail "$T/eli.eml" "Eli Fox <eli@med.example.edu>" "Application" \
	"$(form "Eli Fox" eli@med.example.edu 'c1=PED-430 2027-04' 'c2=PED-445 2027-05' grad=2027-07)" "${DOCS[@]}"
deliver "$T/eli.eml"
ok "rolling, complete after the deadline of 2027-04: run" on 2027-02-10 "$CLERKD" --config "$T/clerkd.conf" --once
is "  a seat in the block still possible only" "$(seats_of eli@med.example.edu)" "PED-445 2027-05"
ok "  and told why not in 2027-04" \
	grep -q -F "Your documents arrived after the deadline for block 2027-04 (4 February 2027), so we cannot place you in that block." <(last_to eli@med.example.edu)
mkmail "$T/fin.eml" "Fin Ash <fin@med.example.edu>" "Application" \
	"$(form "Fin Ash" fin@med.example.edu 'c1=PED-445 2027-05' 'c2=PED-430 2027-05' grad=2027-07)" "Transcript.pdf"
deliver "$T/fin.eml"
ok "rolling, incomplete: run" on 2027-02-10 "$CLERKD" --config "$T/clerkd.conf" --once
ok "  the due date, with no lottery" \
	grep -q -F "Block 2027-05 (3-28 May 2027): send the missing documents by 4 March 2027. There is no lottery" <(last_to fin@med.example.edu)
policy scheduling lottery

# ---- 6. a prerequisite not met: named in the first reply ----
mkmail "$T/dee.eml" "Dee Wu <dee@med.example.edu>" "Application" \
	"$(form "Dee Wu" dee@med.example.edu 'c1=NEU-320 2027-05' 'c2=MED-401 2027-05' grad=2027-07)" "${DOCS[@]}"
deliver "$T/dee.eml"
ok "a course whose prerequisite is not listed: run" on 2027-02-10 "$CLERKD" --config "$T/clerkd.conf" --once
is "  the status is the rules' (complete: the other choice counts)" "$(status_of "$(ref_of dee@med.example.edu)")" complete
last_to dee@med.example.edu >"$T/r"
ok "  the course and the clerkship named, and what to do" \
	grep -q -F "NEU-320 (Neurocritical Care) needs a finished clerkship in neurology. Your form does not list neurology in \"Core clerkships completed\", so we cannot place you in NEU-320. If you have finished it, send the form again with it listed." "$T/r"
is "  said once" "$(grep -c "needs a finished clerkship" "$T/r")" 1
mkmail "$T/gus.eml" "Gus Hale <gus@med.example.edu>" "Application" \
	"$(form "Gus Hale" gus@med.example.edu 'c1=PSY-401 2027-05' 'c2=MED-401 2027-05' grad=2027-07)" "Transcript.pdf"
deliver "$T/gus.eml"
ok "the same in an incomplete application: run" on 2027-02-10 "$CLERKD" --config "$T/clerkd.conf" --once
ok "  named in its first reply" \
	grep -q -F "PSY-401 (Consultation-Liaison Psychiatry) needs a finished clerkship in psychiatry." <(last_to gus@med.example.edu)
mkmail "$T/ivo.eml" "Ivo Tan <ivo@med.example.edu>" "Application" \
	"$(form "Ivo Tan" ivo@med.example.edu 'c1=NEU-320 2027-05' 'c2=MED-401 2027-05' grad=2027-07 'cores=medicine, surgery, pediatrics, obstetrics-gynecology, neurology')" "${DOCS[@]}"
deliver "$T/ivo.eml"
ok "the prerequisite listed: run" on 2027-02-10 "$CLERKD" --config "$T/clerkd.conf" --once
is "  nothing said about it" "$(last_to ivo@med.example.edu | grep -c "needs a finished clerkship")" 0
# ---- 7. the lottery of 2027-04: the one late for 2027-03 is in it ----
ok "staff draw 2027-04 on its day" draw 2027-02-19 2027-04 9
ok "  the applicant late only for 2027-03 is drawn for 2027-04" grep -q -F "$(ref_of bo@med.example.edu)" "$T/draw"
is "  the one late for 2027-04 is not" "$(grep -c -F "$(ref_of max@med.example.edu)" "$T/draw")" 0
is "  nor the one seated in 2027-05 and late for 2027-04" "$(grep -c -F "$(ref_of eli@med.example.edu)" "$T/draw")" 0
ok "  the notices go out" on 2027-02-19 "$CLERKD" --config "$T/clerkd.conf" --once
is "  and gets a seat there" "$(seats_of bo@med.example.edu)" "SUR-512 2027-04"

# ---- 8. complete 3 days before a block: no seat in it, though seats are free ----
mkmail "$T/lee.eml" "Lee Park <lee@med.example.edu>" "Application" \
	"$(form "Lee Park" lee@med.example.edu 'c1=MED-401 2027-03' 'c2=SUR-512 2027-03' 'c3=PED-430 2027-05' grad=2027-07)" "${DOCS[@]}"
deliver "$T/lee.eml"
ok "complete on 26 February 2027, 3 days before 2027-03: run" on 2027-02-26 "$CLERKD" --config "$T/clerkd.conf" --once
ok "  free seats are left in MED-401 2027-03" test "$(sql "SELECT count(*) FROM assignments WHERE course = 'MED-401' AND block = '2027-03' AND state = 'active'")" -lt 4
is "  no seat for the late applicant" "$(seats_of lee@med.example.edu)" ""
is "  and no waitlist place" "$(waits_of lee@med.example.edu)" 0
is "  complete" "$(status_of "$(ref_of lee@med.example.edu)")" complete
last_to lee@med.example.edu >"$T/r"
ok "  the reply says why, with the deadline" \
	grep -q -F "Your documents arrived after the deadline for block 2027-03 (31 December 2026), so we cannot place you in that block. You can still get a seat in 2027-05." "$T/r"
ok "  and what comes next in the block still possible" \
	grep -q -F "Block 2027-05 (3-28 May 2027): the lottery is on 19 March 2027." "$T/r"
ok "  under a heading for the other blocks" grep -q -F "What happens next, for the other blocks you chose:" "$T/r"

# A status request says it again.
mkmail "$T/lee2.eml" "Lee Park <lee@med.example.edu>" "status" "What is my status?"
deliver "$T/lee2.eml"
ok "status: run" on 2027-02-27 "$CLERKD" --config "$T/clerkd.conf" --once
last_to lee@med.example.edu >"$T/r"
ok "  the status reply names the deadline too" \
	grep -q -F "Your documents arrived after the deadline for block 2027-03 (31 December 2026)" "$T/r"

# ---- 9. the lottery of 2027-05: the prerequisite decides the course ----
ok "the lottery of 2027-05" draw 2027-03-19 2027-05 2
ok "  the notices go out" on 2027-03-19 "$CLERKD" --config "$T/clerkd.conf" --once
is "  the student without the prerequisite is seated in the other course" "$(seats_of dee@med.example.edu)" "MED-401 2027-05"
is "  the one with it in NEU-320" "$(seats_of ivo@med.example.edu)" "NEU-320 2027-05"
done_testing
