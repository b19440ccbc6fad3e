/* seats.c: the tables assignments, waitlist and lotteries, and the SQL on
 * them for placement (seats.h). Every query names its parameters (:app,
 * :course, :block, :id, ...), bound by name here. */
#include "seats.h"

/* ---- stepping (parameters are bound by name: store_bind_*) ---- */

/* One integer: 1 with *out set, 0 if no row, -1 on error. */
static int
one_int(Store *st, sqlite3_stmt *s, const char *what, gint64 *out, GError **err)
{
	int rc = sqlite3_step(s), found = -1;

	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		found = 1;
	} else if (rc == SQLITE_DONE)
		found = 0;
	else
		store_fail(st, rc, what, err);
	sqlite3_reset(s);
	return found;
}

/* A count (a query that always returns one row); -1 on error. */
static gint64
count(Store *st, sqlite3_stmt *s, const char *what, GError **err)
{
	gint64 n = 0;

	return one_int(st, s, what, &n, err) < 0 ? -1 : n;
}

/* The first column of every row, as integers; NULL on error. */
static GArray *
ints(Store *st, sqlite3_stmt *s, const char *what, GError **err)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(gint64));
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		gint64 v = sqlite3_column_int64(s, 0);
		g_array_append_val(out, v);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		g_array_unref(out);
		store_fail(st, rc, what, err);
		return NULL;
	}
	return out;
}

/* ---- assignments ---- */

static void
seat_clear(gpointer p)
{
	struct seat *x = p;

	g_free(x->course);
	g_free(x->block);
}

gint64
seats_taken(Store *st, const char *course, const char *block, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM assignments WHERE course = :course"
	    " AND block = :block AND state = 'active'", err);

	if (s == NULL)
		return -1;
	store_bind_text(s, ":course", course);
	store_bind_text(s, ":block", block);
	return count(st, s, "assignments", err);
}

GPtrArray *
seats_schools(Store *st, const char *course, const char *block, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT p.school FROM assignments a JOIN applications p"
	    " ON p.id = a.application_id WHERE a.course = :course AND a.block = :block"
	    " AND a.state = 'active'", err);
	GPtrArray *out;
	int rc;

	if (s == NULL)
		return NULL;
	store_bind_text(s, ":course", course);
	store_bind_text(s, ":block", block);
	out = g_ptr_array_new_with_free_func(g_free);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		g_ptr_array_add(out, store_col_text(s, 0));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		g_ptr_array_unref(out);
		store_fail(st, rc, "home seats", err);
		return NULL;
	}
	return out;
}

gint64
seats_take(Store *st, gint64 app, const char *course, const char *block, const char *how,
    GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO assignments (application_id, course, block, how)"
	    " VALUES (:app, :course, :block, :how) RETURNING id", err);
	gint64 id = 0;
	int rc;

	if (s == NULL)
		return 0;
	store_bind_int64(s, ":app", app);
	store_bind_text(s, ":course", course);
	store_bind_text(s, ":block", block);
	store_bind_text(s, ":how", how);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW) {
		store_fail(st, rc, "assignment", err);
		return 0;
	}
	/* Seated in a block: its waitlists are done with for this applicant. */
	if ((s = store_stmt(st, "UPDATE waitlist SET state = 'closed' WHERE application_id = :app"
	    " AND block = :block AND state = 'waiting'", err)) == NULL)
		return 0;
	store_bind_int64(s, ":app", app);
	store_bind_text(s, ":block", block);
	return store_done(st, s, err) ? id : 0;
}

