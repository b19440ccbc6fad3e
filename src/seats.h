/* seats.h: the store's tables of placement, and the only SQL on them, which
 * placement.c runs (decide.c and requests.c read an application's seats with
 * seats_of(); reminders' selects are remindersdb.c's): assignments (seats given in a course of a block),
 * waitlist (places on a course's waitlist in a block) and lotteries (one
 * drawn per block). Functions are named by table: seats_ (assignments),
 * waitlist_, lottery_. The rules of who gets a seat are placement.c's; here
 * rows are only read and written. Reads join applications and choices
 * (status, school, reference, form) but never write them.
 *
 * Everything runs inside the caller's transaction. Errors are the store's
 * (store_fail: SQLITE_BUSY and a full disk are temporary). A lookup that can
 * find nothing returns 1 found, 0 none, -1 error; counts are >= 0, -1 on
 * error. All memory returned belongs to the caller. */
#ifndef CLERK_SEATS_H
#define CLERK_SEATS_H

#include <glib.h>

#include "store.h"

/* ---- assignments: seats ---- */

/* An active seat. */
struct seat {
	gint64 id;
	char *course;	/* owned */
	char *block;	/* owned */
};

/* Active seats in a course of a block; -1 on error. */
gint64 seats_taken(Store *st, const char *course, const char *block, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;
/* The schools of the applications seated in a course of a block, one per
 * active seat (an entry is NULL where no school was given); NULL on error. */
GPtrArray *seats_schools(Store *st, const char *course, const char *block, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;
/* Seat an application in a course of a block; how says by what (lottery,
 * waitlist, rolling, late, change). Seated in a block, the application's
 * places still waiting on that block's waitlists are closed. Returns the
 * seat's id, 0 on error. */
gint64 seats_take(Store *st, gint64 app, const char *course, const char *block, const char *how,
    GError **err) G_GNUC_WARN_UNUSED_RESULT;
/* Give up a seat (state: cancelled or changed, whatever it was before):
 * 1 with its course and block (new strings), 0 if there is no such seat,
 * -1 on error. */
int seats_free(Store *st, gint64 seat, const char *state, char **course, char **block,
    GError **err) G_GNUC_WARN_UNUSED_RESULT;
/* An application's active seats (struct seat), in the order taken; with
 * block, only that block's. NULL on error. */
GArray *seats_of(Store *st, gint64 app, const char *block, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;
/* Was the application placed in a block before: a seat held there, or a
 * place on one of its waitlists in any state? 1 yes, 0 no, -1 on error. */
int seats_placed(Store *st, gint64 app, const char *block, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;

/* Where an application stands, counted over all blocks. */
struct seats_tally {
	gint64 seats;	/* active seats */
	gint64 waiting;	/* waitlist places still waiting */
	gint64 closed;	/* waitlist places closed (block started, or seated) */
};
gboolean seats_tally(Store *st, gint64 app, struct seats_tally *t, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;

/* An active seat, by whom it is held. */
struct seat_holder {
	gint64 app;
	char *course;	/* owned */
};
/* The active seats of a block (struct seat_holder), by course and then in
 * the order taken; NULL on error. */
GArray *seats_in_block(Store *st, const char *block, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* ---- waitlist ---- */

/* A place still waiting. */
struct waitlist_place {
	gint64 id;
	char *course;	/* owned */
	char *block;	/* owned */
	int position;	/* now: among those still waiting, 1 first */
};

/* Put an application on the waitlist of a course in a block, at position
 * (the lottery's), or at the end with position 0. */
gboolean waitlist_add(Store *st, gint64 app, const char *course, const char *block, int position,
    GError **err) G_GNUC_WARN_UNUSED_RESULT;
/* The first place still waiting for a course in a block, of an application
 * not cancelled and with no open offer in that block (offersdb.h): 1 with
 * *place and *app set, 0 if none, -1 on error. */
int waitlist_first(Store *st, const char *course, const char *block, gint64 *place, gint64 *app,
    GError **err) G_GNUC_WARN_UNUSED_RESULT;
/* A place has its seat now. */
gboolean waitlist_promote(Store *st, gint64 place, GError **err) G_GNUC_WARN_UNUSED_RESULT;
/* A place still waiting leaves its waitlist (state: declined, lapsed). */
gboolean waitlist_leave(Store *st, gint64 place, const char *state, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;
/* An application cancelled: its places still waiting are withdrawn. */
gboolean waitlist_withdraw(Store *st, gint64 app, GError **err) G_GNUC_WARN_UNUSED_RESULT;
/* An application gives up one block: its places still waiting there are withdrawn. */
gboolean waitlist_withdraw_block(Store *st, gint64 app, const char *block, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;
/* An application's places still waiting (struct waitlist_place), by block
 * and in the order put there; NULL on error. */
GArray *waitlist_of(Store *st, gint64 app, GError **err) G_GNUC_WARN_UNUSED_RESULT;
/* The applications with a place still waiting in a block (gint64, each
 * once); NULL on error. */
GArray *waitlist_waiting(Store *st, const char *block, GError **err) G_GNUC_WARN_UNUSED_RESULT;
/* A block has started: every place still waiting on its waitlists is closed. */
gboolean waitlist_close_block(Store *st, const char *block, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;

/* ---- lotteries ---- */

/* One choice of an application that chose a block, is complete (or placed
 * elsewhere already) and holds no seat in that block. */
struct lottery_entry {
	gint64 app;
	char *reference;	/* owned */
	char *school;		/* owned; NULL if not given */
	char *core;		/* owned: the form's core_clerkships_completed, or NULL */
	char *course;		/* owned: as chosen */
	int blocks;		/* blocks where the application holds a seat already */
	char *complete_on;	/* owned: the day it became complete (YYYY-MM-DD), or NULL */
};

/* The entries for a block's lottery (struct lottery_entry), by application
 * id and then by the rank of the choice; NULL on error. */
GArray *lottery_entries(Store *st, const char *block, GError **err) G_GNUC_WARN_UNUSED_RESULT;
/* Was a block's lottery drawn? 1 with the seed and the draw order (a JSON
 * array of references, new string), either out parameter may be NULL; 0 if
 * not drawn; -1 on error. */
int lottery_drawn(Store *st, const char *block, gint64 *seed, char **draw, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;
/* Is a block's lottery drawn and the block not yet started? 1 yes, 0 no, -1 on error. */
int lottery_open(Store *st, const char *block, GError **err) G_GNUC_WARN_UNUSED_RESULT;
/* Record a block's draw: its seed (>= 0), the policy and the draw order. */
gboolean lottery_record(Store *st, const char *block, gint64 seed, const char *policy,
    const char *draw, GError **err) G_GNUC_WARN_UNUSED_RESULT;
/* The notice to staff before a block's lottery: 1 recorded now (send it),
 * 0 recorded before (sent already), -1 on error. */
int lottery_notice_record(Store *st, const char *block, GError **err) G_GNUC_WARN_UNUSED_RESULT;
/* A block has started: its lottery is closed (no row: nothing to do). */
gboolean lottery_close(Store *st, const char *block, GError **err) G_GNUC_WARN_UNUSED_RESULT;

#endif
