#!/bin/bash
# End to end, against a real Dovecot and SMTP receiver: what an outside
# security review tried. Mail that passes as staff only by a trick changes
# nothing; a reference typed into a forwarded message does not decide alone;
# mail the trusted server says is forged is recorded and never answered; a
# first contact takes no reference from the year's sequence.
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20

servers_start
sed -i 's/^\[staff\]$/[staff]\ntrusted_authserv_id = mx.example.edu/' "$T/clerkd.conf"

mkmail "$T/jane.eml" "Jane Doe <jane.doe@med.example.edu>" "Application" "$(form 'Jane Doe' jane.doe@med.example.edu)"
mkmail "$T/mal.eml" "Mal Lory <mallory@evil.example>" "Application" "$(form 'Mal Lory' mallory@evil.example)"
deliver "$T/jane.eml" "$T/mal.eml"
ok "two applications: run" run_clerkd
jane=$(ref_of jane.doe@med.example.edu)
mal=$(ref_of mallory@evil.example)
ok "both have references ($jane, $mal)" test -n "$jane" -a -n "$mal"
docs_of() { sql "SELECT count(*) FROM documents d JOIN applications a ON a.id = d.application_id WHERE a.reference = '$1'"; }
jane_mails=$(mails_to jane.doe@med.example.edu)

# attempt NAME FROM SUBJECT BODY EXTRA-HEADERS: a message that must change nothing for Jane.
attempt() {
	local name=$1 from=$2 subject=$3 body=$4 extra=$5 docs mails
	docs=$(docs_of "$jane")
	mails=$(mails_to jane.doe@med.example.edu)
	EXTRA_HEADERS=$extra mkmail "$T/$name.eml" "$from" "$subject" "$body" "Chest X-ray report.pdf"
	deliver "$T/$name.eml"
	ok "$name: run" run_clerkd
	is "$name: nothing credited to $jane" "$(docs_of "$jane")" "$docs"
	is "$name: Jane is told nothing" "$(mails_to jane.doe@med.example.edu)" "$mails"
}
STAFF="Registrar <registrar@example.edu>"
NOTE="Please add this for the student."

# 1. An encoded-word in attacker text the server copied into its own header
#    (the envelope sender) decodes into a pass: it must be read raw.
attempt encoded-word "$STAFF" "Fwd: X-ray [$jane]" "$NOTE" \
	"Authentication-Results: mx.example.edu; spf=none smtp.mailfrom==?utf-8?q?x=3B_dkim=3Dpass_header.d=3Dexample.edu?=; dkim=none\n"
ok "encoded-word: staff are told it was not authenticated" grep -q "not authenticated: nothing was changed" <(last_to registrar@example.edu)
attempt encoded-word-inside "$STAFF" "Fwd: X-ray [$jane]" "$NOTE" \
	"Authentication-Results: mx.example.edu; spf=none smtp.helo=a=?utf-8?q?=3B_dmarc=3Dpass_header.from=3Dexample.edu?=\n"

# 2. A trusted header over the 4 KB limit whose first 4 KB end in a pass.
# Its first 4,091 bytes (where the old cut fell) end in header.d=example.edu;
# whole, the domain is example.edu.evil.example.
head='mx.example.edu; dkim=fail reason="'
tail='"; dkim=pass header.d=example.edu'
long="$head$(head -c $((4091 - ${#head} - ${#tail})) /dev/zero | tr '\0' 'x')$tail.evil.example"
attempt overlong "$STAFF" "Fwd: X-ray [$jane]" "$NOTE" "Authentication-Results: $long\n"
ok "overlong: staff are told why" grep -q "too long" <(last_to registrar@example.edu)

# 4. The server judged some From, but not the staff one.
attempt two-from-headers "$STAFF" "Fwd: X-ray [$jane]" "$NOTE" \
	"From: Mal Lory <mallory@evil.example>\nAuthentication-Results: mx.example.edu; dmarc=pass\n"
attempt two-from-addresses "$STAFF, mallory@evil.example" "Fwd: X-ray [$jane]" "$NOTE" \
	"Authentication-Results: mx.example.edu; dkim=pass header.d=evil.example; dmarc=pass\n"
attempt dmarc-without-header-from "$STAFF" "Fwd: X-ray [$jane]" "$NOTE" \
	"Authentication-Results: mx.example.edu; dmarc=pass\n"
attempt sender-differs "$STAFF" "Fwd: X-ray [$jane]" "$NOTE" \
	"Sender: lists@lists.example.edu\nAuthentication-Results: mx.example.edu; dkim=pass header.d=lists.example.edu\n"
attempt from-in-encoded-word "=?us-ascii?q?registrar=40example.edu?=" "Fwd: X-ray [$jane]" "$NOTE" \
	"Authentication-Results: mx.example.edu; dkim=pass header.d=example.edu; dmarc=pass header.from=example.edu\n"

