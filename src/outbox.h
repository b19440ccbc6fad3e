/* outbox.h: sending queued replies over SMTP (libcurl, one connection reused). */
#ifndef CLERK_OUTBOX_H
#define CLERK_OUTBOX_H

#include "config.h"
#include "store.h"

typedef struct outbox Outbox;

Outbox *outbox_new(const struct config *cfg);
void outbox_free(Outbox *ob);
/* After a reload: send with the new settings from the next message on. */
void outbox_set_config(Outbox *ob, const struct config *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Outbox, outbox_free)

/* Send one message; CLERK_ERROR_TEMP for 4xx and network trouble, _FINAL for 5xx. */
gboolean outbox_send(Outbox *ob, const char *rcpt, GBytes *raw, GError **err);

struct outbox_result {
	int sent;
	int failed;		/* permanently: kept, shown to staff */
	int deferred;		/* will be retried */
};

/* Send every due reply and record each outcome; a temporary failure of the
 * connection stops the run (the rest stay queued). */
gboolean outbox_flush(Outbox *ob, Store *st, struct outbox_result *res, GError **err);

/* Sending from a thread of its own, during a pass (see outbox.c): start it
 * (it first records what a crashed run sent), push after each commit (what
 * was sent meanwhile is recorded; what is due goes to the thread), finish at
 * the end (it waits for the thread, records, and frees s). While a sender
 * runs, the Outbox is its alone. */
typedef struct sender Sender;
Sender *sender_start(Outbox *ob, Store *st, GError **err);
gboolean sender_push(Sender *s, Store *st, struct outbox_result *res, GError **err);
gboolean sender_finish(Sender *s, Store *st, struct outbox_result *res, GError **err);

#endif
