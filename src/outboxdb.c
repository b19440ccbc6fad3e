/* outboxdb.c: the outbox, outbox_raw and bounces tables: replies queued in the
 * transaction of the change they report, the sender's outcomes, the loop
 * guard's counts, staff's requeues, and bounces matched to the reply they
 * return. Its SQL is here; the SMTP side is outbox.c's. */
#include "outboxdb.h"
#include "dossier.h"
#include "util.h"

static const char *const outbox_states[] = {
	[OUTBOX_QUEUED] = "queued",
	[OUTBOX_SENT] = "sent",
	[OUTBOX_FAILED] = "failed",
	[OUTBOX_SUPPRESSED] = "suppressed",
	[OUTBOX_BOUNCED] = "bounced",
};

const char *
outbox_state_str(OutboxState s)
{
	return s < G_N_ELEMENTS(outbox_states) ? outbox_states[s] : "invalid";
}

void
outbox_item_free(struct outbox_item *it)
{
	if (it == NULL)
		return;
	g_free(it->rcpt);
	g_free(it->message_id);
	if (it->raw)
		g_bytes_unref(it->raw);
	g_free(it);
}

gboolean
outboxdb_add(Store *st, gint64 ledger_id, gint64 app_id, const char *kind, const char *rcpt,
    const char *message_id, GBytes *raw, OutboxState state, GError **err)
{
	/* The same Message-ID is the same mail: queued once, however often asked. */
	sqlite3_stmt *s = store_stmt(st, "INSERT OR IGNORE INTO outbox (ledger_id, application_id,"
	    " kind, rcpt, message_id, state) VALUES (:ledger, :app, :kind, :rcpt, :message_id, :state)",
	    err);
	gsize len;
	const void *data = g_bytes_get_data(raw, &len);

	if (s == NULL)
		return FALSE;
	store_bind_int64(s, ":ledger", ledger_id);
	if (app_id > 0)
		store_bind_int64(s, ":app", app_id);
	store_bind_text(s, ":kind", kind);
	store_bind_text(s, ":rcpt", rcpt);
	store_bind_text(s, ":message_id", message_id);
	store_bind_text(s, ":state", outbox_state_str(state));
	if (!store_done(st, s, err))
		return FALSE;
	if (sqlite3_changes(store_db(st)) == 0) {
		g_message("mail <%s> is queued already: not again", message_id);
		return TRUE;
	}
	if ((s = store_stmt(st, "INSERT INTO outbox_raw (outbox_id, raw)"
	    " VALUES (last_insert_rowid(), :raw)", err)) == NULL)
		return FALSE;
	store_bind_blob(s, ":raw", data, len);
	return store_done(st, s, err);
}

int
outboxdb_recent(Store *st, const char *rcpt, gint64 seconds, GError **err)
{
	g_autofree char *window = g_strdup_printf("-%" G_GINT64_FORMAT " seconds", seconds);
	sqlite3_stmt *s;
	int rc, n = -1;

	if (rcpt != NULL) {
		if ((s = store_stmt(st, "SELECT count(*) FROM outbox WHERE rcpt = :rcpt"
		    " AND state <> 'suppressed' AND created_at >= datetime('now', :window)", err)) == NULL)
			return -1;
		store_bind_text(s, ":rcpt", rcpt);
	} else if ((s = store_stmt(st, "SELECT count(*) FROM outbox"
	    " WHERE sent_at >= datetime('now', :window)", err)) == NULL)
		return -1;
	store_bind_text(s, ":window", window);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	else
		store_fail(st, rc, "outbox rate", err);
	sqlite3_reset(s);
	return n;
}

