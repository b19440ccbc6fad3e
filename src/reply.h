/* reply.h: replies as RFC 5322 messages (GMime), and their texts from templates. */
#ifndef CLERK_REPLY_H
#define CLERK_REPLY_H

#include <glib.h>

struct reply_attachment {
	const char *filename;		/* as the document was sent; cleaned here */
	const char *content_type;	/* "type/subtype" */
	GBytes *data;
	gboolean keep;			/* a file clerkd made (letter, .ics): kept as sent */
};

struct reply {
	const char *from;		/* "Program <addr>" */
	const char *to_addr;
	const char *to_name;		/* may be NULL */
	const char *subject;
	const char *in_reply_to;	/* Message-ID replied to, no brackets; may be NULL */
	const char *references;		/* that message's References header; may be NULL */
	const char *message_id;		/* no brackets */
	const char *body;		/* UTF-8 text */
	const char *html;		/* an HTML alternative to body (multipart/alternative), or NULL */
	GPtrArray *attachments;		/* struct reply_attachment *, or NULL */
};

/* The whole message, CRLF line endings, ready for SMTP. */
GBytes *reply_build(const struct reply *r);

/* A Message-ID derived from the incoming message's identity, so that a resend
 * after a crash carries the same one: "clerkd.<hex>@domain". */
char *reply_message_id(const char *in_message_id, const char *in_sha256, const char *kind,
    const char *from_addr);

/* "Re: <original subject> [ECP-2027-00042]", without piling up prefixes;
 * "<fallback> [ECP-2027-00042]" when original is NULL or empty. */
char *reply_subject(const char *original, const char *reference, const char *fallback);

/* Render a template's text, replacing {{var}} from vars (char* -> char*); name
 * is for errors. An unknown variable is an error, so a typo in a template is
 * caught by its test. */
char *reply_render(const char *name, const char *text, GHashTable *vars, GError **err);

#endif
