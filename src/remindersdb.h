/* remindersdb.h: reminders in the store: the reminders table (each reminder
 * sent once per application, kind and key) and the selects that find who is
 * due one. These read applications, outbox, bounces, assignments and
 * documents but write only reminders. What is due when, and the words, are
 * reminders.c's. Everything runs inside the caller's transaction; errors
 * are the store's (store_fail). All memory returned belongs to the caller. */
#ifndef CLERK_REMINDERSDB_H
#define CLERK_REMINDERSDB_H

#include <glib.h>

#include "store.h"

/* An application due a reminder. */
struct reminder_due {
	gint64 app;
	char *key;	/* owned: what makes it once (the reply it follows, the block) */
	char *course;	/* owned: the course of the seat it is about, or NULL */
};

/* Incomplete applications whose last reply sent to their address went on or
 * before sent_by (YYYY-MM-DD); key: that reply's id. struct reminder_due,
 * NULL on error. */
GArray *remindersdb_incomplete(Store *st, const char *sent_by, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;
/* The active seats of a block; key: the block, with the seat's course. */
GArray *remindersdb_seated(Store *st, const char *block, GError **err) G_GNUC_WARN_UNUSED_RESULT;
/* The active seats of a block whose newest TB result that counts (tb-ppd or
 * tb-igra, filed or accepted, not pending) is dated more than 12 months
 * before end (YYYY-MM-DD, the block's last day); key: the block. */
GArray *remindersdb_tb_expiring(Store *st, const char *block, const char *end, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;

/* Record a reminder of kind for an application before it is sent: 1
 * recorded (send it), 0 not (sent before, or the application has no address
 * or its address bounces), -1 on error. */
int remindersdb_record(Store *st, gint64 app, const char *kind, const char *key, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;

#endif
