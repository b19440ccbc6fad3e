#!/bin/bash
# End to end (#18): an application sent as a filled PDF form (the shipped
# form filled with poppler, and a form written by another PDF writer with
# fields under a parent and UTF-16 values) and one sent as a PDF with only a
# text layer (a form printed to PDF, or an OCRed scan) get the same decision
# as the same form in the body; the reply names the file. The first reply
# to a new address carries the fillable application-form.pdf, whose fields
# poppler lists. An encrypted PDF and no form: the reply says we could not
# read it and asks for the form in the mail; the file is kept. A form sent
# again as a PDF from the registered address names the file too.
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20

servers_start
FORMPDF="$top_srcdir/contrib/formpdf.py"
# Debian's python3-gi is /usr/bin/python3's (another python3 may come first in PATH).
GI_PY=/usr/bin/python3
DOCS=("Dean's letter.pdf" "Transcript.pdf")
# mail OUT FROM BODY PDF [NAME]: a message with the PDF (as NAME, default
# application.pdf) after the two documents.
mail() {
	mkmail "$1.tmp" "$2" "Application" "$3" "${DOCS[@]}"
	{
		sed '$d' "$1.tmp"
		printf -- '--b0\nContent-Type: application/pdf\n'
		printf 'Content-Disposition: attachment; filename="%s"\nContent-Transfer-Encoding: base64\n\n' \
			"${5:-application.pdf}"
		base64 "$4"
		printf -- '--b0--\n'
	} >"$1"
}
# fields TEXT: NAME=VALUE arguments for formpdf.py from a form's text.
fields() { printf '%b\n' "$1" | sed -n 's/^\([^:]*\): *\(.*\)$/\1=\2/p'; }
decision() { last_to "$1" | sed -n '/^Your course choices/,/^With best regards/p'; }
# poppler_fill IN OUT TEXT: the shipped form filled in with poppler (python3-gi).
poppler_fill() {
	printf '%b\n' "$3" | "$GI_PY" -c '
import sys, gi
gi.require_version("Poppler", "0.18")
from gi.repository import Poppler, GLib
doc = Poppler.Document.new_from_file(GLib.filename_to_uri(sys.argv[1], None), None)
vals = dict(l.split(": ", 1) for l in sys.stdin.read().splitlines() if ": " in l)
for m in doc.get_page(0).get_form_field_mapping():
    name = m.field.get_name()
    if name in vals:
        m.field.text_set_text(vals[name])
doc.save(GLib.filename_to_uri(sys.argv[2], None))
' "$1" "$2"
}

# ---- the same form: in the body, as a filled PDF (two writers), as text ----
ana_form=$(form "Ana Lima" ana@med.example.edu)
mkmail "$T/body.eml" "Ana Lima <ana@med.example.edu>" "Application" "$ana_form" "${DOCS[@]}"
poppler_fill "$top_srcdir/rules/application-form.pdf" "$T/bea.pdf" "$(form "Bea Lima" bea@med.example.edu)"
mail "$T/bea.eml" "Bea Lima <bea@med.example.edu>" "Dear coordinator,\n\nmy form is attached.\n" "$T/bea.pdf"
mapfile -t cai_fields < <(fields "$(form "Cai Lima" cai@med.example.edu)")
python3 "$FORMPDF" filled "$T/cai.pdf" --tree --utf16 "${cai_fields[@]}"
mail "$T/cai.eml" "Cai Lima <cai@med.example.edu>" "Hello,\n\nplease find my application attached.\n" "$T/cai.pdf" "Application Cai.pdf"
printf 'APPLICATION FORM\n%b\n' "$(form "Dag Lima" dag@med.example.edu)" | python3 "$FORMPDF" text "$T/dag.pdf"
mail "$T/dag.eml" "Dag Lima <dag@med.example.edu>" "Hello,\n\nmy scanned form is attached.\n" "$T/dag.pdf" "scan.pdf"
deliver "$T/body.eml" "$T/bea.eml" "$T/cai.eml" "$T/dag.eml"
run_clerkd
ana=$(ref_of ana@med.example.edu)
ok "the body form is an application" test -n "$ana"
norm() { sed "s/$2/REF/g; s/$3/NAME/g"; }
for who in bea cai dag; do
	ref=$(ref_of $who@med.example.edu)
	Name=$(sql "SELECT name FROM applications WHERE reference = '$ref'" | cut -d' ' -f1)
	ok "$who's PDF form is an application" test -n "$ref"
	is "  the same status as the body form" "$(status_of "$ref")" "$(status_of "$ana")"
	is "  the same decision" "$(decision $who@med.example.edu | norm x "$ref" "$Name")" \
		"$(decision ana@med.example.edu | norm x "$ana" Ana)"
	is "  the same school" "$(sql "SELECT school FROM applications WHERE reference = '$ref'")" \
		"Example University School of Medicine"
done
ok "the reply names the file (poppler-filled)" grep -q -F "We read your application form from application.pdf." \
	<(last_to bea@med.example.edu)
ok "the reply names the file (other writer)" grep -q -F "We read your application form from Application Cai.pdf." \
	<(last_to cai@med.example.edu)
