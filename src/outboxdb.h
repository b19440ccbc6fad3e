/* outboxdb.h: the outbox in the store: every reply written, its raw message,
 * its state (queued, sent, failed, held, bounced) and its bounces. Rows are
 * written inside the caller's transaction (effects.c) and read, and their
 * outcomes recorded, by the sender (outbox.c) and by staff (clerkctl).
 * All memory returned belongs to the caller. */
#ifndef CLERK_OUTBOXDB_H
#define CLERK_OUTBOXDB_H

#include <glib.h>

#include "store.h"

typedef enum {
	OUTBOX_QUEUED,
	OUTBOX_SENT,
	OUTBOX_FAILED,
	OUTBOX_SUPPRESSED,	/* held back by the loop guard; staff may resend */
	OUTBOX_BOUNCED,		/* sent, and bounced back to us */
} OutboxState;
const char *outbox_state_str(OutboxState s);

struct outbox_item {
	gint64 id;
	char *rcpt;		/* owned */
	char *message_id;	/* owned */
	GBytes *raw;		/* owned */
	int attempts;
};
void outbox_item_free(struct outbox_item *it);

/* Queue a mail; one whose Message-ID is queued already is not queued again. */
gboolean outboxdb_add(Store *st, gint64 ledger_id, gint64 app_id, const char *kind,
    const char *rcpt, const char *message_id, GBytes *raw, OutboxState state, GError **err);
/* Replies queued for rcpt in the last `seconds` (suppressed ones aside); with
 * rcpt NULL, replies sent to anyone in that time. -1 on error. */
int outboxdb_recent(Store *st, const char *rcpt, gint64 seconds, GError **err);
/* A bounce of one of our replies, found by its Message-ID: recorded against the
 * reply and its recipient. FALSE without an error if no such reply is ours. */
gboolean outboxdb_bounced(Store *st, const char *message_id, gint64 ledger_id,
    const char *status, GError **err);
/* Queued replies whose time has come, oldest first: struct outbox_item *. */
GPtrArray *outboxdb_due(Store *st, gint64 now, int limit, GError **err);
/* A send's outcome: the new state, when to try again, the error (or NULL). */
gboolean outboxdb_set(Store *st, gint64 id, OutboxState to, gint64 next_attempt,
    const char *error, GError **err);
/* Staff: send a failed (or waiting) reply again now. */
gboolean outboxdb_requeue(Store *st, gint64 id, GError **err);

#endif
