#!/bin/bash
# End to end, against a real Dovecot and SMTP receiver: students whose names
# are written in many scripts are greeted by name, correctly, in the reply's
# body and its To header; clerkctl shows their names as they wrote them.
# (Replies once labelled Latin-1 bytes as UTF-8: "Dear Jos\xe9 Mart\xednez".)
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20

servers_start

NAMES=("José Martínez" "Ingrid Sørensen" "Jürgen Müller" "Łukasz Wróbel" "Ελένη Παππά"
	"Иван Петров" "山田 太郎" "Nguyễn Thị Hương" "Françoise d'Aubigné" "Jane Doe")
SUBJECT="Application 🎓 for a clerkship"
i=0
for name in "${NAMES[@]}"; do
	i=$((i + 1))
	addr="student$i@med.example.org"
	# Half the senders encode their name (RFC 2047), half send it as UTF-8 (RFC 6532).
	if [ $((i % 2)) = 0 ]; then
		from="=?UTF-8?B?$(printf %s "$name" | base64 -w0)?= <$addr>"
		subject="=?UTF-8?B?$(printf %s "$SUBJECT" | base64 -w0)?="
	else
		from="$name <$addr>"
		subject=$SUBJECT
	fi
	mkmail "$T/m$i.eml" "$from" "$subject" "$(form "$name" "$addr")" "Dean's letter.pdf"
done
deliver "$T"/m*.eml
ok "clerkd --once exits 0" run_clerkd
is "one reply per student" "$(sink_count)" "${#NAMES[@]}"

i=0
for name in "${NAMES[@]}"; do
	i=$((i + 1))
	addr="student$i@med.example.org"
	f=$(for g in "$T"/sink/*; do "$MAILCAT" -h To "$g" | grep -q -F "<$addr>" && echo "$g"; done | head -1)
	if [ -z "$f" ]; then
		ok "$name: a reply came" false
		continue
	fi
	ok "$name: the reply is valid in its declared charsets" "$MAILCAT" --check "$f"
	ok "$name: greeted by name in the body" grep -q -x -F "Dear $name," <("$MAILCAT" "$f")
	to=$("$MAILCAT" -h To "$f")
	ok "$name: named in the To header ($to)" grep -q -F "$name" <<<"$to"
	raw_to=$(sed -n '/^To:/{p;:a;n;/^[ \t]/{p;ba};q}' "$f")
	is "$name: the To header's encoded-words are all UTF-8" \
		"$(grep -o -i '=?[^?]*?' <<<"$raw_to" | grep -v -i -x '=?utf-8?')" ""
	subj=$("$MAILCAT" -h Subject "$f")
	ref=$(ref_of "$addr")
	ok "$name: the subject says the outcome ($subj)" grep -q -x -E "Application received: [0-9]+ items missing \[$ref\]" <<<"$subj"
	ok "$name: clerkctl show prints the name" grep -q -F "$name" <(clerkctl show "$ref")
	ok "$name: show --json carries the name" grep -q -F "\"name\" : \"$name\"" <(clerkctl show "$ref" --json)
done
json=$(clerkctl list --json)
for name in "${NAMES[@]}"; do
	ok "list --json has '$name'" grep -q -F "\"name\" : \"$name\"" <<<"$json"
done

# The helper itself: a reply labelled UTF-8 whose bytes are Latin-1 is caught.
printf 'From: a@example.edu\nTo: b@example.org\nSubject: x\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nDear Jos\xe9,\n' >"$T/bad.eml"
ok "mailcat --check refuses Latin-1 labelled UTF-8" sh -c '! MAILCAT_ERRORS= "$1" --check "$2"' - "$MAILCAT" "$T/bad.eml"
ok "and shows it as a mail client would (U+FFFD)" grep -q -F 'Dear Jos�,' <(MAILCAT_ERRORS= "$MAILCAT" "$T/bad.eml" 2>/dev/null)
printf 'From: =?utf-8?q?Jos=E9?= <a@example.edu>\nTo: b@example.org\nSubject: x\n\nhi\n' >"$T/badhdr.eml"
ok "mailcat --check refuses a mislabelled encoded-word" sh -c '! MAILCAT_ERRORS= "$1" --check "$2"' - "$MAILCAT" "$T/badhdr.eml"
done_testing
