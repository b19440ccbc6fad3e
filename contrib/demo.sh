#!/bin/bash
# contrib/demo.sh: clerkd's main job on an embedded default. Starts a throwaway
# Dovecot (IMAP) and an SMTP receiver on loopback, puts the sample mail of
# contrib/samples in the inbox, runs clerkd over it once, and shows what
# happened: the replies as the students read them, and clerkctl list.
set -u
cd "$(dirname "$0")/.."
contrib/setup.sh >/dev/null || { echo "demo: set-up failed (run contrib/setup.sh to see why)"; exit 1; }
make -s tests/mailcat

top_srcdir=$(pwd)
top_builddir=$(pwd)
KEEP_TEST_DIR=1
. tests/lib.sh
export CLERKD_NOW=${CLERKD_NOW:-2026-10-20}

rule() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }

servers_start
deliver contrib/samples/*.eml
rule "Inbox: $(mailbox_count INBOX) messages"
for f in contrib/samples/*.eml; do
	printf '  %-34s from %s\n' "$(basename "$f")" "$("$MAILCAT" -h From "$f" 2>/dev/null)"
done

rule "clerkd --once"
"$CLERKD" --config "$T/clerkd.conf" --once 2>&1 | sed 's/^/  /'
echo "  exit status: ${PIPESTATUS[0]}"

n=0
for f in $(sink_files); do
	n=$((n + 1))
	rule "Reply $n, as the student reads it (decoded by its declared charset, as a mail client would)"
	"$MAILCAT" "$f" || echo "  !! this reply is not valid in the charset it declares: a student would see the marks above"
done
rule "Inbox now: $(mailbox_count INBOX); Processed: $(mailbox_count Processed); replies sent: $(sink_count)"

rule "clerkctl list"
clerkctl list
rule "clerkctl show $(clerkctl list --json | sed -n 's/.*"reference" : "\(.*\)".*/\1/p' | head -1)"
clerkctl show "$(clerkctl list --json | sed -n 's/.*"reference" : "\(.*\)".*/\1/p' | head -1)"

rule "Run it again: nothing is answered twice"
"$CLERKD" --config "$T/clerkd.conf" --once 2>&1 | sed 's/^/  /'
echo "  replies sent in all: $(sink_count)"

# ---- one student's whole conversation, as she reads it ----
# Ana asks first, applies with part of her documents, names a photo that
# clerkd could not recognise and sends the rest, and gets her seat from the
# lottery. Each of her mails is shown, then clerkd's one reply to it.
conversation_step() {	# conversation_step TITLE FILE: deliver, run clerkd, show both sides
	local title=$1 mail=$2 before
	before=$(sink_count)
	deliver "$mail"
	"$CLERKD" --config "$T/clerkd.conf" --once >>"$T/conversation.log" 2>&1
	rule "$title"
	echo "--- Ana writes ---"
	"$MAILCAT" "$mail" | sed -n '/^Subject:/p; /^$/,$p' | grep -v '^%PDF\|^%%EOF\|^% '
	for f in $(sink_files | tail -n +$((before + 1))); do
		echo "--- clerkd replies ---"
		"$MAILCAT" "$f"
	done
}
ANA="Ana Souza <ana.souza@med.example.edu>"
mkmail "$T/ana1.eml" "$ANA" "Clerkship in March 2027" \
	"Hello,\n\nI am a final-year student in Brazil. Can I do a clerkship in March 2027?\n\nAna"
conversation_step "Conversation 1: Ana asks" "$T/ana1.eml"
mkmail "$T/ana2.eml" "$ANA" "Application" \
	"$(form "Ana Souza" "ana.souza@med.example.edu" 'school=Example University School of Medicine' 'c1=MED-401 2027-03' 'c2=SUR-512 2027-03')" \
	"Dean's letter.pdf" "Transcript.pdf" "IMG_3318.jpeg"
conversation_step "Conversation 2: Ana applies" "$T/ana2.eml"
ana=$(clerkctl list --json | tr -d '\n' | grep -o '"reference" : "[^"]*", *"email" : "ana.souza@med.example.edu"' | cut -d'"' -f4)
mkmail "$T/ana3.eml" "$ANA" "Re: my documents [$ana]" \
	"Hello,\n\nIMG_3318.jpeg = tb-igra 2026-10-12\n\nI also send my immunization record, my titers and my insurance card.\n\nAna" \
	"Immunization record.pdf" "Titers.pdf" "Insurance card.jpg"
conversation_step "Conversation 3: Ana names her photo and sends the rest" "$T/ana3.eml"
clerkctl schedule 2027-03 --seed 1 >>"$T/conversation.log" 2>&1
before=$(sink_count)
"$CLERKD" --config "$T/clerkd.conf" --once >>"$T/conversation.log" 2>&1
rule "Conversation 4: the lottery for block 2027-03 is drawn"
for f in $(sink_files | tail -n +$((before + 1))); do
	"$MAILCAT" -h To "$f" | grep -q ana.souza || continue
	echo "--- clerkd writes ---"
	"$MAILCAT" "$f"
done
mkmail "$T/ana5.eml" "$ANA" "status [$ana]" "Hello, what is the status of my application?"
conversation_step "Conversation 5: Ana asks for her status" "$T/ana5.eml"

echo
echo "The demo's config, database and documents are in $T"
echo "(clerkctl --config $T/clerkd.conf list); the servers stop now."
