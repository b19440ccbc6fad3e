#!/bin/bash
# End to end against a real Dovecot and a real SMTP receiver: applications in,
# receipts out, automatic mail unanswered, nothing twice, inbox emptied.
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20

servers_start
deliver "$DATA"/*.eml
humans=$(grep -l -E '^class: (application|first-contact)' "$DATA"/*.facts | wc -l)
apps=$(grep -l -E '^class: application' "$DATA"/*.facts | wc -l)
total=$(ls "$DATA"/*.eml | wc -l)
is "all messages delivered" "$(mailbox_count INBOX)" "$total"

ok "clerkd --once exits 0" run_clerkd
is "inbox emptied" "$(mailbox_count INBOX)" 0
is "every message in Processed" "$(mailbox_count Processed)" "$total"
is "one reply per human message" "$(sink_count)" "$humans"

# Each reply answers a human message of the corpus, threaded, referenced.
replied_to=""
for f in $(sink_files); do
	irt=$("$MAILCAT" -h In-Reply-To "$f" | tr -d '<>')
	src=$(grep -l -i -F "$irt" "$DATA"/*.eml | head -1)
	name=$(basename "$src" .eml)
	replied_to="$replied_to $name"
	class=$(sed -n 's/^class: //p' "$DATA/$name.facts")
	subj=$("$MAILCAT" -h Subject "$f")
	is "$name: reply is auto-replied" "$("$MAILCAT" -h Auto-Submitted "$f")" "auto-replied"
	ok "$name: References carries the original" grep -q -i -F "$irt" <("$MAILCAT" -h References "$f")
	ok "$name: reply goes to the sender" grep -q -i -F "$(sed -n 's/^from: //p' "$DATA/$name.facts")" <("$MAILCAT" -h To "$f")
	ok "$name: body is UTF-8 text/plain" grep -q -i 'Content-Type: text/plain; charset=utf-8' "$f"
	ref=$(grep -o -E 'ECP-2026-[0-9]{5}' <<<"$subj")
	if [ "$class" = application ]; then
		ok "$name: reference in subject" grep -q -E '\[ECP-2026-[0-9]{5}\]$' <<<"$subj"
		ok "$name: reference in body" grep -q "$ref" <("$MAILCAT" "$f")
		fullname=$(sed -n 's/^form.full_name: //p' "$DATA/$name.facts")
		ok "$name: greets $fullname" grep -q -F "Dear $fullname," <("$MAILCAT" "$f")
		for att in $(sed -n 's/^attachment: \([^|]*\)|.*/\1/p' "$DATA/$name.facts" | tr ' ' '\037'); do
			att=$(tr '\037' ' ' <<<"$att")
			ok "$name: receipt lists $att" grep -q -F -- "- $att (" <("$MAILCAT" "$f")
		done
		ok "$name: clerkctl shows $ref" clerkctl show "$ref"
	else
		ok "$name: first contact carries the blank form" grep -q '^Full name:' <("$MAILCAT" "$f")
		# A reference only once an application exists (strangers would use up the year's).
		is "$name: no reference before an application" "$ref" ""
		first_contact_from=$(sed -n 's/^from: //p' "$DATA/$name.facts")
	fi
