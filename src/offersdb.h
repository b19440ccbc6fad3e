/* offersdb.h: the offers table, and the only SQL on it: seats offered from a
 * waitlist, each waiting for its student's answer until a deadline (DESIGN,
 * "Confirmations"). placement.c decides who is offered what and what an
 * answer, or silence, does; here rows are only read and written. While an
 * offer is open its seat is held: placement counts it as taken.
 *
 * States: open, then accepted, declined, lapsed (no answer by the deadline),
 * withdrawn (the application or its block cancelled) or closed (the block
 * started). Everything runs inside the caller's transaction; errors are the
 * store's. All memory returned belongs to the caller. */
#ifndef CLERK_OFFERSDB_H
#define CLERK_OFFERSDB_H

#include <glib.h>

#include "store.h"

struct offer {
	gint64 id;
	gint64 app;		/* the application offered the seat */
	gint64 place;		/* its place on the waitlist (waitlist.id) */
	char *course;		/* owned */
	char *block;		/* owned */
	char *token;		/* owned: the confirmation token that answers it */
	char *expires;		/* owned: YYYY-MM-DD, the last day to answer */
	char *state;		/* owned */
};
void offer_clear(struct offer *o);

/* Record an open offer; its id, 0 on error. */
gint64 offersdb_add(Store *st, gint64 app, gint64 place, const char *course, const char *block,
    const char *token, const char *expires, GError **err) G_GNUC_WARN_UNUSED_RESULT;
/* One offer by id: 1 found (*o filled, offer_clear() it), 0 none, -1 on error. */
int offersdb_get(Store *st, gint64 id, struct offer *o, GError **err) G_GNUC_WARN_UNUSED_RESULT;
/* An open offer ends (state: accepted, declined, lapsed, withdrawn, closed):
 * 1 done, 0 if it was not open (nothing changed), -1 on error. */
int offersdb_end(Store *st, gint64 id, const char *state, GError **err) G_GNUC_WARN_UNUSED_RESULT;
/* Open offers of a course in a block (seats held); -1 on error. */
gint64 offersdb_open(Store *st, const char *course, const char *block, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;
/* The ids (gint64) of open offers: with app > 0 that application's (with
 * block, only there); else with block, that block's; else those whose
 * deadline is before today. Oldest first; NULL on error. */
GArray *offersdb_find(Store *st, gint64 app, const char *block, const char *today, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;
/* An application's open offers (struct offer), by block; NULL on error. */
GArray *offersdb_of(Store *st, gint64 app, GError **err) G_GNUC_WARN_UNUSED_RESULT;

#endif