int
seats_free(Store *st, gint64 seat, const char *state, char **course, char **block, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT course, block FROM assignments WHERE id = :id", err);
	g_autofree char *c = NULL, *b = NULL;
	int rc;

	if (s == NULL)
		return -1;
	store_bind_int64(s, ":id", seat);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		c = store_col_text(s, 0);
		b = store_col_text(s, 1);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_fail(st, rc, "assignments", err);
		return -1;
	}
	if (rc == SQLITE_DONE)
		return 0;
	if ((s = store_stmt(st, "UPDATE assignments SET state = :state WHERE id = :id", err)) == NULL)
		return -1;
	store_bind_text(s, ":state", state);
	store_bind_int64(s, ":id", seat);
	if (!store_done(st, s, err))
		return -1;
	*course = g_steal_pointer(&c);
	*block = g_steal_pointer(&b);
	return 1;
}

GArray *
seats_of(Store *st, gint64 app, const char *block, GError **err)
{
	sqlite3_stmt *s = block == NULL ?
	    store_stmt(st, "SELECT id, course, block FROM assignments WHERE application_id = :app"
	    " AND state = 'active' ORDER BY id", err) :
	    store_stmt(st, "SELECT id, course, block FROM assignments WHERE application_id = :app"
	    " AND block = :block AND state = 'active' ORDER BY id", err);
	GArray *out;
	int rc;

	if (s == NULL)
		return NULL;
	store_bind_int64(s, ":app", app);
	if (block != NULL)
		store_bind_text(s, ":block", block);
	out = g_array_new(FALSE, TRUE, sizeof(struct seat));
	g_array_set_clear_func(out, seat_clear);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct seat x = { sqlite3_column_int64(s, 0), store_col_text(s, 1), store_col_text(s, 2) };
		g_array_append_val(out, x);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		g_array_unref(out);
		store_fail(st, rc, "assignments", err);
		return NULL;
	}
	return out;
}

static void
holder_clear(gpointer p)
{
	g_free(((struct seat_holder *)p)->course);
}

GArray *
seats_in_block(Store *st, const char *block, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT application_id, course FROM assignments"
	    " WHERE block = :block AND state = 'active' ORDER BY course, id", err);
	GArray *out;
	int rc;

	if (s == NULL)
		return NULL;
	store_bind_text(s, ":block", block);
	out = g_array_new(FALSE, TRUE, sizeof(struct seat_holder));
	g_array_set_clear_func(out, holder_clear);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct seat_holder x = { sqlite3_column_int64(s, 0), store_col_text(s, 1) };
		g_array_append_val(out, x);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		g_array_unref(out);
		store_fail(st, rc, "assignments", err);
		return NULL;
	}
	return out;
}

int
seats_placed(Store *st, gint64 app, const char *block, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT (SELECT count(*) FROM assignments"
	    " WHERE application_id = :app AND block = :block AND state = 'active') + (SELECT count(*)"
	    " FROM waitlist WHERE application_id = :app AND block = :block)", err);
	gint64 n;

	if (s == NULL)
		return -1;
	store_bind_int64(s, ":app", app);
	store_bind_text(s, ":block", block);
	n = count(st, s, "placement", err);
	return n < 0 ? -1 : n > 0;
}

gboolean
seats_tally(Store *st, gint64 app, struct seats_tally *t, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT (SELECT count(*) FROM assignments"
	    " WHERE application_id = :app AND state = 'active'), (SELECT count(*) FROM waitlist"
	    " WHERE application_id = :app AND state = 'waiting'), (SELECT count(*) FROM waitlist"
	    " WHERE application_id = :app AND state = 'closed')", err);
	int rc;

	if (s == NULL)
		return FALSE;
	store_bind_int64(s, ":app", app);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		t->seats = sqlite3_column_int64(s, 0);
		t->waiting = sqlite3_column_int64(s, 1);
		t->closed = sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || store_fail(st, rc, "placement", err);
}

/* ---- waitlist ---- */

static void
place_clear(gpointer p)
{
	struct waitlist_place *x = p;

	g_free(x->course);
	g_free(x->block);
}