done
for f in "$DATA"/*.facts; do
	name=$(basename "$f" .facts)
	if grep -q '^class: automatic' "$f"; then
		ok "$name: automatic mail not answered" bash -c "! grep -q -w '$name' <<<'$replied_to'"
	fi
done

# The applicants, as staff see them: names decoded, every one listed.
clerkctl list --json >"$T/list.json"
is "clerkctl list --json has every application" "$(grep -c '"reference"' "$T/list.json")" "$apps"
for f in $(grep -l '^class: application' "$DATA"/*.facts); do
	fullname=$(sed -n 's/^form.full_name: //p' "$f")
	ok "list --json has name '$fullname'" grep -q -F "\"name\" : \"$fullname\"" "$T/list.json"
done
ok "every application is judged by the rules" bash -c "! grep '\"status\"' '$T/list.json' | grep -v -q -E 'early|incomplete|ineligible|complete'"
ok "the rules name what is missing" grep -q '"tb-ppd"' "$T/list.json"

# Documents: content-addressed, private.
docs=$(find "$T/store/documents" -type f | wc -l)
ok "documents stored" test "$docs" -gt 0
is "documents directory is 0700" "$(stat -c %a "$T/store/documents")" 700
is "no document readable by others" "$(find "$T/store/documents" -type f ! -perm 600 | wc -l)" 0
is "database is 0600" "$(stat -c %a "$T/store/clerkd.db")" 600
ok "no document kept under a name from mail" bash -c "! find '$T/store/documents' -type f -printf '%P\n' | grep -q -E 'pdf|jpe?g|txt'"

# Second run: nothing new, nothing sent twice.
before=$(sink_count)
ok "second run exits 0" run_clerkd
is "second run sends nothing" "$(sink_count)" "$before"
is "second run keeps Processed as it was" "$(mailbox_count Processed)" "$total"

# The same message delivered again (new UID): recorded, not answered again.
deliver "$DATA/gmail-pdf.eml"
ok "redelivery run exits 0" run_clerkd
is "a redelivered message is not answered again" "$(sink_count)" "$before"
is "inbox empty after redelivery" "$(mailbox_count INBOX)" 0
is "no new application for a redelivered message" "$(clerkctl list --json | grep -c '"reference"')" "$apps"

# One who wrote first, then applies, gets the next reference then.
before=$(sink_count)
printf 'From: %s\nTo: clerkship@example.edu\nSubject: My application\nMessage-ID: <apply-after-asking@example.org>\n\nFull name: Kwame Asante\nMedical school: University of Ghana Medical School\nYear of study: final\nChoice 1: MED-401 2027-03\n' \
	"$first_contact_from" >"$T/apply.eml"
deliver "$T/apply.eml"
ok "application after a first contact: run exits 0" run_clerkd
is "application after a first contact is answered once" "$(sink_count)" "$((before + 1))"
receipt=$(ls -t "$T"/sink/* | head -1)
new_ref=$("$MAILCAT" -h Subject "$receipt" | grep -o -E 'ECP-2026-[0-9]{5}')
is "it gets the next reference of the year" "$new_ref" "$(printf 'ECP-2026-%05d' $((apps + 1)))"
ok "clerkctl shows it under that reference" clerkctl show "$new_ref"
is "no reference was held for anyone" "$(sql 'SELECT count(*) FROM reserved_refs')" 0

# For the registrar: spreadsheets, one student's record, a backup.
clerkctl export --csv applications >"$T/apps.csv"
is "CSV of applications: a header and a row each" "$(wc -l <"$T/apps.csv")" "$(($(clerkctl list --json | grep -c '"reference"') + 1))"
ok "with the choices joined" grep -q 'MED-401 2027-03' "$T/apps.csv"
ok "CSV of documents names each file" grep -q "Dean's letter.pdf" <(clerkctl export --csv documents)
clerkctl export --csv nonsense 2>/dev/null
is "an unknown export exits 64" "$?" 64
ok "clerkctl export REF is the whole record" grep -q '"documents"' <(clerkctl export "$new_ref")
ok "clerkctl backup" clerkctl backup "$T/backup"
is "the backup holds every application" \
	"$(sqlite3 "$T/backup/clerkd.db" 'SELECT count(*) FROM applications')" "$(sql 'SELECT count(*) FROM applications')"
is "and every document" "$(find "$T/backup/documents" -type f | wc -l)" "$(find "$T/store/documents" -type f | wc -l)"
is "the backup database is private" "$(stat -c %a "$T/backup/clerkd.db")" 600
clerkctl backup "$T/backup" 2>/dev/null
is "backing up over a backup is refused" "$?" 1
apps_before=$(sql 'SELECT count(*) FROM applications')
sql "DELETE FROM choices; DELETE FROM documents; DELETE FROM applications WHERE id = 1"
rm -rf "$T/store/documents"/[0-9a-f][0-9a-f]
ok "clerkctl restore" clerkctl restore "$T/backup"
is "restore brings the applications back" "$(sql 'SELECT count(*) FROM applications')" "$apps_before"
is "and the documents" "$(find "$T/store/documents" -type f | wc -l)" "$(find "$T/backup/documents" -type f | wc -l)"

# Retention: closed applications past the period lose their personal data.
sql "UPDATE applications SET status = 'cancelled', updated_at = datetime('now', '-400 days')
     WHERE name IN ('Priya Raman', 'François Lefèvre')"
gone=$(sql "SELECT d.sha256 FROM documents d JOIN applications a ON a.id = d.application_id WHERE a.name = 'Priya Raman' LIMIT 1")
clerkctl purge 2>/dev/null
is "purge without a retention period is refused" "$?" 1
sed -i 's/^\[store\]$/[store]\nretention_days = 365/' "$T/clerkd.conf"
clerkctl purge >"$T/purge.out"
ok "a dry run lists what would go" grep -q "2 closed applications older than 365 days would be purged" "$T/purge.out"
is "and changes nothing" "$(sql "SELECT count(*) FROM applications WHERE name = 'Priya Raman'")" 1
ok "purge --yes" clerkctl purge --yes
is "the names are gone" "$(sql "SELECT count(*) FROM applications WHERE name IN ('Priya Raman', 'François Lefèvre')")" 0
is "and their documents" "$(sql "SELECT count(*) FROM documents WHERE sha256 = '$gone'")" 0
ok "and the files" test ! -e "$T/store/documents/${gone:0:2}/$gone"
is "and the copies of the replies" "$(sql "SELECT count(*) FROM outbox_raw r JOIN outbox o ON o.id = r.outbox_id JOIN applications a ON a.id = o.application_id WHERE a.flags LIKE '%purged%'")" 0
is "the others are untouched" "$(sql "SELECT count(*) FROM applications WHERE flags IS NULL OR flags NOT LIKE '%purged%'")" "$(($(clerkctl list --json | grep -c '"reference"') - 2))"
ok "a second purge finds nothing" grep -q "^0 closed" <(clerkctl purge --yes)

ok "no secret in the log" bash -c "! grep -q -F '$IMAP_PASS' '$T/clerkd.log'"
done_testing
