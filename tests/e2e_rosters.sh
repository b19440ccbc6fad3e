#!/bin/bash
# End to end, against a real Dovecot and SMTP receiver: staff told around a
# block's lottery. lottery_notice_days (7) before it, one notice of what will
# be drawn, listing the complete application whose documents nobody has
# checked; the same day again, nothing. After `clerkctl schedule BLOCK
# --seed N`: a summary to staff with the seed, and to each course's
# coordinator the roster of their course as a table and a CSV attachment
# (UTF-8, RFC 4180: commas, quotes, Sørensen, 山田) that parses; a course
# with no coordinator has its roster in the summary; drawing again sends
# nothing more.
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20

servers_start
CORES="cores=medicine, surgery, pediatrics, obstetrics-gynecology, neurology"
DOCS=("Dean's letter.pdf" "Transcript.pdf" "Immunization record.pdf" "Titers.pdf" "QuantiFERON.pdf" "Insurance card.jpg")
apply() {	# apply NAME EMAIL COURSE [DOCUMENTS-LINE]
	mkmail "$T/$2.eml" "Student <$2>" "Application" \
		"$(form "$1" "$2" "c1=$3 2027-03" 'c2=' "$CORES")${4:+\n$4\n}" "${DOCS[@]}"
	deliver "$T/$2.eml"
}
DATED="Documents: Dean's letter.pdf = good-standing 2026-10-01; Transcript.pdf = transcript 2026-10-01; Immunization record.pdf = immunization-form 2026-10-01; Titers.pdf = titer-report 2026-10-01; QuantiFERON.pdf = tb-igra 2026-10-01; Insurance card.jpg = health-insurance 2026-10-01"
apply 'Søren Sørensen' soren@med.example.edu MED-401 "$DATED"
apply '山田 太郎' yamada@med.example.edu MED-401 "$DATED"
apply 'Pat "PJ" O'"'"'Brien, Jr.' pat@med.example.edu SUR-512 "$DATED"
apply 'Ada Quinn' ada@med.example.edu NEU-301 "$DATED"
apply 'Undated Student' undated@med.example.edu SUR-512
ok "applications: run" run_clerkd
is "five complete applications" "$(sql "SELECT count(*) FROM applications WHERE status = 'complete'")" 5
undated=$(ref_of undated@med.example.edu)
soren=$(ref_of soren@med.example.edu)
is "only the one without dates is flagged dates-to-check" \
	"$(sql "SELECT group_concat(reference) FROM applications WHERE flags LIKE '%dates-to-check%'")" "$undated"
is "no notice weeks before the lottery" "$(mails_to registrar@example.edu)" 0

# ---- before the lottery: 15 January 2027 (1 March minus lead_days 45) ----
export CLERKD_NOW=2027-01-07
ok "eight days before: run" run_clerkd
is "  no notice yet" "$(mails_to registrar@example.edu)" 0
export CLERKD_NOW=2027-01-08
ok "seven days before: run" run_clerkd
is "  one notice to staff" "$(mails_to registrar@example.edu)" 1
last_to registrar@example.edu >"$T/notice"
ok "  its subject says the block, the date and what to check" \
	grep -q -F "Lottery for block 2027-03 on 15 January 2027: 5 complete" <(subject_to registrar@example.edu)
ok "  the lottery date" grep -q -F "The lottery for block 2027-03 (1-26 March 2027) will be drawn on 15 January 2027." "$T/notice"
ok "  what will be drawn: courses with free seats and applicants" grep -q -E "^  MED-401 +Acting Internship in General Internal Medicine +4 +2$" "$T/notice"
ok "  every course chosen" grep -q -E "^  NEU-301 .* 3 +1$" "$T/notice"
ok "  the unchecked application" grep -q -F "  $undated  Undated Student" "$T/notice"
ok "  with a line ready to reply with" grep -q -E "^      accept $undated [0-9]+ YYYY-MM-DD$" "$T/notice"
ok "  not the applications whose documents are dated" bash -c "! grep -q -F '$soren' '$T/notice'"
ok "no lottery drawn by the notice" test "$(sql 'SELECT count(*) FROM lotteries')" = 0
is "recorded once for the block" "$(sql "SELECT group_concat(block) FROM lottery_notices")" 2027-03
ok "again the same day: run" run_clerkd
is "  no second notice" "$(mails_to registrar@example.edu)" 1
export CLERKD_NOW=2027-01-10
ok "two days later: run" run_clerkd
is "  still one" "$(mails_to registrar@example.edu)" 1

