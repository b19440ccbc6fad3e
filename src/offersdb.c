/* offersdb.c: the offers table (offersdb.h). */
#include "offersdb.h"

#include <string.h>

void
offer_clear(struct offer *o)
{
	g_free(o->course);
	g_free(o->block);
	g_free(o->token);
	g_free(o->expires);
	g_free(o->state);
	memset(o, 0, sizeof *o);
}

static void
offer_clear_p(gpointer p)
{
	offer_clear(p);
}

#define OFFER_COLUMNS "id, application_id, waitlist_id, course, block, token, expires, state"

static void
offer_read(sqlite3_stmt *s, struct offer *o)
{
	o->id = sqlite3_column_int64(s, 0);
	o->app = sqlite3_column_int64(s, 1);
	o->place = sqlite3_column_int64(s, 2);
	o->course = store_col_text(s, 3);
	o->block = store_col_text(s, 4);
	o->token = store_col_text(s, 5);
	o->expires = store_col_text(s, 6);
	o->state = store_col_text(s, 7);
}

gint64
offersdb_add(Store *st, gint64 app, gint64 place, const char *course, const char *block,
    const char *token, const char *expires, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO offers (application_id, waitlist_id, course,"
	    " block, token, expires) VALUES (:app, :place, :course, :block, :token, :expires)"
	    " RETURNING id", err);
	gint64 id = 0;
	int rc;

	if (s == NULL)
		return 0;
	store_bind_int64(s, ":app", app);
	store_bind_int64(s, ":place", place);
	store_bind_text(s, ":course", course);
	store_bind_text(s, ":block", block);
	store_bind_text(s, ":token", token);
	store_bind_text(s, ":expires", expires);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW) {
		store_fail(st, rc, "offers", err);
		return 0;
	}
	return id;
}

int
offersdb_get(Store *st, gint64 id, struct offer *o, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT " OFFER_COLUMNS " FROM offers WHERE id = :id", err);
	int rc;

	memset(o, 0, sizeof *o);
	if (s == NULL)
		return -1;
	store_bind_int64(s, ":id", id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		offer_read(s, o);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	store_fail(st, rc, "offers", err);
	return -1;
}

int
offersdb_end(Store *st, gint64 id, const char *state, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE offers SET state = :state,"
	    " answered_at = datetime('now') WHERE id = :id AND state = 'open'", err);

	if (s == NULL)
		return -1;
	store_bind_text(s, ":state", state);
	store_bind_int64(s, ":id", id);
	if (!store_done(st, s, err))
		return -1;
	return sqlite3_changes(store_db(st)) > 0;
}

gint64
offersdb_open(Store *st, const char *course, const char *block, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM offers WHERE course = :course"
	    " AND block = :block AND state = 'open'", err);
	gint64 n = -1;
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, ":course", course);
	store_bind_text(s, ":block", block);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		store_fail(st, rc, "offers", err);
	return n;
}

GArray *
offersdb_find(Store *st, gint64 app, const char *block, const char *today, GError **err)
{
	sqlite3_stmt *s = app > 0 ?
	    store_stmt(st, "SELECT id FROM offers WHERE state = 'open' AND application_id = :app"
	    " AND (:block IS NULL OR block = :block) ORDER BY id", err) : block != NULL ?
	    store_stmt(st, "SELECT id FROM offers WHERE state = 'open' AND block = :block"
	    " ORDER BY id", err) :
	    store_stmt(st, "SELECT id FROM offers WHERE state = 'open' AND expires < :today"
	    " ORDER BY id", err);
	GArray *out;
	int rc;

	if (s == NULL)
		return NULL;
	if (app > 0)
		store_bind_int64(s, ":app", app);
	if (app > 0 || block != NULL)
		store_bind_text(s, ":block", block);
	else
		store_bind_text(s, ":today", today);
	out = g_array_new(FALSE, FALSE, sizeof(gint64));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64(s, 0);
		g_array_append_val(out, id);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		g_array_unref(out);
		store_fail(st, rc, "offers", err);
		return NULL;
	}
	return out;
}

GArray *
offersdb_of(Store *st, gint64 app, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT " OFFER_COLUMNS " FROM offers"
	    " WHERE application_id = :app AND state = 'open' ORDER BY block, id", err);
	GArray *out;
	int rc;

	if (s == NULL)
		return NULL;
	store_bind_int64(s, ":app", app);
	out = g_array_new(FALSE, TRUE, sizeof(struct offer));
	g_array_set_clear_func(out, offer_clear_p);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct offer o;
		offer_read(s, &o);
		g_array_append_val(out, o);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		g_array_unref(out);
		store_fail(st, rc, "offers", err);
		return NULL;
	}
	return out;
}
