/* remindersdb.c: the reminders table, and the selects of who is due a
 * reminder (remindersdb.h). Every query names its parameters, bound by name. */
#include "remindersdb.h"

static void
due_clear(gpointer p)
{
	struct reminder_due *d = p;

	g_free(d->key);
	g_free(d->course);
}

/* The rows of a query of (application id, key[, course]); NULL on error. */
static GArray *
dues(Store *st, sqlite3_stmt *s, GError **err)
{
	GArray *out = g_array_new(FALSE, TRUE, sizeof(struct reminder_due));
	int rc;

	g_array_set_clear_func(out, due_clear);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct reminder_due d = { sqlite3_column_int64(s, 0), store_col_text(s, 1),
			sqlite3_column_count(s) > 2 ? store_col_text(s, 2) : NULL };
		g_array_append_val(out, d);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		g_array_unref(out);
		store_fail(st, rc, "reminders", err);
		return NULL;
	}
	return out;
}

GArray *
remindersdb_incomplete(Store *st, const char *sent_by, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT a.id, o.id FROM applications a JOIN outbox o"
	    " ON o.id = (SELECT max(id) FROM outbox WHERE application_id = a.id AND rcpt = a.email"
	    " AND state = 'sent') WHERE a.status = 'incomplete' AND date(o.sent_at) <= :sent_by", err);

	if (s == NULL)
		return NULL;
	store_bind_text(s, ":sent_by", sent_by);
	return dues(st, s, err);
}

GArray *
remindersdb_seated(Store *st, const char *block, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT application_id, block, course FROM assignments"
	    " WHERE state = 'active' AND block = :block ORDER BY course, id", err);

	if (s == NULL)
		return NULL;
	store_bind_text(s, ":block", block);
	return dues(st, s, err);
}

GArray *
remindersdb_tb_expiring(Store *st, const char *block, const char *end, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT s.application_id, s.block FROM assignments s"
	    " WHERE s.state = 'active' AND s.block = :block"
	    " AND (SELECT max(doc_date) FROM documents d WHERE d.application_id = s.application_id"
	    " AND d.kind IN ('tb-ppd', 'tb-igra') AND d.state IN ('filed', 'accepted')"
	    " AND d.pending = 0) < date(:end, '-12 months') ORDER BY s.course, s.id", err);

	if (s == NULL)
		return NULL;
	store_bind_text(s, ":block", block);
	store_bind_text(s, ":end", end);
	return dues(st, s, err);
}

int
remindersdb_record(Store *st, gint64 app, const char *kind, const char *key, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT OR IGNORE INTO reminders (application_id, kind, key)"
	    " SELECT id, :kind, :key FROM applications a WHERE id = :app AND email <> ''"
	    " AND NOT EXISTS (SELECT 1 FROM bounces b WHERE b.address = a.email)", err);

	if (s == NULL)
		return -1;
	store_bind_int64(s, ":app", app);
	store_bind_text(s, ":kind", kind);
	store_bind_text(s, ":key", key);
	if (!store_done(st, s, err))
		return -1;
	return sqlite3_changes(store_db(st)) > 0 ? 1 : 0;
}
