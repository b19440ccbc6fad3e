/* offers.h: a freed seat is offered, not imposed (DESIGN, "Confirmations").
 * The first still waiting for it gets an offer with a deadline (offer_days
 * after today, 3 unless policy.ini says otherwise, never past the day before
 * the block starts) and a mail carrying `confirm TOKEN`; a reply carrying
 * the token, or threaded to that mail, accepts; one that says "decline"
 * declines; silence lets it lapse at the deadline. Declined or lapsed, the
 * student leaves that waitlist and the seat is offered to the next. While an
 * offer is open its seat is held: it is not free for anyone else. Offers end
 * when their block starts.
 *
 * Everything runs inside the caller's transaction; mail is asked of
 * effects.h, never sent. The rows are offersdb.h's. */
#ifndef CLERK_OFFERS_H
#define CLERK_OFFERS_H

#include "ctx.h"

/* Free seats of a course in a block: its seats less those taken and those
 * held by an open offer; -1 on error. */
int offers_free_seats(struct process_ctx *pc, const char *course, const char *block,
    GError **err);

/* Each seat free in a course of a block is offered to the first still
 * waiting there (one open offer per student and block), until the block
 * starts. */
gboolean offers_pass_on(struct process_ctx *pc, const char *course, const char *block,
    GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* The open offers of an application (in one block, or all with block NULL)
 * are withdrawn (it, or that block, was cancelled) and passed on. */
gboolean offers_withdraw(struct process_ctx *pc, gint64 app, const char *block, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;

/* A student's answer to an offer (its id is its confirmation's detail):
 * accept takes the seat; otherwise it is declined. An offer past its
 * deadline lapses instead, one whose block started is closed, one already
 * answered or ended stays as it was. what gets the words for the reply,
 * *kind a static outbox kind. */
gboolean offers_answer(struct process_ctx *pc, gint64 app_id, gint64 ledger_id,
    gint64 offer_id, gboolean accept, GString *what, const char **kind, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;

/* Offers not answered by their deadline lapse: each student is told once, and
 * the seat is offered to the next. Lines for the log go to log. */
gboolean offers_due(struct process_ctx *pc, GString *log, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;

/* A block has started: its offers still open are closed (no one is told:
 * the block's closing says where each stands). */
gboolean offers_close_block(struct process_ctx *pc, const char *block, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;

#endif
