/* lotterymail.h: what staff and coordinators are told about a block's
 * lottery, without asking. Before it (lottery_notice_days, policy.ini): one
 * notice to staff per block, of what will be drawn and of the documents of
 * complete applications that no one on the staff has checked yet. After it:
 * a summary to staff (the seed, who was placed, waitlisted, not placed) and
 * to each course's coordinator (rules/coordinators.csv) the roster of their
 * course in the block, as a short table and a CSV attachment. Mail is asked
 * for as effects (effects.h), inside the caller's transaction, so it is
 * queued once with the lottery and never again. Nothing under rolling
 * scheduling (there is no lottery). */
#ifndef CLERK_LOTTERYMAIL_H
#define CLERK_LOTTERYMAIL_H

#include "ctx.h"
#include "schedule.h"

/* A block's lottery was drawn with seed and recorded (its seats, waitlists
 * and statuses are in the store): the summary to staff and the rosters to
 * coordinators. A draw with nobody in it says nothing. A line for each
 * mail queued goes to report. */
gboolean lotterymail_drawn(struct process_ctx *pc, const char *block, guint64 seed,
    const struct sched_result *res, GString *report, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* The daily step: for each block whose lottery is due within
 * lottery_notice_days (and not drawn), the notice to staff, once per block
 * (recorded in the store). A block with no complete application in its
 * draw has nothing to say: nothing is sent or recorded that day. Lines for
 * the log go to log. */
gboolean lotterymail_notices_due(struct process_ctx *pc, GString *log, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;

/* One seat holder of a roster. */
struct roster_row {
	const char *name, *school, *reference, *email;
};

/* A roster as CSV (RFC 4180: quoted where needed, CRLF; UTF-8): the header
 * name,school,reference,email,course,block, then a row each (struct
 * roster_row *). A field a spreadsheet would run as a formula (starting
 * with = + - @) gets a ' in front. */
GBytes *lotterymail_roster_csv(const char *course, const char *block, GPtrArray *rows);

#endif
