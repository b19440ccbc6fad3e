#!/bin/bash
# End to end, against a real Dovecot and SMTP receiver: the staff's daily
# digest (issue #17). At its hour ([digest] hour = 0 here: always passed) a
# run sends one digest to each staff address, a text part and an HTML part
# with SVG charts; the same day sends no second one; an empty store sends
# none; clerkctl digest prints the same figures. The HTML is opened in
# headless Chromium (a screenshot that is not blank) and its SVG checked
# with xmllint.
. "$top_srcdir/tests/lib.sh"

servers_start
sed -i 's/^hour = off$/hour = 0/' "$T/clerkd.conf"
sed -i 's/^from = .*/&\nbounce_address = clerkship-bounces@example.edu/' "$T/clerkd.conf"
STAFF=registrar@example.edu

# parts FILE OUTDIR: the digest's parts (text.txt, digest.html) and its MIME structure.
parts() {
	python3 - "$1" "$2" <<'PY'
import email, sys
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=policy.default)
print(m.get_content_type(), *[p.get_content_type() for p in m.iter_parts()])
for p in m.iter_parts():
    name = {'text/plain': 'text.txt', 'text/html': 'digest.html'}.get(p.get_content_type())
    if name:
        open(sys.argv[2] + '/' + name, 'w', encoding='utf-8').write(p.get_content())
