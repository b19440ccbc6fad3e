/* confirm.c: the confirmations table (confirm.h). */
#include "confirm.h"

#include <sqlite3.h>

void
confirmation_free(struct confirmation *c)
{
	if (c == NULL)
		return;
	g_free(c->token);
	g_free(c->action);
	g_free(c->detail);
	g_free(c->expires);
	g_free(c->message_id);
	g_free(c);
}

gboolean
confirm_add(Store *st, gint64 app_id, const struct confirmation *c, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO confirmations (token, application_id, action,"
	    " detail, message_id, expires) VALUES (:token, :app, :action, :detail, :message_id,"
	    " :expires)", err);

	if (s == NULL)
		return FALSE;
	store_bind_text(s, ":token", c->token);
	store_bind_int64(s, ":app", app_id);
	store_bind_text(s, ":action", c->action);
	store_bind_text(s, ":detail", c->detail);
	store_bind_text(s, ":message_id", c->message_id);
	store_bind_text(s, ":expires", c->expires);
	return store_done(st, s, err);
}

/* The rows of a bound statement over (token, action, detail, expires,
 * message_id), as confirmations; NULL on error. */
static GPtrArray *
rows(Store *st, sqlite3_stmt *s, GError **err)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)confirmation_free);
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct confirmation *c = g_new0(struct confirmation, 1);
		c->token = store_col_text(s, 0);
		c->action = store_col_text(s, 1);
		c->detail = store_col_text(s, 2);
		c->expires = store_col_text(s, 3);
		c->message_id = store_col_text(s, 4);
		g_ptr_array_add(out, c);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		g_ptr_array_unref(out);
		store_fail(st, rc, "confirmations", err);
		return NULL;
	}
	return out;
}

GPtrArray *
confirm_pending(Store *st, gint64 app_id, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT token, action, detail, expires, message_id"
	    " FROM confirmations WHERE application_id = :app AND used_at IS NULL"
	    " ORDER BY created_at DESC", err);
	if (s == NULL)
		return NULL;
	store_bind_int64(s, ":app", app_id);
	return rows(st, s, err);
}

GPtrArray *
confirm_spent(Store *st, gint64 app_id, const char *action, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT token, action, detail, expires, message_id"
	    " FROM confirmations WHERE application_id = :app AND action = :action"
	    " AND used_at IS NOT NULL ORDER BY created_at DESC, rowid DESC LIMIT 20", err);
	if (s == NULL)
		return NULL;
	store_bind_int64(s, ":app", app_id);
	store_bind_text(s, ":action", action);
	return rows(st, s, err);
}

gboolean
confirm_use(Store *st, const char *token, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE confirmations SET used_at = datetime('now')"
	    " WHERE token = :token", err);

	if (s == NULL)
		return FALSE;
	store_bind_text(s, ":token", token);
	return store_done(st, s, err);
}