# 5. A genuine staff forward of Mallory's message, whose text names Jane's
#    reference: Mallory's own words do not move documents to Jane.
AUTH="Authentication-Results: mx.example.edu; spf=pass smtp.mailfrom=example.edu; dkim=pass header.d=example.edu header.s=s1; dmarc=pass header.from=example.edu\n"
FWD="$NOTE\n\n---------- Forwarded message ---------\nFrom: Mal Lory <mallory@evil.example>\nDate: Mon, 19 Oct 2026 at 09:12\nSubject: X-ray for $jane\nTo: Registrar <registrar@example.edu>\n\nThis is for application $jane.\n"
mal_docs=$(docs_of "$mal")
attempt forwarded-reference "$STAFF" "Fwd: X-ray for $jane" "$FWD" "$AUTH"
is "forwarded-reference: nor to Mallory" "$(docs_of "$mal")" "$mal_docs"
ok "forwarded-reference: staff are told, both named" \
	grep -q -z "nothing was credited.*mallory@evil.example.*$mal.*$jane" <(last_to registrar@example.edu | tr '\n' ' ')
# The same forward with the staff member's own word for it: credited as told.
jane_docs=$(docs_of "$jane")
FWD2="Please add this for $jane: she sent it from a friend's account.${FWD#"$NOTE"}"
EXTRA_HEADERS=$AUTH mkmail "$T/staff-says.eml" "$STAFF" "Fwd: X-ray for $jane" "$FWD2" "Chest X-ray report.pdf"
deliver "$T/staff-says.eml"
ok "staff's own words decide: run" run_clerkd
is "staff's own words decide: credited to $jane" "$(docs_of "$jane")" "$((jane_docs + 1))"
# And a forward of Mallory's own message that quotes her own reference goes to her.
FWD3="$NOTE\n\n---------- Forwarded message ---------\nFrom: Mal Lory <mallory@evil.example>\nDate: Mon, 19 Oct 2026 at 09:12\nSubject: my X-ray [$mal]\nTo: Registrar <registrar@example.edu>\n\nHere it is.\n"
EXTRA_HEADERS=$AUTH mkmail "$T/own-ref.eml" "$STAFF" "Fwd: my X-ray [$mal]" "$FWD3" "Chest X-ray report.pdf"
deliver "$T/own-ref.eml"
ok "a quoted reference that agrees with the sender: run" run_clerkd
is "a quoted reference that agrees with the sender counts" "$(docs_of "$mal")" "$((mal_docs + 1))"

# 10. Forged senders, by the trusted server's own word: recorded, never answered.
before=$(sink_count)
apps=$(sql "SELECT count(*) FROM applications")
EXTRA_HEADERS="Authentication-Results: mx.example.edu; spf=fail smtp.mailfrom=gmail.com; dkim=none; dmarc=fail (p=REJECT sp=REJECT dis=NONE) header.from=gmail.com\n" \
	mkmail "$T/forged-app.eml" "Someone <victim@gmail.com>" "Application" "$(form 'Vic Tim' victim@gmail.com)"
EXTRA_HEADERS="Authentication-Results: mx.example.edu; spf=fail smtp.mailfrom=example.org; dkim=none\n" \
	mkmail "$T/forged-question.eml" "Someone <someone@example.org>" "A question" "Is NEU-301 open in March?"
EXTRA_HEADERS="Authentication-Results: mx.example.edu; dmarc=fail (p=none) header.from=example.net; spf=softfail smtp.mailfrom=example.net\n" \
	mkmail "$T/not-forged.eml" "Someone <someone@example.net>" "A question" "Is NEU-301 open in March?"
deliver "$T/forged-app.eml" "$T/forged-question.eml" "$T/not-forged.eml"
ok "forged senders: run" run_clerkd
is "forged senders get no reply (a policy of none still does)" "$(sink_count)" "$((before + 1))"
is "a forged application creates nothing" "$(sql "SELECT count(*) FROM applications")" "$apps"
is "both are recorded as forged" "$(sql "SELECT count(*) FROM ledger WHERE class = 'forged'")" 2
ok "and counted in clerkctl stats" grep -q '"forged" : 2' <(clerkctl stats)
is "every message ends in Processed" "$(mailbox_count INBOX)" 0

# A first contact takes no reference from the year's sequence.
next=$(sql "SELECT count(*) FROM applications")
mkmail "$T/hello.eml" "Curious <curious@example.org>" "Hello" "Do you take students from Brazil?"
deliver "$T/hello.eml"
ok "first contact: run" run_clerkd
is "one reply" "$(mails_to curious@example.org)" 1
is "the first-contact reply carries no reference" "$(last_to curious@example.org | grep -o -E "ECP-[0-9]{4}-[0-9]{5}" | grep -v -c ECP-2027-00042)" 0
mkmail "$T/late.eml" "Late <late@example.org>" "Application" "$(form 'Late Comer' late@example.org)"
deliver "$T/late.eml"
ok "the next application: run" run_clerkd
is "takes the next number of the year" "$(ref_of late@example.org)" "$(printf 'ECP-2026-%05d' $((next + 1)))"
done_testing