gboolean
waitlist_add(Store *st, gint64 app, const char *course, const char *block, int position,
    GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO waitlist (application_id, course, block,"
	    " position) VALUES (:app, :course, :block, CASE WHEN :position > 0 THEN :position"
	    " ELSE (SELECT coalesce(max(position), 0) + 1 FROM waitlist WHERE course = :course"
	    " AND block = :block) END)", err);

	if (s == NULL)
		return FALSE;
	store_bind_int64(s, ":app", app);
	store_bind_text(s, ":course", course);
	store_bind_text(s, ":block", block);
	store_bind_int64(s, ":position", position);
	return store_done(st, s, err);
}

int
waitlist_first(Store *st, const char *course, const char *block, gint64 *place, gint64 *app,
    GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT w.id, w.application_id FROM waitlist w"
	    " JOIN applications a ON a.id = w.application_id WHERE w.course = :course"
	    " AND w.block = :block AND w.state = 'waiting' AND a.status <> 'cancelled'"
	    " AND NOT EXISTS (SELECT 1 FROM offers o WHERE o.application_id = w.application_id"
	    "  AND o.block = w.block AND o.state = 'open')"
	    " ORDER BY w.position LIMIT 1", err);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, ":course", course);
	store_bind_text(s, ":block", block);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*place = sqlite3_column_int64(s, 0);
		*app = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	store_fail(st, rc, "waitlist", err);
	return -1;
}

gboolean
waitlist_promote(Store *st, gint64 place, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE waitlist SET state = 'promoted' WHERE id = :id", err);

	if (s == NULL)
		return FALSE;
	store_bind_int64(s, ":id", place);
	return store_done(st, s, err);
}

gboolean
waitlist_leave(Store *st, gint64 place, const char *state, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE waitlist SET state = :state WHERE id = :id"
	    " AND state = 'waiting'", err);

	if (s == NULL)
		return FALSE;
	store_bind_text(s, ":state", state);
	store_bind_int64(s, ":id", place);
	return store_done(st, s, err);
}

gboolean
waitlist_withdraw(Store *st, gint64 app, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE waitlist SET state = 'withdrawn'"
	    " WHERE application_id = :app AND state = 'waiting'", err);

	if (s == NULL)
		return FALSE;
	store_bind_int64(s, ":app", app);
	return store_done(st, s, err);
}

gboolean
waitlist_withdraw_block(Store *st, gint64 app, const char *block, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE waitlist SET state = 'withdrawn'"
	    " WHERE application_id = :app AND block = :block AND state = 'waiting'", err);

	if (s == NULL)
		return FALSE;
	store_bind_int64(s, ":app", app);
	store_bind_text(s, ":block", block);
	return store_done(st, s, err);
}

GArray *
waitlist_of(Store *st, gint64 app, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT w.id, w.course, w.block, (SELECT count(*)"
	    " FROM waitlist v WHERE v.course = w.course AND v.block = w.block"
	    " AND v.state = 'waiting' AND v.position <= w.position) FROM waitlist w"
	    " WHERE w.application_id = :app AND w.state = 'waiting' ORDER BY w.block, w.id", err);
	GArray *out;
	int rc;

	if (s == NULL)
		return NULL;
	store_bind_int64(s, ":app", app);
	out = g_array_new(FALSE, TRUE, sizeof(struct waitlist_place));
	g_array_set_clear_func(out, place_clear);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct waitlist_place x = { sqlite3_column_int64(s, 0), store_col_text(s, 1),
		    store_col_text(s, 2), sqlite3_column_int(s, 3) };
		g_array_append_val(out, x);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		g_array_unref(out);
		store_fail(st, rc, "waitlist", err);
		return NULL;
	}
	return out;
}

GArray *
waitlist_waiting(Store *st, const char *block, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT DISTINCT application_id FROM waitlist"
	    " WHERE block = :block AND state = 'waiting'", err);

	if (s == NULL)
		return NULL;
	store_bind_text(s, ":block", block);
	return ints(st, s, "waitlist", err);
}

