#!/bin/bash
# End to end: what a placed student gets (#18, "Out"). The acceptance letter
# and the calendar entry come with every placement (rolling, staff assign),
# again on request ("letter" in the subject, from the registered address
# only), byte for byte the same; each file mailed is kept in the document
# store as a sent document (clerkctl doc list), never counted by the rules;
# a seat withdrawn by staff, or an application cancelled by staff, brings a
# CANCEL under the same UID; an optional logo is drawn on the letterhead.
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20

servers_start
cp -r "$top_srcdir/rules" "$T/rules"
sed -i "s|^directory = .*|directory = $T/rules|" "$T/clerkd.conf"
sed -i 's/^scheduling = .*/scheduling = rolling/' "$T/rules/policy.ini"
ok "the rolling rules pass rules check" clerkctl rules check
DOCS=("Dean's letter.pdf" "Transcript.pdf" "Immunization record.pdf" "Titers.pdf" "QuantiFERON.pdf" "Insurance card.jpg")
CORES="cores=medicine, surgery, pediatrics, obstetrics-gynecology, neurology"
ICS_PY=python3
python3 -c 'import icalendar' 2>/dev/null || ICS_PY=/usr/bin/python3

newest_to() {	# newest_to ADDR: the file of the newest mail to ADDR
	local f
	for f in $(ls -t "$T"/sink/* 2>/dev/null); do
		"$MAILCAT" -h To "$f" | grep -q -i -F "$1" && { echo "$f"; return 0; }
	done
	return 1
}
parts_of() {	# parts_of MAILFILE DIR: each attachment saved in DIR; prints "filename type [METHOD UID]"
	mkdir -p "$2"
	"$ICS_PY" - "$1" "$2" <<'PY'
import sys, os, email, email.policy, icalendar
msg = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
for part in msg.walk():
    fn = part.get_filename()
    if not fn:
        continue
    raw = part.get_payload(decode=True)
    open(os.path.join(sys.argv[2], fn), 'wb').write(raw)
    extra = ''
    if part.get_content_type() == 'text/calendar':
        cal = icalendar.Calendar.from_ical(raw)
        ev = next(iter(cal.walk('VEVENT')))
        extra = ' %s %s' % (cal['METHOD'], ev['UID'])
    print(fn, part.get_content_type() + extra)
PY
}

# ---- before any seat: the letter asked for, a polite reply without one ----
mkmail "$T/b.eml" "Bo Early <bo@med.example.edu>" "Application" \
	"$(form "Bo Early" bo@med.example.edu 'c1=MED-401 2027-03' "$CORES")" "Transcript.pdf"
deliver "$T/b.eml"
ok "an incomplete application: run" run_clerkd
bo=$(ref_of bo@med.example.edu)
mkmail "$T/b2.eml" "Bo Early <bo@med.example.edu>" "Acceptance letter" "Hello, could you send me my acceptance letter? Bo"
deliver "$T/b2.eml"
ok "letter before placement: run" run_clerkd
last_to bo@med.example.edu >"$T/r"
ok "one reply" test "$(mails_to bo@med.example.edu)" = 2
ok "  it says the letter comes with a place" grep -q "We send this letter when you have a place" "$T/r"
ok "  and where the application stands" grep -q -i "incomplete" "$T/r"
is "  under a subject that says so" "$(subject_to bo@med.example.edu)" "Acceptance letter: not yet [$bo]"
is "  with no file" "$(parts_of "$(newest_to bo@med.example.edu)" "$T/bo")" ""

# ---- rolling placement: the receipt carries the .ics and the letter ----
mkmail "$T/a.eml" "Amy Ærø <amy@med.example.edu>" "Application" \
	"$(form "Amy Ærø" amy@med.example.edu 'c1=MED-401 2027-03' "$CORES")" "${DOCS[@]}"
deliver "$T/a.eml"
ok "placed at once: run" run_clerkd
amy=$(ref_of amy@med.example.edu)
is "Amy is scheduled" "$(status_of "$amy")" scheduled
missing_before=$(missing_of "$amy")
parts_of "$(newest_to amy@med.example.edu)" "$T/placed" >"$T/placed.txt"
ok "the receipt (rolling placement) carries a calendar entry" grep -q "^clerkship-MED-401-2027-03.ics text/calendar PUBLISH " "$T/placed.txt"
ok "  and the acceptance letter" grep -q "^acceptance-letter-MED-401-2027-03.pdf application/pdf" "$T/placed.txt"
amy_uid=$(awk '/PUBLISH/ {print $4}' "$T/placed.txt")
ok "  the letter names Amy Ærø" grep -q -F "Amy Ærø" <(pdftotext -enc UTF-8 "$T/placed/acceptance-letter-MED-401-2027-03.pdf" -)

# ---- the files mailed are sent documents ----
clerkctl doc list "$amy" >"$T/docs"
ok "clerkctl doc list shows the letter as sent" grep -q -E "^s[0-9]+ +sent +- +2026-10-20 +sent +acceptance-letter-MED-401-2027-03.pdf" "$T/docs"
ok "  and the calendar entry" grep -q -E "^s[0-9]+ +sent +- +2026-10-20 +sent +clerkship-MED-401-2027-03.ics" "$T/docs"
ok "  beside the documents received" grep -q -E "^[0-9]+ +filed .*Transcript.pdf" "$T/docs"
ok "  in JSON, with the direction" grep -q '"id": "s[0-9]*", "filename": "acceptance-letter-MED-401-2027-03.pdf".*"direction": "sent"' <(clerkctl doc list "$amy" --json)
lid=$(awk '/acceptance-letter/ {print $1}' "$T/docs")
ok "clerkctl doc get prints the sent letter" clerkctl doc get "$amy" "$lid" --output "$T/got.pdf"
ok "  the very file mailed" cmp "$T/got.pdf" "$T/placed/acceptance-letter-MED-401-2027-03.pdf"
ok "  and it cannot be accepted like a received one" bash -c "! '$CLERKCTL' --config '$T/clerkd.conf' doc accept '$amy' '$lid' 2>/dev/null"
is "sent files are not documents received" "$(sql "SELECT count(*) FROM documents d JOIN applications a ON a.id = d.application_id WHERE a.reference = '$amy' AND d.filename LIKE '%letter-MED%'")" 0

# ---- the letter on request: the same bytes ----
mkmail "$T/a2.eml" "Amy Ærø <amy@med.example.edu>" "Letter" "Please send my letter again for the visa office."
deliver "$T/a2.eml"
ok "letter request: run" run_clerkd
n_amy=$(mails_to amy@med.example.edu)
is "one reply" "$n_amy" 2
is "  under the subject 'Your acceptance letter'" "$(subject_to amy@med.example.edu)" "Your acceptance letter [$amy]"
parts_of "$(newest_to amy@med.example.edu)" "$T/asked" >"$T/asked.txt"
ok "  with the letter" cmp "$T/asked/acceptance-letter-MED-401-2027-03.pdf" "$T/placed/acceptance-letter-MED-401-2027-03.pdf"
ok "  byte for byte the one sent with the placement (cmp)" cmp "$T/asked/acceptance-letter-MED-401-2027-03.pdf" "$T/got.pdf"
ok "  and the calendar entry, the same too" cmp "$T/asked/clerkship-MED-401-2027-03.ics" "$T/placed/clerkship-MED-401-2027-03.ics"
ok "  the reply names the course and dates" grep -q "MED-401 (.*), 1-26 March 2027" <(last_to amy@med.example.edu)
is "a resend of the same bytes is kept once" "$(sql "SELECT count(*) || ' ' || max(last_sent) FROM sent_documents s JOIN applications a ON a.id = s.application_id WHERE a.reference = '$amy'")" "2 2026-10-20"
is "the rules never count the sent files: the same missing list" "$(missing_of "$amy")" "$missing_before"
is "  and Amy is still scheduled" "$(status_of "$amy")" scheduled

# ---- from another address: never a letter ----
mkmail "$T/m.eml" "Mallory <mallory@elsewhere.example.net>" "Letter" "Send the acceptance letter of $amy to me."
mkmail "$T/m2.eml" "Nobody <nobody@elsewhere.example.net>" "acceptance letter" "My letter please."
deliver "$T/m.eml" "$T/m2.eml"
ok "letter asked from other addresses: run" run_clerkd
is "no letter or calendar entry to the other address quoting Amy's reference" "$(f=$(newest_to mallory@elsewhere.example.net) && parts_of "$f" "$T/m" | grep -c -e '^acceptance-letter' -e '\.ics ')" 0
# The first-contact reply carries the blank application form, nothing of Amy's.
parts_of "$(newest_to nobody@elsewhere.example.net)" "$T/n" >"$T/n.txt"
is "no letter to an unknown address (the first-contact reply)" "$(grep -c -e '^acceptance-letter' -e '\.ics ' "$T/n.txt")" 0
ok "  only the blank form and the course list" grep -q "^application-form.pdf application/pdf" "$T/n.txt"
ok "  which is the usual first contact" grep -q -i "how to apply" <(subject_to nobody@elsewhere.example.net)
is "Amy got nothing more" "$(mails_to amy@med.example.edu)" "$n_amy"

# ---- staff assign, then unassign ----
mkmail "$T/c.eml" "Cy Moved <cy@med.example.edu>" "Application" \
	"$(form "Cy Moved" cy@med.example.edu 'c1=NEU-320 2027-03' "$CORES")" "${DOCS[@]}"
deliver "$T/c.eml"
ok "another student: run" run_clerkd
cy=$(ref_of cy@med.example.edu)
is "Cy is scheduled" "$(status_of "$cy")" scheduled
parts_of "$(newest_to cy@med.example.edu)" "$T/cy0" >"$T/cy0.txt"
neu_uid=$(awk '/PUBLISH/ {print $4}' "$T/cy0.txt")
ok "clerkctl assign (another course of the block)" clerkctl assign "$cy" SUR-512 2027-03
ok "assign: run" run_clerkd
parts_of "$(newest_to cy@med.example.edu)" "$T/cy" >"$T/cy.txt"
ok "the staff assign mail carries the calendar entry" grep -q "^clerkship-SUR-512-2027-03.ics text/calendar PUBLISH " "$T/cy.txt"
ok "  and the letter" grep -q "^acceptance-letter-SUR-512-2027-03.pdf application/pdf" "$T/cy.txt"
is "  and a CANCEL for the seat it replaced, under its UID" "$(awk '/CANCEL/ {print $1, $4}' "$T/cy.txt")" "clerkship-NEU-320-2027-03.ics $neu_uid"
ok "  the letter for the new seat" grep -q -F "SUR-512" <(pdftotext -enc UTF-8 "$T/cy/acceptance-letter-SUR-512-2027-03.pdf" -)
cy_uid=$(awk '/PUBLISH/ {print $4}' "$T/cy.txt")
ok "clerkctl unassign" clerkctl unassign "$cy" SUR-512 2027-03
ok "unassign: run" run_clerkd
parts_of "$(newest_to cy@med.example.edu)" "$T/cy2" >"$T/cy2.txt"
ok "the unassign mail carries a CANCEL" grep -q "^clerkship-SUR-512-2027-03.ics text/calendar CANCEL " "$T/cy2.txt"
is "  under the same UID" "$(awk '/CANCEL/ {print $4}' "$T/cy2.txt")" "$cy_uid"
ok "  and no letter" bash -c "! grep -q pdf '$T/cy2.txt'"
ok "the CANCEL is kept as sent too" grep -q -E "^s[0-9]+ +sent .*clerkship-SUR-512-2027-03.ics" <(clerkctl doc list "$cy")

# ---- staff cancel (no token): a CANCEL ----
ok "clerkctl cancel" clerkctl cancel "$amy"
ok "staff cancel: run" run_clerkd
parts_of "$(newest_to amy@med.example.edu)" "$T/gone" >"$T/gone.txt"
ok "Amy is told, with a CANCEL" grep -q "^clerkship-MED-401-2027-03.ics text/calendar CANCEL " "$T/gone.txt"
is "  under the same UID" "$(awk '/CANCEL/ {print $4}' "$T/gone.txt")" "$amy_uid"
ok "  the mail says a coordinator cancelled it" grep -q "a coordinator has cancelled your application" <(last_to amy@med.example.edu)

# ---- the logo (policy letter_logo) and letter_paper, checked ----
python3 - "$T/rules/templates/logo.png" <<'PY'
import sys, zlib, struct
w, h = 240, 80
def chunk(t, d):
    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
rows = b''.join(b'\0' + b'\x80\x10\x10' * w for _ in range(h))
open(sys.argv[1], 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0))
    + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))
PY
sed -i 's/^letter_logo =.*/letter_logo = logo.png/' "$T/rules/policy.ini"
ok "a logo that is a PNG passes rules check" clerkctl rules check
mkmail "$T/d.eml" "Dee Logo <dee@med.example.edu>" "Application" \
	"$(form "Dee Logo" dee@med.example.edu 'c1=PED-430 2027-03' "$CORES")" "${DOCS[@]}"
deliver "$T/d.eml"
ok "placed with a logo: run" run_clerkd
parts_of "$(newest_to dee@med.example.edu)" "$T/dee" >"$T/dee.txt"
ok "  the letter is attached" test -f "$T/dee/acceptance-letter-PED-430-2027-03.pdf"
is "  with one image, the logo (pdfimages -list)" "$(pdfimages -list "$T/dee/acceptance-letter-PED-430-2027-03.pdf" | tail -n +3 | wc -l)" 1
is "  at the logo's size, 240x80" "$(pdfimages -list "$T/dee/acceptance-letter-PED-430-2027-03.pdf" | awk 'NR == 3 {print $4 "x" $5}')" "240x80"
is "the letter without it had no image" "$(pdfimages -list "$T/placed/acceptance-letter-MED-401-2027-03.pdf" | tail -n +3 | wc -l)" 0
printf 'GIF89a, not a PNG' >"$T/rules/templates/logo.png"
clerkctl rules check >"$T/check" 2>&1
is "a logo that is not a PNG: rules check exits 1" "$?" 1
ok "  naming letter_logo and why" grep -q "letter_logo: .*logo.png: the logo is not a PNG file" "$T/check"
sed -i 's/^letter_logo =.*/letter_logo = missing.png/' "$T/rules/policy.ini"
ok "  a missing one too" bash -c "'$CLERKCTL' --config '$T/clerkd.conf' rules check | grep -q 'missing.png: no such file'"
sed -i 's/^letter_logo =.*/letter_logo =/; s/^letter_paper =.*/letter_paper = b5/' "$T/rules/policy.ini"
clerkctl rules check >"$T/check" 2>&1
is "letter_paper b5: rules check exits 1" "$?" 1
ok "  naming the setting and its line" grep -q "policy.ini:[0-9]*: letter_paper must be a4 or letter, not 'b5'" "$T/check"
done_testing
