/* guide.h: what a student needs in order to act, in words: the dates of the
 * blocks they chose (documents due, lottery, how long a waitlist lasts),
 * computed from policy.ini (scheduling, lead_days) and blocks.csv; what is
 * wrong with their choices, with the nearest valid codes; the catalog and
 * the blocks still open as short tables. Reads the rules and the seats,
 * writes nothing.
 *
 * The dates: under `scheduling = lottery` a block's lottery is drawn on its
 * start date minus lead_days (placement_due() draws it on the first pass of
 * that day). Under either policy a block's documents are due on its start
 * date minus documents_due_days: an application complete only after that
 * gets no seat in the block (no lottery, no rolling or late placement). A
 * waitlist lasts until the block starts. Under `rolling` there is no
 * lottery: a complete application is placed at once, while seats last. */
#ifndef CLERK_GUIDE_H
#define CLERK_GUIDE_H

#include "ctx.h"
#include "rules.h"

/* The lottery date of a block (its start minus lead_days) and the date its
 * documents are due (guide_block_due()); FALSE for an unknown block or under
 * the rolling policy. Either out parameter may be NULL. */
gboolean guide_block_dates(const Rules *r, const char *block, GDate *lottery, GDate *due);

/* The date a block's documents are due: its start minus documents_due_days
 * (policy.ini, 60), under either policy; FALSE for an unknown block. */
gboolean guide_block_due(const Rules *r, const char *block, GDate *due);

/* Is day (YYYY-MM-DD: the day an application became complete) after the
 * block's documents due date, so that it gets no seat in that block? FALSE
 * for a NULL or bad day and an unknown block. */
gboolean guide_too_late(const Rules *r, const char *block, const char *day);

/* The chosen blocks not started by today whose documents deadline passed
 * before complete_on (the day the application became complete; NULL: not
 * complete, judged by today), in words: which, the deadline of each, then
 * (unless seated: placed in another block) the blocks still possible, or if
 * none what to do. "" if none is late. New string. */
char *guide_deadlines(const Rules *r, GArray *choices, const char *complete_on,
    const char *today, gboolean seated);

/* The chosen courses (struct form_choice) whose prerequisites (catalog.csv)
 * the form's "Core clerkships completed" (completed) does not list, a line
 * each with the clerkship named and what to do, under a heading; each course
 * once; unknown courses left to guide_choices(). "" if none. New string. */
char *guide_prerequisites(const Rules *r, GArray *choices, const char *completed);

/* For each block the application chose that has not started, what happens
 * when, for an application with this status (incomplete, complete,
 * waitlisted), with the blocks whose documents deadline passed
 * (guide_deadlines()); for scheduled, those blocks alone; "" for the others.
 * New string, NULL on error. */
char *guide_dates(struct process_ctx *pc, gint64 app_id, GArray *choices, const char *status,
    GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* What is wrong with the choices (struct form_choice), a line each: an
 * unknown course with the nearest codes, an unknown block, a block that has
 * started; then the catalog and the open blocks (guide_catalog()). "" if
 * nothing is wrong. New string. */
char *guide_choices(const Rules *r, GArray *choices, const char *today);

/* A catalog longer than this many courses is not put in a mail's text. */
#define GUIDE_TABLE_MAX 40

/* The catalog (code, title, hospital, seats) and the blocks that have not
 * started by today (id, dates), as plain-text tables; a catalog longer than
 * GUIDE_TABLE_MAX is said to be in the attached file courses.csv
 * (guide_courses_csv()), for the caller to attach. New string. */
char *guide_catalog(const Rules *r, const char *today);

/* The catalog as CSV (code,title,hospital,seats), for an attachment when it
 * is long: NULL when it fits in the text. */
GBytes *guide_courses_csv(const Rules *r);

/* At most n course codes nearest to code (edit distance, or the same
 * prefix), "A", "A or B", "A, B or C"; NULL if none is near. New string. */
char *guide_nearest_courses(const Rules *r, const char *code, guint n);

#endif
