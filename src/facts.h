/* facts.h: what a message says, as plain data. Filled by message.c (GMime);
 * read by classify.c and process.c, which need no MIME library. */
#ifndef CLERK_FACTS_H
#define CLERK_FACTS_H

#include <glib.h>

#include "forward.h"

struct attachment {
	char *filename;		/* decoded UTF-8 as sent, NULL if none; never a path */
	char *content_type;	/* lower-case "type/subtype" */
	gsize size;		/* decoded size */
	char *sha256;		/* hex digest of the decoded bytes */
	GBytes *data;		/* decoded bytes; NULL if spooled to path */
	char *path;		/* a spool file holding them; removed when the facts
				 * are freed unless taken (docstore) */
	gboolean encrypted_pdf;	/* the bytes are a PDF naming an /Encrypt dictionary */
};

struct facts {
	char *message_id;	/* without angle brackets; NULL if missing */
	char *from_addr;	/* normalized; NULL if unusable */
	char *from_name;	/* decoded display name, UTF-8; NULL if none */
	char *subject;		/* decoded, UTF-8, never NULL */
	char *in_reply_to;	/* without angle brackets */
	char *references;	/* as sent, unfolded */
	char *text;		/* the body as UTF-8 text, never NULL */
	gboolean text_from_html;
	GPtrArray *attachments;	/* struct attachment *, documents only */
	guint attachments_total;	/* documents seen, also those past the cap */

	/* Signals of automatic mail (RFC 3834 and common practice). */
	char *auto_submitted;
	char *return_path;
	char *precedence;
	gboolean list_headers;
	gboolean auto_response_suppress;
	gboolean autoreply_header;	/* X-Autoreply, X-Autorespond */
	gboolean delivery_report;	/* multipart/report or message/delivery-status */

	/* For the staff check (authres.c) and staff forwards. */
	char **auth_results;	/* Authentication-Results values, raw (never RFC 2047
				 * decoded) and unfolded, topmost first, NULL-terminated;
				 * never NULL (empty vector) */
	gboolean auth_results_unusable;	/* one was over 4 KB, or there were over 16: then
					 * none of them proves anything */
	const char *from_doubt;	/* static text: why From does not name one person for
				 * certain (several, hidden in an encoded-word, not the
				 * Sender); NULL if it does */
	struct forward *forward;	/* NULL unless the message forwards another: inline
					 * (forward_find on the text) or attached as message/rfc822 */
};

void facts_free(struct facts *f);
typedef struct facts Facts;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Facts, facts_free)

#endif