ok "the reply names the file (text layer)" grep -q -F "We read your application form from scan.pdf." \
	<(last_to dag@med.example.edu)
ok "the body reply says nothing of files" bash -c "! grep -q 'We read your application form\|could not read' <(last_to ana@med.example.edu)"
is "the PDF is kept as a document" \
	"$(sql "SELECT count(*) FROM documents d JOIN applications a ON a.id = d.application_id WHERE a.reference = '$(ref_of bea@med.example.edu)' AND d.filename = 'application.pdf'")" 1

# ---- first contact: the fillable form comes with the reply ----
mkmail "$T/ask.eml" "Eli Park <eli@med.example.edu>" "Question" "Hello,\n\nhow do I apply?\n"
# ---- an encrypted PDF and no form: the reply says so; the file is kept ----
python3 "$FORMPDF" filled "$T/fay.pdf" --password secret "Full name=Fay Ng" "Email=fay@med.example.edu" \
	"Medical school=Example University School of Medicine"
mail "$T/fay.eml" "Fay Ng <fay@med.example.edu>" "Hello,\n\nmy form is attached.\n" "$T/fay.pdf"
# ---- the body and the PDF differ: the body wins ----
python3 "$FORMPDF" filled "$T/gus.pdf" "Full name=Gus Ode" "Email=gus@med.example.edu" "Medical school=Example University School of Medicine" \
	"Choice 1=PED-330 2027-04"
mail "$T/gus.eml" "Gus Ode <gus@med.example.edu>" "$(form "Gus Ode" gus@med.example.edu)" "$T/gus.pdf"
deliver "$T/ask.eml" "$T/fay.eml" "$T/gus.eml"
run_clerkd
last_to eli@med.example.edu >"$T/eli.txt"
ok "the first reply offers the PDF form" grep -q -F "You can also fill in the attached PDF form and send it back." "$T/eli.txt"
for f in $(ls -t "$T"/sink/*); do
	"$MAILCAT" -h To "$f" | grep -q -i -F eli@med.example.edu || continue
	python3 - "$f" "$T/eli.pdf" <<'PY'
import sys, email, email.policy
msg = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
for part in msg.walk():
    if part.get_filename() == 'application-form.pdf':
        open(sys.argv[2], 'wb').write(part.get_payload(decode=True))
        print(part.get_content_type())
PY
	break
done >"$T/eli.type"
is "  attached as application-form.pdf" "$(cat "$T/eli.type")" "application/pdf"
ok "  the shipped file" cmp -s "$T/eli.pdf" "$top_srcdir/rules/application-form.pdf"
is "  poppler lists its fields" "$("$GI_PY" -c '
import sys, gi
gi.require_version("Poppler", "0.18")
from gi.repository import Poppler, GLib
doc = Poppler.Document.new_from_file(GLib.filename_to_uri(sys.argv[1], None), None)
print(",".join(sorted(m.field.get_name() for m in doc.get_page(0).get_form_field_mapping())))
' "$T/eli.pdf")" "Choice 1,Choice 2,Choice 3,Choice 4,Choice 5,Choice 6,Core clerkships completed,Degree held,Email,English proficiency,Expected graduation,Faculty contact,Full name,Medical school,Request type,School country,Year of study"
last_to fay@med.example.edu >"$T/fay.txt"
ok "an encrypted PDF: the reply says we could not read it" grep -q -F "We could not read the file application.pdf: it is protected by a password." "$T/fay.txt"
ok "  and asks for the form in the mail" grep -q -F "please type the form into the text of your email" "$T/fay.txt"
is "  no application" "$(ref_of fay@med.example.edu)" ""
is "  the file is kept" "$(sql "SELECT count(*) FROM kept_documents WHERE email = 'fay@med.example.edu' AND filename = 'application.pdf'")" 1
ok "the body wins over a different PDF, and the reply says so" grep -q -F \
	"The form in your message and the form in application.pdf are different. We used the form in your message." \
	<(last_to gus@med.example.edu)
ok "  the body's choice counted" grep -q "MED-401" <(clerkctl show "$(ref_of gus@med.example.edu)" --json)

# ---- the form sent again as a PDF from the registered address ----
mapfile -t ana2 < <(fields "$(form "Ana Lima" ana@med.example.edu school="Universidade de Lisboa")")
python3 "$FORMPDF" filled "$T/ana2.pdf" "${ana2[@]}"
mail "$T/ana2.eml" "Ana Lima <ana@med.example.edu>" "Hello,\n\nmy school was wrong; the new form is attached.\n" "$T/ana2.pdf" "form-v2.pdf"
deliver "$T/ana2.eml"
run_clerkd
ok "a form sent again as a PDF: the reply names the file" grep -q -F \
	"We read your application form from form-v2.pdf." <(last_to ana@med.example.edu)
is "  the school changed" "$(sql "SELECT school FROM applications WHERE reference = '$ana'")" "Universidade de Lisboa"
is "one reply per message" "$(ls "$T"/sink | wc -l)" 8
done_testing
