/* digestdb.h: the figures of the staff's daily digest, read from the store,
 * and the digests sent (outbox rows of kind "digest:YYYY-MM-DD", one per
 * staff address: the day's record, so a restart never sends a second one).
 * The words and charts are digest.c's. All memory returned belongs to the
 * caller; errors are the store's (store_fail). */
#ifndef CLERK_DIGESTDB_H
#define CLERK_DIGESTDB_H

#include <glib.h>

#include "store.h"

#define DIGESTDB_MAX_ROWS 25	/* lines listed in each part; the total is counted */

/* One line of a list: up to four texts (never NULL), and a figure. */
struct digestdb_row {
	char *col[4];
	gint64 n;
};

/* A list: its first DIGESTDB_MAX_ROWS rows and how many there are. */
struct digestdb_list {
	GPtrArray *rows;	/* struct digestdb_row * */
	gint64 total;
};

enum digestdb_what {
	DIGESTDB_NEW,		/* reference, name, country, status: created since */
	DIGESTDB_COMPLETE,	/* reference, name, status now, day: complete since */
	DIGESTDB_HELD,		/* reference, sender, first day; n: documents held */
	DIGESTDB_QUESTIONS,	/* reference, subject, day: passed to staff, no staff message after */
	DIGESTDB_TO_CHECK,	/* reference, file name, why; n: document id */
	DIGESTDB_QUARANTINE,	/* sender, subject, error; n: message id (ledger) */
	DIGESTDB_BOUNCES,	/* address, status, day, reference: since */
	/* The counts are of this term (struct digestdb_scope), never of every year. */
	DIGESTDB_BY_STATUS,	/* status; n: applications (every one, cancelled too) */
	DIGESTDB_BY_COUNTRY,	/* country or ""; n: applications not cancelled */
	DIGESTDB_TAKEN,		/* block, course; n: active seats */
	DIGESTDB_WANTED,	/* block, course; n: live applications choosing it */
	DIGESTDB_COMPLETE_BY_BLOCK,	/* block; n: complete applications choosing it */
	DIGESTDB_N
};

void digestdb_list_clear(struct digestdb_list *l);

/* This term, for the counts: the blocks not over (a JSON array of block ids:
 * seats taken and wanted, complete by block), and the applications created
 * since year_ago (YYYY-MM-DD) or choosing one of those blocks (by status,
 * by country). After 50 years a count reads this term's rows, not all. */
struct digestdb_scope {
	const char *blocks;
	const char *year_ago;
};

/* One of the lists; since is a store time ("YYYY-MM-DD HH:MM:SS", UTC) or
 * NULL for "ever". The counts (BY_STATUS to COMPLETE_BY_BLOCK) are not cut. */
gboolean digestdb_read(Store *st, enum digestdb_what what, const char *since,
    const struct digestdb_scope *scope, struct digestdb_list *out, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;

/* The last digest queued for a day before `before` (YYYY-MM-DD): its day and
 * when it was queued (store time); both NULL if there was none. */
gboolean digestdb_last(Store *st, const char *before, char **day, char **at, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;
/* Was a digest queued for day? 1 yes, 0 no, -1 on error. */
int digestdb_sent(Store *st, const char *day, GError **err) G_GNUC_WARN_UNUSED_RESULT;

#endif
