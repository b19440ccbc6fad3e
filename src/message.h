/* message.h: a raw RFC 5322 message in, plain facts out (GMime). */
#ifndef CLERK_MESSAGE_H
#define CLERK_MESSAGE_H

#include "facts.h"

#define MESSAGE_MAX_TEXT (1024 * 1024)
#define MESSAGE_MAX_ATTACHMENTS 64

/* Call once before message_parse. */
void message_init(void);

/* Parse; NULL with a CLERK_ERROR_FINAL error if it is not a message at all. */
struct facts *message_parse(const char *data, gsize len, GError **err);
/* The same from bytes read in place, not copied (raw must outlive the call and
 * is not changed), with every attachment decoded into a file of its own in
 * spool_dir. */
struct facts *message_parse_array(GByteArray *raw, const char *spool_dir, GError **err);
/* The same from a file (a large message spooled to disk): the message is read
 * from the file as needed, never held whole, and every attachment is decoded
 * into a file of its own in spool_dir. */
struct facts *message_parse_fd(int fd, const char *spool_dir, GError **err);

/* What the raw bytes say beside their MIME structure, fed in pieces as they
 * arrive: size, header length, longest line, SHA-256. */
struct rawscan {
	gsize size;
	gsize header_len;	/* up to the blank line; all of it if none */
	gsize longest_line;
	/* private */
	gsize line;
	char first;		/* first byte of the current line */
	gboolean header_done;
	struct util_sha256 *sha;
};
void rawscan_init(struct rawscan *rs);
void rawscan_feed(struct rawscan *rs, const char *data, gsize len);
/* The SHA-256 in hex (caller frees); the scan is finished. */
char *rawscan_finish(struct rawscan *rs);

#endif
