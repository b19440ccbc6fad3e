#!/bin/bash
# TLS to IMAP: implicit TLS with a certificate from a test CA is accepted when
# that CA is configured; an untrusted certificate, or one for another host,
# is refused before the password is sent.
. "$top_srcdir/tests/lib.sh"
export CLERKD_NOW=2026-10-20

pki=$(mktemp -d "${TMPDIR:-/tmp}/clerkd-pki.XXXXXX")
chmod 755 "$pki"
trap 'servers_stop; rm -rf "$pki"' EXIT
ossl() { openssl "$@" >/dev/null 2>&1 || bail "openssl $1 failed"; }
ossl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.pem" -days 2 \
	-subj "/CN=clerkd test CA"
cert() {	# cert NAME SAN [selfsigned]
	ossl req -newkey rsa:2048 -nodes -keyout "$pki/$1.key" -out "$pki/$1.csr" -subj "/CN=$1"
	printf 'subjectAltName=%s\n' "$2" >"$pki/$1.ext"
	if [ "${3:-}" = selfsigned ]; then
		ossl x509 -req -in "$pki/$1.csr" -signkey "$pki/$1.key" -out "$pki/$1.pem" -days 2 -extfile "$pki/$1.ext"
	else
		ossl x509 -req -in "$pki/$1.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial \
			-out "$pki/$1.pem" -days 2 -extfile "$pki/$1.ext"
	fi
	chmod 644 "$pki/$1.key"
}
cert good "DNS:localhost,IP:127.0.0.1"
cert rogue "DNS:localhost,IP:127.0.0.1" selfsigned
cert other "DNS:mail.example.org"

TLS_CERT=$pki/good.pem TLS_KEY=$pki/good.key
servers_start
tls_config() {	# tls_config [CA]
	sed -i "s|^url = imap://127.0.0.1:$IMAP_PORT|url = imaps://127.0.0.1:$IMAPS_PORT|; /^ca_file = /d" "$T/clerkd.conf"
	[ -n "${1:-}" ] && sed -i "s|^\[imap\]|[imap]\nca_file = $1|" "$T/clerkd.conf"
	return 0
}
logins() { grep -c 'imap-login: Info: Login:' "$T/dovecot.log"; }

tls_config "$pki/ca.pem"
deliver "$DATA/gmail-pdf.eml"
ok "imaps with the test CA configured: clerkd works" run_clerkd
is "and the message is handled" "$(mailbox_count INBOX)" 0

deliver "$DATA/latin1-plain.eml"
tls_config
before=$(logins)
run_clerkd
is "a certificate from an unknown CA: exit 75" "$?" 75
ok "the log says the certificate is not trusted" grep -q "certificate not trusted" "$T/clerkd.log"
is "no login was attempted" "$(logins)" "$before"

TLS_CERT=$pki/rogue.pem TLS_KEY=$pki/rogue.key
dovecot_restart
tls_config "$pki/ca.pem"
before=$(logins)
run_clerkd
is "a self-signed certificate in place of the real one: exit 75" "$?" 75
is "no login to the impostor" "$(logins)" "$before"

TLS_CERT=$pki/other.pem TLS_KEY=$pki/other.key
dovecot_restart
run_clerkd
is "a trusted certificate for another host: exit 75" "$?" 75
is "no login to the wrong host" "$(logins)" "$before"
is "the message waits in the inbox" "$(mailbox_count INBOX)" 1
done_testing
