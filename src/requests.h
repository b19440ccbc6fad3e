/* requests.h: what a registered applicant asks by mail: cancel (the whole
 * application or one block) or change, confirmed by a one-time token first;
 * other dates, refused with the policy; questions, answered from the live
 * seats or the FAQ, else passed to staff. */
#ifndef CLERK_REQUESTS_H
#define CLERK_REQUESTS_H

#include "ctx.h"
#include "facts.h"

/* A registered applicant's cancel, change, confirmation or question;
 * *handled says whether it was one (and then it is answered). */
gboolean requests_handle(struct process_ctx *pc, gint64 ledger_id, gint64 app_id,
    const char *ref, const struct facts *f, const char *sha256, gboolean *handled, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* An answer to a question in f: free seats of a course named, or the FAQ's;
 * NULL if none (and, on error, err set). */
char *requests_answer(struct process_ctx *pc, const struct facts *f, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* The first block of the rules that text names (YYYY-MM), NULL if none. */
struct rules;
char *requests_block_named(const struct rules *r, const char *text);

#endif
