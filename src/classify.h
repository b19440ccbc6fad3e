/* classify.h: what kind of message this is. Pure: reads facts, no I/O. */
#ifndef CLERK_CLASSIFY_H
#define CLERK_CLASSIFY_H

#include "facts.h"

typedef enum {
	CLASS_APPLICATION,	/* carries the form */
	CLASS_CORRESPONDENCE,	/* from a human, no form */
	CLASS_AUTOMATIC,	/* must never be answered */
	CLASS_FORGED,		/* the trusted server says the sender is forged: never
				 * answered, changes nothing (set by process.c) */
} MsgClass;

const char *classify_str(MsgClass c);

/* Decide the class. own_addr is the program's address; has_form says whether
 * the text or a text attachment carries the form. *why names the rule that
 * decided (a static string, for the ledger and logs). */
MsgClass classify(const struct facts *f, const char *own_addr, gboolean has_form,
    const char **why);

/* TRUE if mail of this kind must not be answered: the automatic-mail rules alone. */
gboolean classify_is_automatic(const struct facts *f, const char *own_addr, const char **why);

/* TRUE if f asks for the acceptance letter: "letter" (or "letters") in the
 * subject ("Letter", "Acceptance letter", "Request letter", "Can I have my
 * letter?"), no attachments, and no other kind of letter named (a letter of
 * recommendation or motivation, a cover or reference letter is a document
 * the student sends, not one asked for); a reply to our own letter mail
 * ("Re: Your acceptance letter") is not a new request. */
gboolean classify_letter_request(const struct facts *f);

#endif
