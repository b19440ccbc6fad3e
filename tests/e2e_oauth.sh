#!/bin/bash
# OAuth2: clerkd logs in to IMAP with SASL XOAUTH2 and sends through Dovecot's
# submission service (relaying to smtp-sink) with XOAUTH2 too, both checked by
# Dovecot's oauth2 passdb against tests/token_server's introspection endpoint.
# A short-lived token is renewed before it expires while the daemon works; a
# wrong client secret or a revoked refresh token fails clearly, without a
# secret in any log; configuration mistakes are refused with their line.
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20
TOKEN_SERVER="$top_builddir/tests/token_server"
EXPIRES=4

token_start() {
	OAUTH_SECRET=cs-$RANDOM$RANDOM$RANDOM
	printf '%s\n' "$OAUTH_SECRET" >"$T/oauth.secret"
	chmod 600 "$T/oauth.secret"
	REFRESH=rt-seed-$RANDOM$RANDOM
	printf '%s\n' "$REFRESH" >"$T/refresh.token"
	chmod 600 "$T/refresh.token"
	"$TOKEN_SERVER" --port-file "$T/token.port" --log "$T/token.log" --client-id clerkd-test \
		--secret-file "$T/oauth.secret" --refresh-file "$T/refresh.token" --user clerk \
		--expires "$EXPIRES" --parent $$ --lifetime 600 >>"$T/token.out" 2>&1 &
	TOKEN_PID=$!
	for _ in $(seq 1 100); do [ -s "$T/token.port" ] && break; sleep 0.05; done
	TOKEN_PORT=$(cat "$T/token.port" 2>/dev/null)
	[ -n "$TOKEN_PORT" ] || { cat "$T/token.out"; bail "token server did not start"; }
}
token_stop() {
	[ -n "${TOKEN_PID:-}" ] && kill "$TOKEN_PID" 2>/dev/null && wait "$TOKEN_PID" 2>/dev/null
	TOKEN_PID=
}
tokens_issued() { grep -c -- '-> 200 token#' "$T/token.log"; }

