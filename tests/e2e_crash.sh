#!/bin/bash
# Crash safety: clerkd is killed with SIGKILL again and again while it works
# through a mailbox of applications (at moments chosen from its progress, after
# k messages moved or k replies sent, and from time), restarted each time, and
# then everything must be as if it had never crashed: every message recorded
# once, every application created once, every applicant answered, a resend
# only ever repeating the same Message-ID, at most one resend per crash, and
# the inbox empty.
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20
N=${CRASH_MESSAGES:-150}
ROUNDS=${CRASH_ROUNDS:-30}

servers_start
sed -i 's/^mailbox = INBOX$/mailbox = INBOX\nbatch_size = 4/' "$T/clerkd.conf"
mkdir -p "$T/in"
make_mail() {	# make_mail FROM TO: applications FROM..TO into $T/in
	local i
	rm -f "$T"/in/*.eml
	for i in $(seq "$1" "$2"); do
	cat >"$T/in/$i.eml" <<EOM
From: Student $i <student$i@med$((i % 7)).example.org>
To: clerkship@example.edu
Subject: Application $i
Message-ID: <crash-$i@med.example.org>
Date: Mon, 19 Oct 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b$i"

--b$i
Content-Type: text/plain; charset=utf-8

Full name: Student Number $i
Medical school: Example University School of Medicine
Year of study: final
Choice 1: MED-401 2027-03

--b$i
Content-Type: application/pdf; name="letter-$i.pdf"
Content-Disposition: attachment; filename="letter-$i.pdf"
Content-Transfer-Encoding: base64

$(head -c 3000 /dev/urandom | base64)
--b$i--
EOM
done
}
make_mail 1 "$N"
deliver "$T"/in/*.eml
is "all applications delivered" "$(mailbox_count INBOX)" "$N"

kills=0
stages=""
# Until ROUNDS kills have landed: on a fast machine the backlog may drain
# first, so more mail arrives then (as it would).
for round in $(seq 1 $((ROUNDS * 3))); do
	[ "$kills" -ge "$ROUNDS" ] && break
	if [ "$(mailbox_count INBOX)" -eq 0 ]; then
		make_mail $((N + 1)) $((N + 50))
		N=$((N + 50))
		deliver "$T"/in/*.eml
	fi
	moved0=$(mailbox_count Processed)
	sent0=$(sink_count)
	"$CLERKD" --config "$T/clerkd.conf" --once >>"$T/clerkd.log" 2>&1 &
	pid=$!
	case $((round % 3)) in
	0)	# from time: anywhere from start-up through fetch and parse
		sleep "0.0$((RANDOM % 10))$((RANDOM % 10))"
		stage=time ;;
	1)	# after k more messages moved
		k=$((1 + RANDOM % 6))
		while kill -0 "$pid" 2>/dev/null && [ "$(mailbox_count Processed)" -lt $((moved0 + k)) ]; do
			sleep 0.005
		done
		stage=moved ;;
	2)	# after k more replies sent
		k=$((1 + RANDOM % 4))
		while kill -0 "$pid" 2>/dev/null && [ "$(sink_count)" -lt $((sent0 + k)) ]; do
			sleep 0.005
		done
		stage=sent ;;
	esac
	if kill -KILL "$pid" 2>/dev/null; then
		kills=$((kills + 1))
		stages="$stages $stage"
	fi
	wait "$pid" 2>/dev/null
done
echo "# $kills kills:$stages"
ok "at least 20 kills landed ($kills)" test "$kills" -ge 20
ok "the run after the crashes exits 0" run_clerkd
ok "and a second one too" run_clerkd

db="$T/store/clerkd.db"
is "inbox empty" "$(mailbox_count INBOX)" 0
is "every message in Processed" "$(mailbox_count Processed)" "$N"
is "every message recorded exactly once" "$(sqlite3 "$db" "SELECT count(*) FROM ledger")" "$N"
is "every message handled" "$(sqlite3 "$db" "SELECT count(*) FROM ledger WHERE state = 'moved'")" "$N"
is "every application created once" "$(sqlite3 "$db" "SELECT count(DISTINCT email) || '/' || count(*) FROM applications")" "$N/$N"
is "one reply queued per message, all sent" "$(sqlite3 "$db" "SELECT count(*) FROM outbox WHERE state = 'sent'")" "$N"

# What the SMTP receiver got: every applicant, and resends only of the same message.
for f in $(sink_files); do
	printf '%s %s\n' "$("$MAILCAT" -h In-Reply-To "$f")" "$("$MAILCAT" -h Message-ID "$f")"
done | sort >"$T/received"
is "every applicant answered" "$(cut -d' ' -f1 "$T/received" | sort -u | wc -l)" "$N"
is "never two different replies to one message" \
	"$(sort -u "$T/received" | cut -d' ' -f1 | uniq -d | wc -l)" 0
resends=$(($(wc -l <"$T/received") - N))
echo "# $resends resends after $kills kills"
ok "at most one resend per crash ($resends <= $kills)" test "$resends" -le "$kills"
is "the ledger, the outbox and the applications agree" \
	"$(sqlite3 "$db" "SELECT count(*) FROM ledger l JOIN applications a ON a.id = l.application_id JOIN outbox o ON o.ledger_id = l.id")" "$N"
done_testing