gboolean
waitlist_close_block(Store *st, const char *block, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE waitlist SET state = 'closed'"
	    " WHERE block = :block AND state = 'waiting'", err);

	if (s == NULL)
		return FALSE;
	store_bind_text(s, ":block", block);
	return store_done(st, s, err);
}

/* ---- lotteries ---- */

static void
entry_clear(gpointer p)
{
	struct lottery_entry *x = p;

	g_free(x->reference);
	g_free(x->school);
	g_free(x->core);
	g_free(x->course);
	g_free(x->complete_on);
}

GArray *
lottery_entries(Store *st, const char *block, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT a.id, a.reference, a.school,"
	    " json_extract(a.form, '$.core_clerkships_completed'), c.course,"
	    " (SELECT count(DISTINCT block) FROM assignments s WHERE s.application_id = a.id"
	    "  AND s.state = 'active'), a.complete_on"
	    " FROM applications a JOIN choices c ON c.application_id = a.id"
	    " WHERE c.block = :block AND a.status IN ('complete', 'scheduled', 'waitlisted')"
	    " AND NOT EXISTS (SELECT 1 FROM assignments s WHERE s.application_id = a.id"
	    "  AND s.block = :block AND s.state = 'active')"
	    " ORDER BY a.id, c.rank", err);
	GArray *out;
	int rc;

	if (s == NULL)
		return NULL;
	store_bind_text(s, ":block", block);
	out = g_array_new(FALSE, TRUE, sizeof(struct lottery_entry));
	g_array_set_clear_func(out, entry_clear);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct lottery_entry x = {
			.app = sqlite3_column_int64(s, 0),
			.reference = store_col_text(s, 1),
			.school = store_col_text(s, 2),
			.core = store_col_text(s, 3),
			.course = store_col_text(s, 4),
			.blocks = sqlite3_column_int(s, 5),
			.complete_on = store_col_text(s, 6),
		};
		g_array_append_val(out, x);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		g_array_unref(out);
		store_fail(st, rc, "participants", err);
		return NULL;
	}
	return out;
}

int
lottery_drawn(Store *st, const char *block, gint64 *seed, char **draw, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT seed, draw FROM lotteries WHERE block = :block", err);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_text(s, ":block", block);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (seed != NULL)
			*seed = sqlite3_column_int64(s, 0);
		if (draw != NULL)
			*draw = store_col_text(s, 1);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	store_fail(st, rc, "lotteries", err);
	return -1;
}

int
lottery_open(Store *st, const char *block, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM lotteries WHERE block = :block"
	    " AND closed = 0", err);
	gint64 n;

	if (s == NULL)
		return -1;
	store_bind_text(s, ":block", block);
	n = count(st, s, "lotteries", err);
	return n < 0 ? -1 : n > 0;
}

gboolean
lottery_record(Store *st, const char *block, gint64 seed, const char *policy, const char *draw,
    GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO lotteries (block, seed, policy, draw)"
	    " VALUES (:block, :seed, :policy, :draw)", err);

	g_return_val_if_fail(seed >= 0, FALSE);
	if (s == NULL)
		return FALSE;
	store_bind_text(s, ":block", block);
	store_bind_int64(s, ":seed", seed);
	store_bind_text(s, ":policy", policy);
	store_bind_text(s, ":draw", draw);
	return store_done(st, s, err);
}

int
lottery_notice_record(Store *st, const char *block, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT OR IGNORE INTO lottery_notices (block)"
	    " VALUES (:block)", err);

	if (s == NULL)
		return -1;
	store_bind_text(s, ":block", block);
	if (!store_done(st, s, err))
		return -1;
	return sqlite3_changes(store_db(st)) > 0 ? 1 : 0;
}

gboolean
lottery_close(Store *st, const char *block, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE lotteries SET closed = 1 WHERE block = :block", err);

	if (s == NULL)
		return FALSE;
	store_bind_text(s, ":block", block);
	return store_done(st, s, err);
}