# lib.sh's Dovecot, with an oauth2 passdb and the submission service.
dovecot_config() {
	[ -n "${TOKEN_PID:-}" ] || token_start
	SUB_PORT=$(pick_port) || bail "no free port"
	RELAY_PORT=$SMTP_PORT
	cat >"$T/oauth2.conf.ext" <<EOC
tokeninfo_url =
introspection_url = http://127.0.0.1:$TOKEN_PORT/introspect
introspection_mode = post
username_attribute = username
active_attribute = active
active_value = true
timeout_msecs = 5000
EOC
	cat >"$T/dovecot.conf" <<EOC
base_dir = $T/run
state_dir = $T/state
log_path = $T/dovecot.log
protocols = imap submission
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = xoauth2 oauthbearer
auth_username_format = %Ln
auth_verbose = yes
default_login_user = $MAIL_USER
default_internal_user = $MAIL_USER
default_internal_group = $MAIL_GROUP
mail_location = maildir:$T/mail/%u
hostname = submission.clerkd-test.example
submission_relay_host = 127.0.0.1
submission_relay_port = $RELAY_PORT
passdb {
  driver = oauth2
  args = $T/oauth2.conf.ext
}
userdb {
  driver = static
  args = uid=$MAIL_USER gid=$MAIL_GROUP home=$T/mail/%u allow_all_users=yes
}
service imap-login {
  chroot =
  inet_listener imap {
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service submission-login {
  chroot =
  inet_listener submission {
    port = $SUB_PORT
  }
}
service anvil {
  chroot =
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
auth_failure_delay = 0
EOC
}

write_config() {
	cat >"$T/clerkd.conf" <<EOC
# written by tests/e2e_oauth.sh
[imap]
url = imap://127.0.0.1:$IMAP_PORT
user = clerk
auth = xoauth2
mailbox = INBOX

[smtp]
url = smtp://127.0.0.1:$SUB_PORT
user = clerk
auth = xoauth2
from = Exchange Clerkship Program <clerkship@example.edu>

[oauth2]
provider = custom
token_url = http://127.0.0.1:$TOKEN_PORT/token
grant = client_credentials
client_id = clerkd-test
client_secret_file = oauth.secret
scope = mail
renew_before = 2

[store]
database = store/clerkd.db
documents = store/documents

[rules]
directory = $top_srcdir/rules

[staff]
addresses = registrar@example.edu

[digest]
hour = off
EOC
}

servers_start
trap 'token_stop; servers_stop' EXIT
# smtp-sink may have moved to another port after Dovecot was configured.
[ "$RELAY_PORT" = "$SMTP_PORT" ] || { dovecot_restart; write_config; }
wait_port "$SUB_PORT" || bail "no submission service (is dovecot-submissiond installed?)"
[ -x /usr/lib/dovecot/submission ] || bail "dovecot-submissiond is not installed"

wait_for() {	# wait_for SECONDS COMMAND...
	local n=$(($1 * 10)); shift
	while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done
	return 1
}
replies() { [ "$(sink_count)" -ge "$1" ]; }
no_secret_in() {	# no_secret_in FILE...: neither secret, nor any token, nor the refresh token
	! cat "$@" 2>/dev/null | grep -q -F -e "$OAUTH_SECRET" -e "$REFRESH" -e "wrong-$OAUTH_SECRET" -e 'tok-' -e 'rt-'
}

ok "the configuration passes --check-config" "$CLERKD" --config "$T/clerkd.conf" --check-config

# ---- one pass: IMAP and SMTP, both with XOAUTH2 ----
deliver "$DATA/gmail-pdf.eml"
run_clerkd
is "clerkd --once with XOAUTH2: exit 0" "$?" 0
is "the message is handled and moved" "$(mailbox_count INBOX)/$(mailbox_count Processed)" 0/1
ok "Dovecot logged the IMAP login with XOAUTH2" grep -q "imap-login: Info: Login: user=<clerk>, method=XOAUTH2" "$T/dovecot.log"
ok "the token was checked at the introspection endpoint" grep -q "POST /introspect token#1 -> active" "$T/token.log"
ok "the token came from a client_credentials request" grep -q "POST /token grant=client_credentials client_id=clerkd-test scope=mail -> 200 token#1" "$T/token.log"
is "the reply arrived at smtp-sink" "$(sink_count)" 1
ok "through submission, logged in with XOAUTH2" grep -q "submission-login: Info: Login: user=<clerk>, method=XOAUTH2" "$T/dovecot.log"
ok "  (relayed by Dovecot: its Received header)" grep -q "by submission.clerkd-test.example" "$(sink_files | tail -1)"
ok "the reply is the one to the applicant" grep -q -i "^To:.*@" "$(sink_files | tail -1)"
ok "clerkd logged where its token came from, not the token" grep -q "OAuth2: access token obtained from 127.0.0.1, valid $EXPIRES s" "$T/clerkd.log"

# ---- the daemon: a 4 s token, renewed 2 s ahead, while mail keeps coming ----
sed -i 's/^mailbox = INBOX$/mailbox = INBOX\npoll_seconds = 1\nidle = yes/' "$T/clerkd.conf"
before=$(tokens_issued)
"$CLERKD" --config "$T/clerkd.conf" >>"$T/daemon.log" 2>&1 &
pid=$!
deliver "$DATA/encoded-words.eml"
ok "the daemon answers a message (IMAP and SMTP with XOAUTH2)" wait_for 10 replies 2
ok "the token server sees a second token request from the daemon (a renewal)" \
	wait_for 10 bash -c "[ \$(grep -c -- '-> 200 token#' '$T/token.log') -ge $((before + 2)) ]"
renewed=$(tokens_issued)
deliver "$DATA/latin1-plain.eml"
ok "a message delivered after the renewal is answered" wait_for 10 replies 3
ok "the daemon is still running" kill -0 "$pid"
sleep $((EXPIRES + 1))
ok "and keeps renewing (tokens issued: $renewed, then more)" test "$(tokens_issued)" -gt "$renewed"
deliver "$DATA/outlook-signature.eml"
ok "and answering, several token lifetimes on" wait_for 10 replies 4
kill -TERM "$pid"
wait "$pid"
is "SIGTERM stops it: exit 0" "$?" 0
is "no expired token was ever presented to Dovecot" "$(grep -c 'expired -> inactive' "$T/token.log")" 0
is "no pass was interrupted" "$(grep -c 'pass interrupted' "$T/daemon.log")" 0
is "no renewal failed" "$(grep -c 'renewal failed' "$T/daemon.log")" 0
is "every message handled" "$(mailbox_count INBOX)" 0
cat "$T/daemon.log" >>"$T/clerkd.log"

# ---- the token endpoint down (503) while the daemon runs ----
token_mode() {	# token_mode STATUS: what POST /token answers from now on
	exec 3<>"/dev/tcp/127.0.0.1/$TOKEN_PORT" || return 1
	printf 'GET /mode?status=%s HTTP/1.0\r\n\r\n' "$1" >&3
	cat <&3 >/dev/null
	exec 3<&-
}
: >"$T/daemon.log"
"$CLERKD" --config "$T/clerkd.conf" >>"$T/daemon.log" 2>&1 &
pid=$!
ok "the daemon gets its token" wait_for 5 grep -q "access token obtained" "$T/daemon.log"
token_mode 503
ok "a renewal that fails while the token is valid: a warning, the current token used" \
	wait_for 5 grep -q "warning: OAuth2 token renewal failed; the current token is still used ([0-9]* s left): OAuth2 token request to 127.0.0.1 refused (HTTP 503): temporarily_unavailable" "$T/daemon.log"
ok "once it has expired, the warning says so" \
	wait_for 8 grep -q "warning: OAuth2 token renewal failed and the token has expired" "$T/daemon.log"
n=$(sink_count)
deliver "$DATA/ooo-exchange.eml" "$DATA/form-attached.eml"
sleep 1
is "meanwhile nothing is lost: the mail waits in the inbox" "$(mailbox_count INBOX)" 2
token_mode 200
ok "the endpoint back: the daemon recovers and answers" wait_for 25 replies $((n + 1))
ok "  every message handled" wait_for 5 test "$(mailbox_count INBOX)" = 0
ok "the daemon never stopped" kill -0 "$pid"
kill -TERM "$pid"
wait "$pid"
is "SIGTERM stops it: exit 0" "$?" 0
ok "no secret or token in its log" no_secret_in "$T/daemon.log"
cat "$T/daemon.log" >>"$T/clerkd.log"

# ---- a refresh token: used, rotated, kept in memory; the old one refused ----
sed -i 's/^grant = client_credentials$/grant = refresh_token\nrefresh_token_file = refresh.token/' "$T/clerkd.conf"
n=$(sink_count)
deliver "$DATA/outlook-html-cp1252.eml"
run_clerkd
is "grant = refresh_token: exit 0" "$?" 0
ok "the token server saw the refresh token, and rotated it" grep -q "POST /token grant=refresh_token client_id=clerkd-test scope=mail -> 200 token#[0-9]* expires_in=$EXPIRES rotated" "$T/token.log"
ok "clerkd kept the new refresh token (in memory only)" grep -q "issued a new refresh token (kept in memory)" "$T/clerkd.log"
is "the reply went out" "$(sink_count)" $((n + 1))
deliver "$DATA/first-contact.eml"
: >"$T/once.log"
"$CLERKD" --config "$T/clerkd.conf" --once >>"$T/once.log" 2>&1
is "the rotated-away refresh token, next run: exit 75" "$?" 75
ok "the log names the OAuth2 error and its description" grep -q "OAuth2 token request to 127.0.0.1 refused (HTTP 400): invalid_grant: The refresh token has expired or was revoked" "$T/once.log"
cat "$T/once.log" >>"$T/clerkd.log"
sed -i '/^refresh_token_file = /d; s/^grant = refresh_token$/grant = client_credentials/' "$T/clerkd.conf"
run_clerkd
is "back on client credentials: the waiting message is answered" "$(mailbox_count INBOX)/$(sink_count)" 0/$((n + 2))

# ---- a wrong client secret ----
printf 'wrong-%s\n' "$OAUTH_SECRET" >"$T/wrong.secret"
chmod 600 "$T/wrong.secret"
sed -i 's/^client_secret_file = oauth.secret$/client_secret_file = wrong.secret/' "$T/clerkd.conf"
deliver "$DATA/phone-photo.eml"
: >"$T/once.log"
"$CLERKD" --config "$T/clerkd.conf" --once >>"$T/once.log" 2>&1
rc=$?
is "a wrong client secret: exit 75 (no crash; run again once fixed)" "$rc" 75
ok "the log line names the OAuth2 error" grep -q "IMAP login as clerk at 127.0.0.1: OAuth2 token request to 127.0.0.1 refused (HTTP 401): invalid_client: AADSTS7000215: Invalid client secret provided" "$T/once.log"
is "the message waits in the inbox" "$(mailbox_count INBOX)" 1
ok "no secret, refresh token or access token in clerkd's logs" no_secret_in "$T/clerkd.log" "$T/once.log"
ok "nor in Dovecot's" no_secret_in "$T/dovecot.log"
ok "nor in the token server's" no_secret_in "$T/token.log"
ok "nor even with --verbose" bash -c "'$CLERKD' --config '$T/clerkd.conf' --once --verbose >'$T/verbose.log' 2>&1; grep -q invalid_client '$T/verbose.log' && ! grep -q -F -e 'wrong-$OAUTH_SECRET' -e '$OAUTH_SECRET' -e tok- '$T/verbose.log'"
cat "$T/once.log" >>"$T/clerkd.log"

# ---- a token reply over 64 KB ----
sed -i 's/^client_secret_file = wrong.secret$/client_secret_file = oauth.secret/' "$T/clerkd.conf"
token_mode '200&big=1'
: >"$T/once.log"
"$CLERKD" --config "$T/clerkd.conf" --once >>"$T/once.log" 2>&1
is "a token reply of 100 KB: refused, exit 75" "$?" 75
ok "the log says it was over 64 KB" grep -q "OAuth2 token request to 127.0.0.1 failed: reply over 64 KB" "$T/once.log"
token_mode 200
cat "$T/once.log" >>"$T/clerkd.log"

# ---- the token endpoint unreachable ----
token_stop
sed -i 's/^client_secret_file = wrong.secret$/client_secret_file = oauth.secret/' "$T/clerkd.conf"
: >"$T/once.log"
"$CLERKD" --config "$T/clerkd.conf" --once >>"$T/once.log" 2>&1
is "the token endpoint unreachable: exit 75" "$?" 75
ok "the log says the token request failed, and why" grep -q "OAuth2 token request to 127.0.0.1 failed: .*onnect" "$T/once.log"
is "the message still waits" "$(mailbox_count INBOX)" 1
cat "$T/once.log" >>"$T/clerkd.log"

# ---- configuration mistakes: exit 78 with the line ----
conf78() {	# conf78 DESCRIPTION PATTERN SED-SCRIPT
	cp "$T/clerkd.conf" "$T/bad.conf"
	sed -i "$3" "$T/bad.conf"
	"$CLERKD" --config "$T/bad.conf" --once >"$T/bad.log" 2>&1
	is "$1: exit 78" "$?" 78
	ok "  with FILE:LINE: and what is wrong" grep -q "bad.conf:[1-9][0-9]*: $2" "$T/bad.log"
	ok "  no secret in the message" no_secret_in "$T/bad.log"
}
chmod 644 "$T/oauth.secret"
conf78 "a client secret file others can read" ".*oauth.secret: mode 644" 's/^client_secret_file = .*/client_secret_file = oauth.secret/'
chmod 600 "$T/oauth.secret"
conf78 "token_url over http:// to another host" "token_url 'http://oauth.example.org/token': http:// only to a loopback" 's|^token_url = .*|token_url = http://oauth.example.org/token|'
conf78 "provider = custom without token_url" "provider = custom needs token_url" '/^token_url = /d'
conf78 "provider = microsoft without tenant" "provider = microsoft needs tenant" '/^token_url = /d; s/^provider = custom/provider = microsoft/'
conf78 "an unknown key in [oauth2]" "unknown key 'client_secret' in \[oauth2\]" 's/^scope = mail$/scope = mail\nclient_secret = hunter2/'
conf78 "auth = xoauth2 in [smtp] without user" "auth = xoauth2 needs user" '/^\[smtp\]$/,/^\[oauth2\]$/{/^user = clerk$/d}'
conf78 "a bad auth value" "invalid value 'oauth' for 'auth'" '0,/^auth = xoauth2$/s//auth = oauth/'
conf78 "xoauth2 without [oauth2]" "auth = xoauth2 needs an \[oauth2\] group" '/^\[oauth2\]$/,/^renew_before/d'
CLERKD_OAUTH2_SECRET=$OAUTH_SECRET ok "the secret may come from CLERKD_OAUTH2_SECRET" \
	bash -c "sed '/^client_secret_file = /d' '$T/clerkd.conf' >'$T/env.conf' && '$CLERKD' --config '$T/env.conf' --check-config"
done_testing
