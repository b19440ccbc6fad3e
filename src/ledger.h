/* ledger.h: every message seen, keyed by where it was (account, mailbox,
 * UIDVALIDITY, UID), and the mailboxes' UIDVALIDITY values, in the store
 * (inside the caller's transaction). All memory returned belongs to the caller. */
#ifndef CLERK_LEDGER_H
#define CLERK_LEDGER_H

#include <glib.h>

#include "store.h"

typedef enum {
	LEDGER_NONE,		/* not recorded */
	LEDGER_FAILED,		/* processing failed; retried until max attempts */
	LEDGER_HANDLED,		/* committed: effects stored, not yet moved */
	LEDGER_MOVED,		/* in the processed mailbox */
	LEDGER_QUARANTINED,	/* in the quarantine mailbox */
	LEDGER_RETRY,		/* staff asked for another try: back to the inbox */
	LEDGER_RELEASED,	/* moved back to the inbox; it is recorded anew there */
} LedgerState;
const char *ledger_state_str(LedgerState s);

struct ledger_key {
	const char *account;
	const char *mailbox;
	guint32 uidvalidity;
	guint32 uid;
};

struct ledger_entry {
	const char *message_id;
	const char *sha256;
	gsize size;
	const char *sender;
	const char *subject;
	const char *class;	/* classify_str() or "duplicate", "oversize" */
	const char *reason;
	gint64 duplicate_of;	/* 0 unless an identical message was handled before */
};

gboolean ledger_note_uidvalidity(Store *st, const char *account, const char *mailbox,
    guint32 uidvalidity, GError **err);
/* State of a message by location; *id and *attempts are set when recorded. */
LedgerState ledger_get(Store *st, const struct ledger_key *k, gint64 *id, int *attempts,
    GError **err);
/* A handled message with the same identity (Message-ID + SHA-256), wherever it was: 0 if none. */
gint64 ledger_find_identity(Store *st, const char *message_id, const char *sha256,
    GError **err);
/* Record a message as handled (insert, or update a FAILED row); returns its id. */
gint64 ledger_handled(Store *st, const struct ledger_key *k, const struct ledger_entry *e,
    GError **err);
/* Record a failure (insert or update), counting attempts; returns the attempt count. */
int ledger_failed(Store *st, const struct ledger_key *k, const char *error, GError **err);
/* Move a recorded message to a new state; the one place transitions are logged. */
gboolean ledger_set_state(Store *st, gint64 id, LedgerState to, GError **err);
/* Messages of this mailbox committed but not yet known to be moved: (id, uid) pairs. */
struct ledger_pending {
	gint64 id;
	guint32 uid;
};
GArray *ledger_pending(Store *st, const char *account, const char *mailbox,
    guint32 uidvalidity, GError **err);
/* Where a quarantined message now is, when the server says (UIDPLUS). */
gboolean ledger_quarantined(Store *st, gint64 id, guint32 q_uidvalidity, guint32 q_uid,
    GError **err);
/* Whether staff asked for any quarantined message to be retried: -1 with an error. */
int ledger_any_retry(Store *st, const char *account, const char *mailbox, GError **err);
/* Quarantined messages staff asked to retry: (id, uid in the quarantine mailbox). */
GArray *ledger_retries(Store *st, const char *account, const char *mailbox,
    guint32 q_uidvalidity, GError **err);
/* Staff: ask for a quarantined message to be tried again. FALSE with an error
 * if there is no such quarantined message. */
gboolean ledger_request_retry(Store *st, gint64 id, GError **err);
gboolean ledger_link_application(Store *st, gint64 ledger_id, gint64 app_id, GError **err);
/* The newest message from sender linked to an application (to thread a
 * staff reply to the student): its Message-ID and subject (new strings),
 * both NULL if there is none. FALSE on a store error. */
gboolean ledger_last_from(Store *st, gint64 app_id, const char *sender, char **message_id,
    char **subject, GError **err) G_GNUC_WARN_UNUSED_RESULT;

#endif
