/* ledger.c: the ledger table, every message seen, keyed by where it was, with
 * its identity (Message-ID, SHA-256), what was made of it and its state
 * (failed, handled, moved, quarantined, retried), and the mailboxes table of
 * UIDVALIDITY values. Its SQL is here; the connection is store.c's. */
#include "ledger.h"
#include "util.h"

#include <string.h>

static const char *const ledger_states[] = {
	[LEDGER_NONE] = "none",
	[LEDGER_FAILED] = "failed",
	[LEDGER_HANDLED] = "handled",
	[LEDGER_MOVED] = "moved",
	[LEDGER_QUARANTINED] = "quarantined",
	[LEDGER_RETRY] = "retry",
	[LEDGER_RELEASED] = "released",
};

const char *
ledger_state_str(LedgerState s)
{
	return s < G_N_ELEMENTS(ledger_states) ? ledger_states[s] : "invalid";
}

static LedgerState
ledger_state_parse(const char *s)
{
	for (gsize i = 0; s != NULL && i < G_N_ELEMENTS(ledger_states); i++)
		if (strcmp(s, ledger_states[i]) == 0)
			return i;
	return LEDGER_NONE;
}

/* A message's location, for a query that names :account, :mailbox,
 * :uidvalidity and :uid. */
static void
bind_key(sqlite3_stmt *s, const struct ledger_key *k)
{
	store_bind_text(s, ":account", k->account);
	store_bind_text(s, ":mailbox", k->mailbox);
	store_bind_int64(s, ":uidvalidity", k->uidvalidity);
	store_bind_int64(s, ":uid", k->uid);
}

gboolean
ledger_note_uidvalidity(Store *st, const char *account, const char *mailbox, guint32 uidvalidity,
    GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT OR IGNORE INTO mailboxes (account, mailbox,"
	    " uidvalidity) VALUES (:account, :mailbox, :uidvalidity)", err);

	if (s == NULL)
		return FALSE;
	store_bind_text(s, ":account", account);
	store_bind_text(s, ":mailbox", mailbox);
	store_bind_int64(s, ":uidvalidity", uidvalidity);
	if (!store_done(st, s, err))
		return FALSE;
	if (sqlite3_changes(store_db(st)) > 0)
		g_message("%s %s: UIDVALIDITY %u recorded", account, mailbox, uidvalidity);
	return TRUE;
}

LedgerState
ledger_get(Store *st, const struct ledger_key *k, gint64 *id, int *attempts, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT id, state, attempts FROM ledger WHERE account = :account"
	    " AND mailbox = :mailbox AND uidvalidity = :uidvalidity AND uid = :uid", err);
	LedgerState state = LEDGER_NONE;
	int rc;

	if (s == NULL)
		return LEDGER_NONE;
	bind_key(s, k);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		state = ledger_state_parse((const char *)sqlite3_column_text(s, 1));
		*attempts = sqlite3_column_int(s, 2);
	} else if (rc != SQLITE_DONE)
		store_fail(st, rc, "ledger lookup", err);
	sqlite3_reset(s);
	return state;
}

gint64
ledger_find_identity(Store *st, const char *message_id, const char *sha256, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT id FROM ledger WHERE sha256 = :sha256"
	    " AND message_id IS :message_id AND state IN ('handled', 'moved')"
	    " AND duplicate_of IS NULL ORDER BY id LIMIT 1", err);
	gint64 id = 0;
	int rc;

	if (s == NULL)
		return 0;
	store_bind_text(s, ":sha256", sha256);
	store_bind_text(s, ":message_id", message_id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE)
		store_fail(st, rc, "identity lookup", err);
	sqlite3_reset(s);
	return id;
}

static void
log_transition(gint64 id, LedgerState from, LedgerState to)
{
	g_debug("message %" G_GINT64_FORMAT ": %s -> %s", id, ledger_state_str(from),
	    ledger_state_str(to));
}

