#!/bin/bash
# End to end (#18): an application sent as a filled .docx gets the same
# decision as the same form in the body, and the reply names the file; a
# form in the body that differs from the one in a .docx wins, and the reply
# says so. The .docx is still kept as a document.
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20

servers_start
DOCS=("Dean's letter.pdf" "Transcript.pdf")
# docx OUT TEXT: a .docx whose paragraphs are the lines of TEXT (python3 zipfile).
docx() {
	python3 - "$1" "$2" <<'PY'
import sys, zipfile
from xml.sax.saxutils import escape
paras = "".join('<w:p><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>' % escape(l)
                for l in sys.argv[2].split("\n"))
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
    z.writestr("word/document.xml", '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
               + paras + '</w:body></w:document>')
PY
}
# mail OUT FROM BODY DOCX: a message with a .docx and the two PDFs attached.
mail() {
	mkmail "$1.tmp" "$2" "Application" "$3" "${DOCS[@]}"
	{
		sed '$d' "$1.tmp"
		printf -- '--b0\nContent-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document\n'
		printf 'Content-Disposition: attachment; filename="application.docx"\nContent-Transfer-Encoding: base64\n\n'
		base64 "$4"
		printf -- '--b0--\n'
	} >"$1"
}
decision() { last_to "$1" | sed -n '/^Your course choices/,/^With best regards/p'; }

# ---- the same form: in the body, and in a .docx ----
mkmail "$T/body.eml" "Ana Lima <ana@med.example.edu>" "Application" \
	"$(form "Ana Lima" ana@med.example.edu)" "${DOCS[@]}"
docx "$T/bea.docx" "$(printf '%b' "$(form "Bea Lima" bea@med.example.edu)")"
mail "$T/docx.eml" "Bea Lima <bea@med.example.edu>" "Dear coordinator,\n\nmy form is attached.\n" "$T/bea.docx"
deliver "$T/body.eml" "$T/docx.eml"
run_clerkd
ana=$(ref_of ana@med.example.edu)
bea=$(ref_of bea@med.example.edu)
ok "the body form is an application" test -n "$ana"
ok "the .docx form is an application" test -n "$bea"
is "the same status" "$(status_of "$ana")" "$(status_of "$bea")"
is "the same decision" "$(decision bea@med.example.edu | sed "s/$bea/REF/g; s/Bea/NAME/g")" \
	"$(decision ana@med.example.edu | sed "s/$ana/REF/g; s/Ana/NAME/g")"
ok "the reply names the file" grep -q -F "We read your application form from application.docx." \
	<(last_to bea@med.example.edu)
ok "the body reply says nothing of it" bash -c "! grep -q 'We read your application form' <(last_to ana@med.example.edu)"
is "the .docx is kept as a document" \
	"$(sql "SELECT count(*) FROM documents d JOIN applications a ON a.id = d.application_id WHERE a.reference = '$bea' AND d.filename = 'application.docx'")" 1

# ---- a form in the body and a different one in a .docx: the body wins ----
docx "$T/cai.docx" "$(printf '%b' "$(form "Cai Wu" cai@med.example.edu c1="PED-330 2027-04")")"
mail "$T/both.eml" "Cai Wu <cai@med.example.edu>" "$(form "Cai Wu" cai@med.example.edu)" "$T/cai.docx"
# ---- a damaged .docx and no form: not an application, nothing lost ----
printf 'PK\003\004 this is not a zip' >"$T/bad.docx"
mail "$T/bad.eml" "Dan Ek <dan@med.example.edu>" "$(form "Dan Ek" dan@med.example.edu)" "$T/bad.docx"
deliver "$T/both.eml" "$T/bad.eml"
run_clerkd
ok "the body wins, and the reply says so" grep -q -F \
	"The form in your message and the form in application.docx are different. We used the form in your message." \
	<(last_to cai@med.example.edu)
ok "  the body's choice counted" grep -q "MED-401" <(clerkctl show "$(ref_of cai@med.example.edu)" --json)
ok "a damaged .docx: the reply says we could not read it" grep -q -F \
	"We could not read the file application.docx" <(last_to dan@med.example.edu)
is "one reply per message" "$(ls "$T"/sink | wc -l)" 4
done_testing
