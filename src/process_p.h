/* process_p.h: what the handlers of one message share (process.c, staff.c).
 * Private to them. */
#ifndef CLERK_PROCESS_P_H
#define CLERK_PROCESS_P_H

#include "facts.h"
#include "process.h"

/* One mail to queue: a reply, or a notice to someone else. */
struct mail_out {
	const char *kind;		/* receipt, status, staff-notice, ... */
	const char *template;
	const char *to_addr, *to_name;
	const char *subject;		/* the subject replied to, NULL for a fresh one */
	const char *fallback_subject;
	const char *reference;
	const char *in_reply_to, *references;	/* threading; NULL for a fresh thread */
	/* The identity its Message-ID derives from, so that a resend repeats it. */
	const char *seed_msgid, *seed_sha256;
	GPtrArray *attachments;		/* struct reply_attachment *, or NULL */
};

/* Render and queue (held by the loop guard if that address had too many). */
gboolean process_queue(struct process_ctx *pc, gint64 ledger_id, gint64 app_id,
    const struct mail_out *m, GHashTable *vars, GError **err);
/* The one reply to the sender of f. */
gboolean process_reply(struct process_ctx *pc, gint64 ledger_id, gint64 app_id,
    const struct facts *f, const char *sha256, const char *kind, const char *reference,
    const char *template, GHashTable *vars, GError **err);
/* A notice to an applicant, not a reply: what happened, and where the
 * application stands now (decision, in words). The template (also the
 * outbox kind) takes name, reference, what and decision. Nothing is queued
 * for an application without an address. */
struct dossier;
gboolean process_notify_applicant(struct process_ctx *pc, gint64 ledger_id,
    const struct dossier *d, const char *template, const char *subject, const char *what,
    const char *decision, const char *seed_msgid, const char *seed_sha256, GError **err);
/* A notice to every staff address (not a reply: it does not count as one). */
gboolean process_notify_staff(struct process_ctx *pc, gint64 ledger_id, gint64 app_id,
    const struct facts *f, const char *sha256, const char *reference, const char *what,
    const char *details, GError **err);

/* The existing application whose reference text quotes first: its id (0 if
 * none, -1 on error), reference and address (email may be NULL). */
gint64 process_reference_in(struct process_ctx *pc, const char *text, char **ref, char **email,
    GError **err);

/* An existing application whose reference the subject, a forwarded subject
 * or the body quotes: its id (0 if none, -1 on error), reference and address. */
gint64 process_quoted_application(struct process_ctx *pc, const struct facts *f, char **ref,
    char **email, GError **err);

/* requests.c: a registered applicant's cancel, change, confirmation or
 * question; *handled says whether it was one (and then it is answered). */
gboolean requests_handle(struct process_ctx *pc, gint64 ledger_id, gint64 app_id,
    const char *ref, const struct facts *f, const char *sha256, gboolean *handled, GError **err);
/* An answer to a question in f: free seats of a course named, or the FAQ's;
 * NULL if none (and, on error, err set). */
char *requests_answer(struct process_ctx *pc, const struct facts *f, GError **err);

/* The first block of the rules that text names (YYYY-MM), NULL if none. */
struct rules;
char *requests_block_named(const struct rules *r, const char *text);

/* staff.c: mail from an address on the staff list. */
gboolean staff_handle(struct process_ctx *pc, gint64 ledger_id, const struct facts *f,
    const char *sha256, GError **err);

#endif
