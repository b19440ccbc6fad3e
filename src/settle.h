/* settle.h: the top of the domain. One step sequences judging and seating
 * (evaluate, record, place, judge again once if seats changed), with no
 * recursion between files: decide.c judges and never seats, placement.c
 * seats and never judges; what placement asks to tell a student is worded
 * here, after the fact. The entry points (process.c, the daemon's due work,
 * clerkctl's staff commands) call settle_apply() before they commit. */
#ifndef CLERK_SETTLE_H
#define CLERK_SETTLE_H

#include "ctx.h"
#include "dossier.h"

/* Judge an application on today's rules and record it; if it is complete
 * and placement is open, seat it (or put it on the waitlists) and, if its
 * seats changed, judge it once more (a seat makes malpractice proof
 * required). dc says where it stands; it is initialised here and the
 * caller's to clear. */
gboolean settle(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, const char *cause,
    struct decision *dc, gboolean *changed, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* Settle, then put the decision in words (new string, NULL on error). */
char *settle_text(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, const char *cause,
    GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* What is due today: the notices to staff before lotteries
 * (lotterymail_notices_due), lotteries and blocks that started (placement_due),
 * applications held as early whose window opened (judged, and told the
 * decision once), then reminders (reminders_due). Lines for the log go to
 * log. */
gboolean settle_due(struct process_ctx *pc, GString *log, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* Only the offers past their deadline (offers_due), the early
 * applications whose window opened and the notices to staff before
 * lotteries: what `clerkd --once` does before its pass, which draws no
 * lottery. */
gboolean settle_offers_due(struct process_ctx *pc, GString *log, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* Word every placement notice asked for (each applicant judged again, as
 * the seats now stand), then make every effect happen (effects_apply). */
gboolean settle_apply(struct process_ctx *pc, GError **err) G_GNUC_WARN_UNUSED_RESULT;

#endif