# ---- the lottery ----
students=$(sink_count)
clerkctl schedule 2027-03 --seed 77 >"$T/draw"
ok "the draw says what mail it queued" grep -q -F "mail: roster of MED-401 (2) to med-coordinator@example.edu" "$T/draw"
ok "drawn: run" run_clerkd
is "five results, one summary, two rosters (NEU-301 has no coordinator)" "$(sink_count)" "$((students + 8))"
is "one summary to staff" "$(mails_to registrar@example.edu)" 2
last_to registrar@example.edu >"$T/summary"
ok "  with the seed" grep -q -F "was drawn with seed 77." "$T/summary"
ok "  its subject counts the outcome" grep -q -F "Lottery drawn for block 2027-03: 5 placed, 0 waitlisted, 0 not placed" <(subject_to registrar@example.edu)
ok "  who was placed: reference, name, course" grep -q -E "^  $soren +Søren Sørensen +MED-401$" "$T/summary"
ok "  a wide name" grep -q -E "^  ECP-[0-9-]+ +山田 太郎 +MED-401$" "$T/summary"
ok "  where each roster went" grep -q -F "SUR-512: 2 students; the roster was sent to surgery-coordinator@example.edu." "$T/summary"
ok "  the roster of a course with no coordinator, in the summary" grep -q -F "NEU-301: 1 student. This course has no coordinator" "$T/summary"
ok "    with its row" grep -q -E "^  Ada Quinn +Example University School of Medicine +ECP-[0-9-]+ +ada@med.example.edu$" "$T/summary"
for c in med-coordinator surgery-coordinator; do
	is "$c: one roster" "$(mails_to $c@example.edu)" 1
done
is "the OBG-410 coordinator (no seats taken): none" "$(mails_to obgyn-coordinator@example.edu)" 0
last_to med-coordinator@example.edu >"$T/med"
ok "the roster's table: name, school, reference, email" grep -q -E "^  Søren Sørensen +Example University School of Medicine +$soren +soren@med.example.edu$" "$T/med"
ok "  its subject" grep -q -F "Roster: MED-401, block 2027-03 (1-26 March 2027)" <(subject_to med-coordinator@example.edu)

# The CSV attachment, as a coordinator's spreadsheet reads it.
csvcheck() {	# csvcheck ADDRESS: the attachment's rows, checked and printed by Python
	local f
	f=$(grep -l -i "^To: $1" "$T"/sink/* | head -1)
	python3 - "$f" <<'PY'
import csv, email, io, sys
from email import policy
msg = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=policy.default)
parts = [p for p in msg.iter_attachments()]
assert len(parts) == 1, len(parts)
p = parts[0]
assert p.get_content_type() == 'text/csv', p.get_content_type()
assert p.get_content_charset() == 'utf-8', p.get_content_charset()
raw = p.get_payload(decode=True)
assert b'\r\n' in raw and b'\n' not in raw.replace(b'\r\n', b''), 'CRLF lines'
rows = list(csv.reader(io.StringIO(raw.decode('utf-8'), newline='')))
print(p.get_filename())
for r in rows:
	print('|'.join(r))
PY
}
csvcheck med-coordinator@example.edu >"$T/med.csv"
is "the MED-401 CSV parses: its file name" "$(head -1 "$T/med.csv")" "roster-MED-401-2027-03.csv"
is "  its header" "$(sed -n 2p "$T/med.csv")" "name|school|reference|email|course|block"
is "  a row per seat, non-ASCII names as written" "$(tail -n +3 "$T/med.csv" | sort)" "$(printf '%s\n' \
	"Søren Sørensen|Example University School of Medicine|$soren|soren@med.example.edu|MED-401|2027-03" \
	"山田 太郎|Example University School of Medicine|$(ref_of yamada@med.example.edu)|yamada@med.example.edu|MED-401|2027-03" | sort)"
csvcheck surgery-coordinator@example.edu >"$T/sur.csv"
ok "the SUR-512 CSV keeps a comma and quotes in a name" grep -q -F "Pat \"PJ\" O'Brien, Jr.|Example University School of Medicine|$(ref_of pat@med.example.edu)|pat@med.example.edu|SUR-512|2027-03" "$T/sur.csv"
is "  two rows" "$(tail -n +3 "$T/sur.csv" | wc -l)" 2
ok "  quoted as RFC 4180 says" grep -q -F '"Pat ""PJ"" O'"'"'Brien, Jr."' <(grep -l -i "^To: surgery-coordinator" "$T"/sink/* | head -1 | xargs cat | python3 -c '
import email, sys
from email import policy
m = email.message_from_binary_file(sys.stdin.buffer, policy=policy.default)
sys.stdout.write(next(m.iter_attachments()).get_payload(decode=True).decode())')

# ---- drawn again: only reported, nothing sent ----
before=$(sink_count)
ok "the same seed again only reports" clerkctl schedule 2027-03 --seed 77
ok "again: run" run_clerkd
export CLERKD_NOW=2027-01-15
ok "the lottery's day (clerkd --once): run" run_clerkd
ok "clerkctl due on the lottery's day" clerkctl due
ok "  run" run_clerkd
is "nothing more was sent" "$(sink_count)" "$before"
is "staff got one notice and one summary in all" "$(mails_to registrar@example.edu)" 2
done_testing