gint64
ledger_handled(Store *st, const struct ledger_key *k, const struct ledger_entry *e, GError **err)
{
	gint64 id = 0;
	int attempts = 0;
	GError *lerr = NULL;
	LedgerState was = ledger_get(st, k, &id, &attempts, &lerr);
	sqlite3_stmt *s;

	if (lerr != NULL) {
		g_propagate_error(err, lerr);
		return 0;
	}
	s = store_stmt(st, "INSERT INTO ledger (account, mailbox, uidvalidity, uid, message_id, sha256,"
	    " size, state, class, reason, sender, subject, duplicate_of)"
	    " VALUES (:account, :mailbox, :uidvalidity, :uid, :message_id, :sha256, :size, 'handled',"
	    " :class, :reason, :sender, :subject, :duplicate_of)"
	    " ON CONFLICT (account, mailbox, uidvalidity, uid) DO UPDATE SET"
	    " message_id = excluded.message_id, sha256 = excluded.sha256, size = excluded.size,"
	    " state = 'handled', class = excluded.class, reason = excluded.reason,"
	    " sender = excluded.sender, subject = excluded.subject,"
	    " duplicate_of = excluded.duplicate_of, error = NULL, updated_at = datetime('now')"
	    " RETURNING id", err);
	if (s == NULL)
		return 0;
	bind_key(s, k);
	store_bind_text(s, ":message_id", e->message_id);
	store_bind_text(s, ":sha256", e->sha256);
	store_bind_int64(s, ":size", e->size);
	store_bind_text(s, ":class", e->class);
	store_bind_text(s, ":reason", e->reason);
	store_bind_text(s, ":sender", e->sender);
	store_bind_text(s, ":subject", e->subject);
	if (e->duplicate_of > 0)
		store_bind_int64(s, ":duplicate_of", e->duplicate_of);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		store_fail(st, rc, "ledger insert", err);
		sqlite3_reset(s);
		return 0;
	}
	id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	log_transition(id, was, LEDGER_HANDLED);
	return id;
}

int
ledger_failed(Store *st, const struct ledger_key *k, const char *error, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO ledger (account, mailbox, uidvalidity, uid, state,"
	    " attempts, error) VALUES (:account, :mailbox, :uidvalidity, :uid, 'failed', 1, :error)"
	    " ON CONFLICT (account, mailbox, uidvalidity, uid) DO UPDATE SET"
	    " state = 'failed', attempts = attempts + 1, error = excluded.error,"
	    " updated_at = datetime('now') RETURNING id, attempts", err);
	int attempts = 0, rc;

	if (s == NULL)
		return 0;
	bind_key(s, k);
	store_bind_text(s, ":error", error);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		attempts = sqlite3_column_int(s, 1);
		g_warning("message uid %u: failed (attempt %d): %s", k->uid, attempts, error);
	} else
		store_fail(st, rc, "ledger failure", err);
	sqlite3_reset(s);
	return attempts;
}

gboolean
ledger_set_state(Store *st, gint64 id, LedgerState to, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT state FROM ledger WHERE id = :id", err);
	LedgerState from = LEDGER_NONE;

	if (s == NULL)
		return FALSE;
	store_bind_int64(s, ":id", id);
	if (sqlite3_step(s) == SQLITE_ROW)
		from = ledger_state_parse((const char *)sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	if ((s = store_stmt(st, "UPDATE ledger SET state = :state, updated_at = datetime('now')"
	    " WHERE id = :id", err)) == NULL)
		return FALSE;
	store_bind_text(s, ":state", ledger_state_str(to));
	store_bind_int64(s, ":id", id);
	if (!store_done(st, s, err))
		return FALSE;
	log_transition(id, from, to);
	return TRUE;
}

gboolean
ledger_quarantined(Store *st, gint64 id, guint32 q_uidvalidity, guint32 q_uid, GError **err)
{
	sqlite3_stmt *s;

	if (!ledger_set_state(st, id, LEDGER_QUARANTINED, err))
		return FALSE;
	if ((s = store_stmt(st, "UPDATE ledger SET q_uidvalidity = :q_uidvalidity, q_uid = :q_uid"
	    " WHERE id = :id", err)) == NULL)
		return FALSE;
	if (q_uid > 0) {
		store_bind_int64(s, ":q_uidvalidity", q_uidvalidity);
		store_bind_int64(s, ":q_uid", q_uid);
	}
	store_bind_int64(s, ":id", id);
	g_warning("message %" G_GINT64_FORMAT " quarantined", id);
	return store_done(st, s, err);
}

/* (id, uid) pairs of a query naming :account, :mailbox and :uidvalidity. */
static GArray *
ledger_pairs(Store *st, const char *sql, const char *account, const char *mailbox,
    guint32 uidvalidity, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, sql, err);
	GArray *out;
	int rc;

	if (s == NULL)
		return NULL;
	out = g_array_new(FALSE, FALSE, sizeof(struct ledger_pending));
	store_bind_text(s, ":account", account);
	store_bind_text(s, ":mailbox", mailbox);
	store_bind_int64(s, ":uidvalidity", uidvalidity);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct ledger_pending lp = { sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1) };
		g_array_append_val(out, lp);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		g_array_free(out, TRUE);
		store_fail(st, rc, "ledger", err);
		return NULL;
	}
	return out;
}

