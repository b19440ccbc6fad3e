/* forward.h: a forwarded message inside a text body (Gmail, Outlook, Apple
 * Mail), or the headers of an attached one (message.c). Pure. */
#ifndef CLERK_FORWARD_H
#define CLERK_FORWARD_H

#include <glib.h>

#define FORWARD_MAX_VALUE 512		/* a header value, and any line looked at */
#define FORWARD_MAX_NOTE (64 * 1024)	/* the forwarder's own note */

struct forward {
	char *from_addr;	/* normalized (util_addr_normalize), NULL if none */
	char *from_name;	/* NULL if none */
	char *subject;		/* NULL if none */
	char *date;		/* as written (Date:, Sent:), NULL if none */
	char *note;		/* the text above the forward marker: the forwarder's own note; never NULL */
};

/* The first forward block in text: a marker line ("---------- Forwarded
 * message ---------", "-----Original Message-----", 32 underscores, "Begin
 * forwarded message:", and a few localized ones) followed by header lines of
 * which one is From:. NULL if the text holds none. Every value is UTF-8,
 * one line, at most FORWARD_MAX_VALUE bytes. */
struct forward *forward_find(const char *text);

/* Split a From value ("Name <addr>", "\"Name\" <addr>", "addr", "Name
 * [mailto:addr]", "Name <mailto:addr>") into fw->from_addr and fw->from_name. */
void forward_set_from(struct forward *fw, const char *value);

void forward_free(struct forward *fw);
typedef struct forward Forward;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Forward, forward_free)

#endif