PY
}
# digest_file: the newest digest in the sink.
digest_file() { grep -l -F 'Daily digest for' $(ls -t "$T"/sink/*) 2>/dev/null | head -1; }
digests() { grep -l -F 'Subject: [clerkd] Daily digest for' "$T"/sink/* 2>/dev/null | wc -l; }

# ---- an empty store: nothing to say ----
export CLERKD_NOW=2026-10-19
ok "an empty store: run" run_clerkd
is "  no digest" "$(digests)" 0
ok "  clerkctl digest says none would be sent" grep -q "sends no digest today" <(clerkctl digest)

# ---- day 1: three applications in several statuses ----
ALL_DOCS=("Dean's letter.pdf" "Official Transcript.pdf" "Immunization record.pdf" "Titers.pdf" "PPD_1.pdf" "PPD_2.pdf" "Health insurance card.jpg")
mkmail "$T/jane.eml" "Jane Doe <jane.doe@med.example.edu>" "Visiting clerkship application" \
	"$(form 'Jane Doe' jane.doe@med.example.edu)\nDocuments: PPD_1.pdf = tb-ppd 2026-09-01; PPD_2.pdf = tb-ppd 2026-09-09\n" "${ALL_DOCS[@]}"
mkmail "$T/lena.eml" "Lena Fischer <lena.fischer@med.example.edu>" "Application for a visiting clerkship" \
	"$(form 'Lena Fischer' lena.fischer@med.example.edu country=Germany)" "Dean's letter.pdf" "transcript.pdf" \
	"Vaccination record.pdf" "Titers.pdf" "insurance.pdf" "IMG_2041.jpg"
mkmail "$T/ana.eml" "Ana <ana@med.example.edu>" "Application" \
	"$(form 'Ana <b>Lopez</b>' ana@med.example.edu 'country=Côte <d>Ivoire & co' c1='SUR-512 2027-03')" "Dean's letter.pdf"
deliver "$T/jane.eml" "$T/lena.eml" "$T/ana.eml"
ok "three applications: run" run_clerkd
jane=$(ref_of jane.doe@med.example.edu)
lena=$(ref_of lena.fischer@med.example.edu)
ana=$(ref_of ana@med.example.edu)
is "Jane is complete" "$(status_of "$jane")" complete
is "Lena is incomplete" "$(status_of "$lena")" incomplete
is "one digest to staff, after the applications" "$(digests)" 1
f=$(digest_file)
mkdir -p "$T/d1"
is "  one multipart/alternative mail: text, then HTML" "$(parts "$f" "$T/d1")" \
	"multipart/alternative text/plain text/html"
ok "  to the staff list" grep -q -i "^To: .*$STAFF" "$f"
ok "  three new applications" grep -q -E '^  New applications +3$' "$T/d1/text.txt"
ok "  one newly complete (Jane)" grep -q -E '^  Newly complete +1$' "$T/d1/text.txt"
ok "  Jane listed as complete" grep -q -E "^  $jane +Jane Doe +United States +complete$" "$T/d1/text.txt"
ok "  no line over 72 characters" test "$(awk 'length > 72' "$T/d1/text.txt" | wc -l)" -eq 0
ok "  the lottery of 2027-03 is announced with its date" grep -q -E '^  2027-03 .*[0-9]+ [A-Z][a-z]+ 2027' "$T/d1/text.txt"
ok "  the seats chart names MED-401 in 2027-03" grep -q -E '^  2027-03 MED-401' "$T/d1/text.txt"
ok "  applications by status: complete 1" grep -q -E '^  complete +1  #' "$T/d1/text.txt"

# ---- a second run the same day: no second digest ----
ok "a second run the same day" run_clerkd
is "  still one digest" "$(digests)" 1

# ---- day 2: a held message, a bounce, a seat given ----
export CLERKD_NOW=2026-10-20
mkmail "$T/friend.eml" "A Friend <friend@example.org>" "Document for $lena" "Lena asked me to send this." "Good standing letter.pdf"
receipt=$(grep -l -i '^To: .*lena.fischer' "$T"/sink/* | head -1)
rid=$("$MAILCAT" -h Message-ID "$receipt")
cat >"$T/bounce.eml" <<EOM
Return-Path: <>
From: MAILER-DAEMON@mx.example.edu (Mail Delivery System)
To: clerkship-bounces@example.edu
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce-1@mx.example.edu>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

The mail system: your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.edu

Final-Recipient: rfc822; lena.fischer@med.example.edu
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 user unknown

--B
Content-Type: text/rfc822-headers

From: Exchange Clerkship Program <clerkship@example.edu>
To: lena.fischer@med.example.edu
Message-ID: $rid
Subject: Re: application [$lena]

--B--
EOM
deliver "$T/friend.eml" "$T/bounce.eml"
ok "a seat given to Jane by staff" clerkctl assign "$jane" MED-401 2027-03
# renders: how often a run read the digest's figures (clerkd --verbose logs it)
renders() { grep -c 'debug: digest for .*: reading its figures' "$T/clerkd.log"; }
r0=$(renders)
ok "day 2: run" run_clerkd --verbose
is "  the digest was rendered once" "$(($(renders) - r0))" 1
is "  a second digest" "$(digests)" 2
f=$(digest_file)
mkdir -p "$T/d2"
parts "$f" "$T/d2" >/dev/null
ok "  no new applications since day 1" grep -q -E '^  New applications +0$' "$T/d2/text.txt"
ok "  one held message waiting, from the friend" grep -q -E "^  $lena +friend@example.org +[0-9-]+ +1$" "$T/d2/text.txt"
ok "  one bounce, Lena's address" grep -q -E "^  lena.fischer@med.example.edu .*$lena$" "$T/d2/text.txt"
ok "  Jane's seat: 1 taken in MED-401 2027-03" grep -q -E '^  2027-03 MED-401.* 1/[0-9]+  #' "$T/d2/text.txt"
ok "  the HTML has the same summary figure" grep -q -F '<td>Bounces</td><td class="n">1</td>' "$T/d2/digest.html"
ok "  the HTML has three charts" test "$(grep -c '<svg ' "$T/d2/digest.html")" -eq 3
ok "  Ana's country is escaped in the HTML" grep -q -F 'Côte &lt;d&gt;Ivoire &amp; co' "$T/d2/digest.html"
ok "  no script, nothing fetched" test "$(grep -c -i -E '<script|src=|href=' "$T/d2/digest.html")" -eq 0
r0=$(renders)
ok "a second run on day 2" run_clerkd --verbose
is "  today's digest is not rendered again once sent" "$(($(renders) - r0))" 0
is "  no third digest" "$(digests)" 2

# ---- clerkctl digest: the same figures ----
clerkctl digest --html "$T/ctl.html" >"$T/ctl.txt"
is "clerkctl digest --html: exit 0" "$?" 0
is "  the same text as the mail" "$(diff "$T/d2/text.txt" "$T/ctl.txt")" ""
is "  the same HTML as the mail" "$(diff "$T/d2/digest.html" "$T/ctl.html")" ""

# ---- the SVG is valid XML (libxml2), the whole page too ----
ok "the HTML is well-formed XML (xmllint)" xmllint --noout "$T/d2/digest.html"
python3 - "$T/d2/digest.html" "$T" <<'PY'
import re, sys
html = open(sys.argv[1], encoding='utf-8').read()
for i, svg in enumerate(re.findall(r'<svg .*?</svg>', html, re.S)):
    open('%s/chart%d.svg' % (sys.argv[2], i), 'w', encoding='utf-8').write('<?xml version="1.0" encoding="utf-8"?>\n' + svg)
PY
for i in 0 1 2; do
	ok "  chart $i is valid SVG XML (xmllint)" xmllint --noout "$T/chart$i.svg"
done
ok "  the seats chart has axes and the seat labels" grep -q 'class="axis-title"' "$T/chart0.svg"

# ---- seen in a browser: a screenshot that is not blank ----
# pngcheck PNG: exit 0 if the picture has more than 16 colours and more than
# 2% of its pixels not white (a blank page has one colour).
pngcheck() {
	python3 - "$1" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat, w = 8, b'', 0
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
        assert depth == 8 and ctype in (2, 6), 'unexpected PNG type'
        bpp = 3 if ctype == 2 else 4
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
raw, stride = zlib.decompress(idat), w * bpp
prev, colours, ink = bytearray(stride), set(), 0
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b, c = prev[x], prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp * 2):	# every other pixel is enough
        px = bytes(line[x:x + 3])
        colours.add(px)
        ink += px != b'\xff\xff\xff'
    prev = line
share = ink / (h * w / 2)
print('%d colours, %.1f%% not white' % (len(colours), share * 100))
sys.exit(0 if len(colours) > 16 and share > 0.02 else 1)
PY
}
shot() {	# shot HTML PNG
	HOME=$T timeout 60 /usr/bin/chromium --headless --no-sandbox --disable-gpu \
		--hide-scrollbars --user-data-dir="$T/chromium" --screenshot="$2" \
		--window-size=1000,1400 "file://$1" >>"$T/chromium.log" 2>&1
}
printf '<!DOCTYPE html>\n<html><head><meta charset="utf-8"/><title>blank</title></head><body></body></html>\n' >"$T/blank.html"
ok "Chromium renders a blank page" shot "$T/blank.html" "$T/blank.png"
pngcheck "$T/blank.png" >"$T/blank.check"
rc=$?
is "  and the check finds it blank ($(cat "$T/blank.check"))" "$rc" 1
ok "Chromium renders the digest" shot "$T/d2/digest.html" "$T/digest.png"
ok "  the screenshot is there" test -s "$T/digest.png"
ok "  and it is not blank ($(pngcheck "$T/digest.png"))" pngcheck "$T/digest.png"

done_testing
