/* amend.h: an application changed by its student (DESIGN, "Confirmations"):
 * the whole form sent again from the registered address updates that
 * application (each changed field in its history; choices replaced at once
 * while none of their blocks is drawn, else only once confirmed by token),
 * and a `change` request that lists new "Choice N:" lines, confirmed by
 * token. Everything runs inside the caller's transaction; the one reply is
 * asked for here (amend_form) or by requests.c. */
#ifndef CLERK_AMEND_H
#define CLERK_AMEND_H

#include "ctx.h"
#include "facts.h"
#include "form.h"

/* A form from an address that has an application (its newest, not
 * cancelled, not closed as not-scheduled) and that names no other address
 * in its Email: field: that application is updated (its choices at once only while none of the
 * blocks of its old or new choices is drawn, else after a token), its
 * documents filed, it is judged again and the sender gets one reply saying
 * what changed (after note, when not NULL: which file the form was read
 * from).
 * *handled is FALSE (and nothing done) when the form starts a new
 * application instead. */
gboolean amend_form(struct process_ctx *pc, gint64 ledger_id, const struct facts *f,
    const char *sha256, const Form *form, const struct attachment *carrier, const char *note,
    gboolean *handled, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* A change request (subject "change") whose own text (text: no quoted
 * mail) lists "Choice N: COURSE BLOCK" lines: nothing changes until the
 * student confirms by token (the one reply asks for it), or the reply says
 * why there is nothing to confirm (unreadable lines, the same list). A
 * change of choices still waiting for a token is withdrawn by a newer one.
 * *handled is FALSE (and nothing done) when the text has no choice lines. */
gboolean amend_change_request(struct process_ctx *pc, gint64 ledger_id, gint64 app_id,
    const char *ref, const struct facts *f, const char *sha256, const char *text,
    gboolean *handled, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* A confirmed change of choices (confirmation action "choices", detail as
 * amend_change_request() or amend_form() gave it): the choices are replaced; seats and
 * waitlist places in blocks the new list drops are given up (a freed seat
 * goes to the waitlist). Appends to what, for the student, what changed.
 * The caller judges the application again and replies. */
gboolean amend_choices_confirmed(struct process_ctx *pc, gint64 ledger_id, gint64 app_id,
    const char *detail, GString *what, GError **err) G_GNUC_WARN_UNUSED_RESULT;

#define AMEND_ACTION "choices"

#endif
