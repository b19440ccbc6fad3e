/* util.h: the few helpers every stage shares: errors, dates, digests, logging. */
#ifndef CLERK_UTIL_H
#define CLERK_UTIL_H

#include <glib.h>

/* One error domain; the code says what the caller may do about it. */
#define CLERK_ERROR (clerk_error_quark())
typedef enum {
	CLERK_ERROR_TEMP,	/* try again later: network, SQLITE_BUSY, SMTP 4xx */
	CLERK_ERROR_FINAL,	/* retrying will not help: SMTP 5xx, bad input */
	CLERK_ERROR_CONFIG,	/* configuration or permissions: exit 78 */
} ClerkErrorCode;
GQuark clerk_error_quark(void);

/* sysexits(3) codes used by the mains. */
#define EXIT_CONFIG 78
#define EXIT_TEMPFAIL 75
#define EXIT_USAGE 64

/* The exit status for an error, the one mapping the mains use (README,
 * "Exit codes"):
 *   NULL                                  0
 *   CLERK_ERROR_TEMP                      EXIT_TEMPFAIL (75): run again later
 *   CLERK_ERROR_CONFIG                    EXIT_CONFIG (78): fix the configuration
 *   CLERK_ERROR_FINAL                     1: retrying will not help
 *   G_OPTION_ERROR (a bad command line)   EXIT_USAGE (64)
 *   any other domain                      1 */
int clerk_exitcode(const GError *err);

/* Today's date as YYYY-MM-DD: CLERKD_NOW if set (tests, demos), else today in
 * the time zone tz (an IANA identifier; NULL for the machine's). */
char *util_today(const char *tz);

/* SHA-256, lower-case hex. Through GnuTLS (nettle), which uses the CPU's SHA
 * instructions where there are any: GLib's GChecksum is several times slower,
 * and every byte of every message and document is hashed. */
typedef struct util_sha256 UtilSha256;
UtilSha256 *util_sha256_new(void);
void util_sha256_update(UtilSha256 *h, const void *data, gsize len);
char *util_sha256_finish(UtilSha256 *h);	/* frees h */
char *util_sha256_hex(const void *data, gsize len);

/* Route g_log output to stderr as "clerkd[pid]: level: message". */
void util_log_init(const char *progname, gboolean verbose);

/* write(2) until all of it is written; FALSE with errno set if it could not be. */
gboolean util_write_all(int fd, const void *data, gsize len);
/* The same with pwrite(2), from offset at. */
gboolean util_pwrite_all(int fd, const void *data, gsize len, goffset at);

/* Read a secret from a file that only its owner may read; NULL and an error otherwise. */
char *util_read_secret(const char *path, GError **err);

/* One process at a time on a store: an exclusive flock(2) on DATABASE.lock
 * (created mode 0600), taken without waiting and held for the life of the
 * process (the descriptor is never closed, and not inherited across exec).
 * The holder writes "PID\nPROGRAM\n" in it. Returns TRUE once held; FALSE
 * with CLERK_ERROR_TEMP when another process holds it (the message names it:
 * "clerkd (pid 1234) is running on this store (PATH)"), and with
 * CLERK_ERROR_CONFIG when the file cannot be opened or locked. */
gboolean util_lock_store(const char *database, const char *prog, GError **err);

/* The index of s in names (n of them), -1 if it is none of them: the parse
 * half of an enum's name table. */
int util_name_index(const char *const *names, gsize n, const char *s);

/* Is word a whole word of s (ASCII, any case): "status" in "Re: Status?", not in "statuses". */
gboolean util_has_word(const char *s, const char *word);

/* Bytes from a cryptographic generator (GnuTLS's key generator: the
 * kernel's getrandom(2) behind a ChaCha DRBG); aborts if there is none.
 * Tokens and lottery seeds come from here, never from GLib's Mersenne
 * Twister, whose state a few hundred outputs give away. */
void util_random_bytes(void *buf, gsize len);

/* A one-time token: len characters from 32 without look-alikes (no I, O, 0, 1). */
char *util_token_new(gsize len);

/* Two tokens equal, compared in time that does not depend on where they
 * differ (a GEqualFunc, for a GHashTable of the words of a reply). */
gboolean util_token_equal(gconstpointer a, gconstpointer b);

/* Trim and lower-case an e-mail address into a new string; NULL if it is not one. */
char *util_addr_normalize(const char *addr);

/* Replace every byte sequence that is not valid UTF-8 and every control character
 * other than \n and \t; caps the result at max bytes (on a character boundary). */
char *util_utf8_clean(const char *s, gssize len, gsize max);

/* A Message-ID fit to write into a header: printable ASCII without spaces or
 * angle brackets, at most 250 bytes. NULL if nothing of it is fit. */
char *util_msgid_clean(const char *id);

/* TRUE if a host (as in a URL: name, IPv4, or [IPv6]) is this machine's
 * loopback: localhost, 127.0.0.0/8 or ::1. Nothing else, however it starts. */
gboolean util_host_is_loopback(const char *host);
/* The host part of scheme://host[:port][/...], new string. */
char *util_url_host(const char *url);

/* One CSV field of RFC 4180 onto out: quoted when it holds a comma, a quote
 * or a line break, and followed by ',' or, for the last of a row, CRLF. A
 * field that starts with = + - @ gets a ' before it, so that a spreadsheet
 * shows it as text instead of running it as a formula. */
void util_csv_field(GString *out, const char *v, gboolean last);

#endif
