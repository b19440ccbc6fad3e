/* store.h: all state, in SQLite. Writers call these; one transaction per batch.
 * All memory returned belongs to the caller. */
#ifndef CLERK_STORE_H
#define CLERK_STORE_H

#include <glib.h>
#include <sqlite3.h>

#include "facts.h"

typedef struct store Store;

/* Open (creating or migrating the schema); the file is made 0600. With
 * max_size > 0 the database may not grow past it: writes then fail as they
 * would on a full disk (temporary errors). A failure to open is
 * CLERK_ERROR_TEMP if the database is busy, else CLERK_ERROR_CONFIG. */
Store *store_open(const char *path, gsize max_size, GError **err);
void store_close(Store *st);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Store, store_close)
/* The handle, for read-only reports (report.c). */
sqlite3 *store_db(Store *st);
/* For modules that keep tables of their own (dossier.c): a cached statement
 * (reset, bindings cleared), a step that returns no row, and SQLite's codes
 * mapped to temporary or final errors as everywhere in the store. */
sqlite3_stmt *store_stmt(Store *st, const char *sql, GError **err);
gboolean store_done(Store *st, sqlite3_stmt *s, GError **err);
gboolean store_fail(Store *st, int rc, const char *what, GError **err);

/* Commits wait for the disk (FULL, the default: before any external effect)
 * or only for the OS (NORMAL: safe against a crash of clerkd, not of the
 * machine; for recording what was already done, such as a reply sent). */
gboolean store_set_durable(Store *st, gboolean full, GError **err);
gboolean store_begin(Store *st, GError **err);
gboolean store_commit(Store *st, GError **err);
void store_rollback(Store *st);
/* Nested savepoint around one message inside a batch. */
gboolean store_savepoint(Store *st, GError **err);
gboolean store_release(Store *st, GError **err);
void store_rollback_savepoint(Store *st);

/* ---- the ledger: every message seen, keyed by where it was ---- */

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

gboolean store_note_uidvalidity(Store *st, const char *account, const char *mailbox,
    guint32 uidvalidity, GError **err);
/* State of a message by location; *id and *attempts are set when recorded. */
LedgerState store_ledger_get(Store *st, const struct ledger_key *k, gint64 *id, int *attempts,
    GError **err);
/* A handled message with the same identity (Message-ID + SHA-256), wherever it was: 0 if none. */
gint64 store_ledger_find_identity(Store *st, const char *message_id, const char *sha256,
    GError **err);
/* Record a message as handled (insert, or update a FAILED row); returns its id. */
gint64 store_ledger_handled(Store *st, const struct ledger_key *k, const struct ledger_entry *e,
    GError **err);
/* Record a failure (insert or update), counting attempts; returns the attempt count. */
int store_ledger_failed(Store *st, const struct ledger_key *k, const char *error, GError **err);
/* Move a recorded message to a new state; the one place transitions are logged. */
gboolean store_ledger_set_state(Store *st, gint64 id, LedgerState to, GError **err);
/* Messages of this mailbox committed but not yet known to be moved: (id, uid) pairs. */
struct ledger_pending {
	gint64 id;
	guint32 uid;
};
GArray *store_ledger_pending(Store *st, const char *account, const char *mailbox,
    guint32 uidvalidity, GError **err);
/* Where a quarantined message now is, when the server says (UIDPLUS). */
gboolean store_ledger_quarantined(Store *st, gint64 id, guint32 q_uidvalidity, guint32 q_uid,
    GError **err);
/* Quarantined messages staff asked to retry: (id, uid in the quarantine mailbox). */
GArray *store_ledger_retries(Store *st, const char *account, const char *mailbox,
    guint32 q_uidvalidity, GError **err);
/* Staff: ask for a quarantined message to be tried again. FALSE with an error
 * if there is no such quarantined message. */
gboolean store_ledger_request_retry(Store *st, gint64 id, GError **err);
gboolean store_ledger_link_application(Store *st, gint64 ledger_id, gint64 app_id, GError **err);

/* ---- applications and documents ---- */

struct app_new {
	const char *email;	/* registered address */
	const char *name;
	const char *school;
	const char *country;
	const char *form_json;	/* every field as written */
	const char *flags;	/* comma-separated staff flags, or NULL */
	gint64 ledger_id;
	GArray *choices;	/* struct form_choice */
};

/* Create with the address's reserved reference, else the next of that year;
 * returns the reference. */
char *store_app_create(Store *st, int year, const struct app_new *a, gint64 *app_id, GError **err);
/* The newest application registered to an address: its id (0 if none) and reference. */
gint64 store_app_by_email(Store *st, const char *email, char **reference, GError **err);
gboolean store_event(Store *st, gint64 app_id, gint64 ledger_id, const char *what, GError **err);

/* ---- the outbox ---- */

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
	char *rcpt;
	char *message_id;
	GBytes *raw;
	int attempts;
};
void outbox_item_free(struct outbox_item *it);

/* Queue a mail; one whose Message-ID is queued already is not queued again. */
gboolean store_outbox_add(Store *st, gint64 ledger_id, gint64 app_id, const char *kind,
    const char *rcpt, const char *message_id, GBytes *raw, OutboxState state, GError **err);
/* Replies queued for rcpt in the last `seconds` (suppressed ones aside); with
 * rcpt NULL, replies sent to anyone in that time. -1 on error. */
int store_outbox_recent(Store *st, const char *rcpt, gint64 seconds, GError **err);
/* A bounce of one of our replies, found by its Message-ID: recorded against the
 * reply and its recipient. FALSE without an error if no such reply is ours. */
gboolean store_outbox_bounced(Store *st, const char *message_id, gint64 ledger_id,
    const char *status, GError **err);
/* Queued replies whose time has come, oldest first. */
GPtrArray *store_outbox_due(Store *st, gint64 now, int limit, GError **err);
gboolean store_outbox_set(Store *st, gint64 id, OutboxState to, gint64 next_attempt,
    const char *error, GError **err);
/* Staff: send a failed (or waiting) reply again now. */
gboolean store_outbox_requeue(Store *st, gint64 id, GError **err);

/* What a pass saw and did (seen, handled, moved, failed, quarantined, sent,
 * deferred, replies failed), for clerkctl stats. */
gboolean store_note_pass(Store *st, const int figures[8], gboolean ok, GError **err);

/* An online copy of the database into path (SQLite's backup API): consistent
 * while clerkd runs. store_restore() copies one back over the live database. */
gboolean store_backup(Store *st, const char *path, GError **err);
gboolean store_restore(Store *st, const char *path, GError **err);

/* Closed applications (cancelled, ineligible, not-scheduled) untouched for
 * `days`: their references into refs. With apply, their documents, and the
 * personal data of the application, its messages and its replies, are erased
 * in one transaction (the reference and the bare facts remain), and files
 * gets the digests of the document files no other application holds, for the
 * caller to remove after the commit. Returns the count, -1 on error. */
int store_purge(Store *st, int days, gboolean apply, GPtrArray *refs, GPtrArray *files,
    GError **err);

#endif
