/* placement.h: who gets a seat in the program's blocks: the lottery
 * (schedule.c) drawn and recorded, rolling placement, waitlists that move on
 * when a seat is freed, and blocks closed when they start. The rows (seats,
 * waitlists, lotteries) are seats.h's; this is the logic over them.
 * Everything runs inside the caller's transaction; mail is queued in the
 * outbox, never sent. */
#ifndef CLERK_PLACEMENT_H
#define CLERK_PLACEMENT_H

#include "ctx.h"

/* Draw the lottery of a block (seed given, or a random one recorded) and
 * describe it in report (seed, draw order, seats, waitlists). With dry_run
 * nothing is written. A block drawn before is refused, unless with the seed
 * it was drawn with: then its stored result is reported again. Each applicant
 * is told once. */
gboolean placement_lottery(struct process_ctx *pc, const char *block, gboolean seeded,
    guint64 seed, gboolean dry_run, GString *report, GError **err);

/* A complete application, where placement is open (rolling policy, or a block
 * whose lottery was drawn): a free seat now, else a place on the waitlists.
 * *status gets the application's status afterwards (new string). */
gboolean placement_place(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, char **status,
    GError **err);

/* Cancel an application: each of its seats is offered to the first on its
 * waitlist (who is asked to accept or decline by a deadline), and its own
 * open offers are withdrawn and passed on. */
gboolean placement_cancel(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, GError **err);

/* Cancel one block of an application (a confirmed partial cancel): its
 * choices, waiting places and open offers there are withdrawn, and its seats
 * there are offered to the first on each waitlist. Its other blocks stay;
 * its status follows what it still holds. */
gboolean placement_cancel_block(struct process_ctx *pc, gint64 app_id, gint64 ledger_id,
    const char *block, GError **err);

/* Move an application to another course of a block where it holds a seat, if
 * one is free (the old seat goes to its waitlist). *done says whether it moved;
 * what says why not, for the student. */
gboolean placement_change(struct process_ctx *pc, gint64 app_id, gint64 ledger_id,
    const char *course, const char *block, gboolean *done, GString *what, GError **err);

/* Free seats of a course in a block (a seat offered and not yet answered is
 * not free); -1 on error. */
int placement_free_seats(struct process_ctx *pc, const char *course, const char *block,
    GError **err);

/* What an application holds in a block, in words ("a seat in MED-401", "a
 * place on the waitlist of SUR-512"), "" if only its choices; NULL on error. */
char *placement_held_in(struct process_ctx *pc, gint64 app_id, const char *block, GError **err);

/* An application's seats and waitlist positions, in words (new string). */
char *placement_describe(struct process_ctx *pc, gint64 app_id, GError **err);

/* What is due today: offers past their deadline (offers_due),
 * lotteries lead_days before their block (lottery policy), blocks that have
 * started (open offers closed; who is still only waitlisted: not-scheduled).
 * Lines for the log go to log. */
gboolean placement_due(struct process_ctx *pc, GString *log, GError **err);

#endif