int
ledger_any_retry(Store *st, const char *account, const char *mailbox, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT 1 FROM ledger WHERE account = :account"
	    " AND mailbox = :mailbox AND state = 'retry' LIMIT 1", err);
	int rc, any = -1;

	if (s == NULL)
		return -1;
	store_bind_text(s, ":account", account);
	store_bind_text(s, ":mailbox", mailbox);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW || rc == SQLITE_DONE)
		any = rc == SQLITE_ROW;
	else
		store_fail(st, rc, "retry lookup", err);
	sqlite3_reset(s);
	return any;
}

GArray *
ledger_retries(Store *st, const char *account, const char *mailbox, guint32 q_uidvalidity,
    GError **err)
{
	/* :uidvalidity is the quarantine mailbox's here. */
	return ledger_pairs(st, "SELECT id, coalesce(q_uid, 0) FROM ledger WHERE account = :account"
	    " AND mailbox = :mailbox AND state = 'retry'"
	    " AND (q_uidvalidity IS NULL OR q_uidvalidity = :uidvalidity) ORDER BY id",
	    account, mailbox, q_uidvalidity, err);
}

gboolean
ledger_request_retry(Store *st, gint64 id, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE ledger SET attempts = 0 WHERE id = :id"
	    " AND state = 'quarantined'", err);

	if (s == NULL)
		return FALSE;
	store_bind_int64(s, ":id", id);
	if (!store_done(st, s, err))
		return FALSE;
	if (sqlite3_changes(store_db(st)) == 0) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_FINAL, "no quarantined message %" G_GINT64_FORMAT, id);
		return FALSE;
	}
	return ledger_set_state(st, id, LEDGER_RETRY, err);
}

GArray *
ledger_pending(Store *st, const char *account, const char *mailbox, guint32 uidvalidity,
    GError **err)
{
	return ledger_pairs(st, "SELECT id, uid FROM ledger WHERE account = :account"
	    " AND mailbox = :mailbox AND uidvalidity = :uidvalidity AND state = 'handled' ORDER BY uid",
	    account, mailbox, uidvalidity, err);
}

gboolean
ledger_link_application(Store *st, gint64 ledger_id, gint64 app_id, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE ledger SET application_id = :app WHERE id = :id", err);

	if (s == NULL)
		return FALSE;
	store_bind_int64(s, ":app", app_id);
	store_bind_int64(s, ":id", ledger_id);
	return store_done(st, s, err);
}

gboolean
ledger_last_from(Store *st, gint64 app_id, const char *sender, char **message_id,
    char **subject, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT message_id, subject FROM ledger"
	    " WHERE application_id = :app AND sender = :sender AND message_id IS NOT NULL"
	    " ORDER BY id DESC LIMIT 1", err);
	int rc;

	*message_id = *subject = NULL;
	if (s == NULL)
		return FALSE;
	store_bind_int64(s, ":app", app_id);
	store_bind_text(s, ":sender", sender);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*message_id = store_col_text(s, 0);
		*subject = store_col_text(s, 1);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, rc, "ledger_last_from", err);
	return TRUE;
}