gboolean
outboxdb_bounced(Store *st, const char *message_id, gint64 ledger_id, const char *status,
    GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE outbox SET state = 'bounced', last_error = :status"
	    " WHERE message_id = :message_id RETURNING id, rcpt, application_id", err);
	gint64 id = 0, app_id = 0;
	g_autofree char *rcpt = NULL;
	int rc;

	if (s == NULL)
		return FALSE;
	store_bind_text(s, ":status", status);
	store_bind_text(s, ":message_id", message_id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		rcpt = store_col_text(s, 1);
		app_id = sqlite3_column_int64(s, 2);
		rc = sqlite3_step(s);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "bounce", err);
	if (id == 0)
		return FALSE;
	if ((s = store_stmt(st, "INSERT INTO bounces (outbox_id, address, status, ledger_id)"
	    " VALUES (:id, :address, :status, :ledger)", err)) == NULL)
		return FALSE;
	store_bind_int64(s, ":id", id);
	store_bind_text(s, ":address", rcpt);
	store_bind_text(s, ":status", status);
	store_bind_int64(s, ":ledger", ledger_id);
	if (!store_done(st, s, err))
		return FALSE;
	g_warning("reply <%s> to <%s> bounced: %s", message_id, rcpt, status ? status : "no status");
	if (app_id > 0) {
		g_autofree char *what = g_strdup_printf("reply to %s bounced: %s", rcpt,
		    status ? status : "no status given");
		return dossier_event(st, app_id, ledger_id, what, err);
	}
	return TRUE;
}

GPtrArray *
outboxdb_due(Store *st, gint64 now, int limit, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT o.id, o.rcpt, o.message_id, r.raw, o.attempts"
	    " FROM outbox o JOIN outbox_raw r ON r.outbox_id = o.id"
	    " WHERE o.state = 'queued' AND o.next_attempt <= :now ORDER BY o.id LIMIT :limit", err);
	GPtrArray *out;
	int rc;

	if (s == NULL)
		return NULL;
	out = g_ptr_array_new_with_free_func((GDestroyNotify)outbox_item_free);
	store_bind_int64(s, ":now", now);
	store_bind_int64(s, ":limit", limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct outbox_item *it = g_new0(struct outbox_item, 1);
		it->id = sqlite3_column_int64(s, 0);
		it->rcpt = store_col_text(s, 1);
		it->message_id = store_col_text(s, 2);
		it->raw = g_bytes_new(sqlite3_column_blob(s, 3), sqlite3_column_bytes(s, 3));
		it->attempts = sqlite3_column_int(s, 4);
		g_ptr_array_add(out, it);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		g_ptr_array_free(out, TRUE);
		store_fail(st, rc, "outbox", err);
		return NULL;
	}
	return out;
}

gboolean
outboxdb_requeue(Store *st, gint64 id, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE outbox SET state = 'queued', next_attempt = 0"
	    " WHERE id = :id AND state IN ('failed', 'queued', 'suppressed', 'bounced')", err);

	if (s == NULL)
		return FALSE;
	store_bind_int64(s, ":id", id);
	if (!store_done(st, s, err))
		return FALSE;
	if (sqlite3_changes(store_db(st)) == 0) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_FINAL, "no unsent reply %" G_GINT64_FORMAT, id);
		return FALSE;
	}
	g_message("reply %" G_GINT64_FORMAT ": requeued by staff", id);
	return TRUE;
}

gboolean
outboxdb_set(Store *st, gint64 id, OutboxState to, gint64 next_attempt, const char *error,
    GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE outbox SET state = :state,"
	    " next_attempt = :next_attempt, last_error = :error, attempts = attempts + 1,"
	    " sent_at = CASE WHEN :state = 'sent' THEN datetime('now') ELSE sent_at END WHERE id = :id",
	    err);

	if (s == NULL)
		return FALSE;
	store_bind_text(s, ":state", outbox_state_str(to));
	store_bind_int64(s, ":next_attempt", next_attempt);
	store_bind_text(s, ":error", error);
	store_bind_int64(s, ":id", id);
	if (!store_done(st, s, err))
		return FALSE;
	g_debug("reply %" G_GINT64_FORMAT ": -> %s", id, outbox_state_str(to));
	return TRUE;
}
