/* report.c: SQL in, JSON out. */
#include "report.h"
#include "util.h"

#include <string.h>

static gboolean
sql_fail(sqlite3 *db, GError **err)
{
	g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "database: %s", sqlite3_errmsg(db));
	return FALSE;
}

static void
add_col(JsonBuilder *b, sqlite3_stmt *s, int i)
{
	json_builder_set_member_name(b, sqlite3_column_name(s, i));
	switch (sqlite3_column_type(s, i)) {
	case SQLITE_INTEGER:
		json_builder_add_int_value(b, sqlite3_column_int64(s, i));
		break;
	case SQLITE_NULL:
		json_builder_add_null_value(b);
		break;
	default:
		json_builder_add_string_value(b, (const char *)sqlite3_column_text(s, i));
	}
}

/* Add an array of objects, one per row of sql, its parameter bound to id or text. */
static gboolean
rows(JsonBuilder *b, sqlite3 *db, const char *sql, gint64 id, const char *text, GError **err)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return sql_fail(db, err);
	if (text != NULL)
		sqlite3_bind_text(s, 1, text, -1, SQLITE_TRANSIENT);
	else if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int64(s, 1, id);
	json_builder_begin_array(b);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		json_builder_begin_object(b);
		for (int i = 0; i < sqlite3_column_count(s); i++)
			add_col(b, s, i);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? TRUE : sql_fail(db, err);
}

/* Add member `name`: rows of sql about one application. */
static gboolean
add_rows(JsonBuilder *b, sqlite3 *db, const char *name, const char *sql, gint64 id, GError **err)
{
	json_builder_set_member_name(b, name);
	return rows(b, db, sql, id, NULL, err);
}

static JsonNode *
report_rows(Store *st, const char *sql, const char *text, GError **err)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (!rows(b, store_db(st), sql, 0, text, err))
		return NULL;
	return json_builder_get_root(b);
}

JsonNode *
report_lotteries(Store *st, const char *block, GError **err)
{
	return report_rows(st, block ?
	    "SELECT block, seed, policy, at, closed, draw FROM lotteries WHERE block = ?" :
	    "SELECT block, seed, policy, at, closed, draw FROM lotteries ORDER BY block", block, err);
}

JsonNode *
report_quarantine(Store *st, GError **err)
{
	return report_rows(st, "SELECT id, state, message_id, sender, subject, attempts, error,"
	    " received_at, updated_at FROM ledger WHERE state IN ('quarantined', 'retry') ORDER BY id",
	    NULL, err);
}

JsonNode *
report_replies(Store *st, const char *state, GError **err)
{
	return report_rows(st, state ?
	    "SELECT o.id, a.reference, o.kind, o.rcpt, o.state, o.attempts, o.last_error, o.message_id,"
	    " o.created_at, o.sent_at FROM outbox o LEFT JOIN applications a ON a.id = o.application_id"
	    " WHERE o.state = ? ORDER BY o.id DESC" :
	    "SELECT o.id, a.reference, o.kind, o.rcpt, o.state, o.attempts, o.last_error, o.message_id,"
	    " o.created_at, o.sent_at FROM outbox o LEFT JOIN applications a ON a.id = o.application_id"
	    " ORDER BY o.id DESC", state, err);
}

static void
add_str(JsonBuilder *b, const char *name, const unsigned char *v)
{
	json_builder_set_member_name(b, name);
	if (v == NULL)
		json_builder_add_null_value(b);
	else
		json_builder_add_string_value(b, (const char *)v);
}

static const char app_columns[] =
    "SELECT id, reference, email, name, school, country, status, flags, created_at, missing,"
    " reasons FROM applications";

/* A JSON text stored by the rules (an array), as a member. */
static void
add_json(JsonBuilder *b, const char *name, const unsigned char *text)
{
	g_autoptr(JsonParser) p = json_parser_new();

	json_builder_set_member_name(b, name);
	if (text != NULL && json_parser_load_from_data(p, (const char *)text, -1, NULL) &&
	    JSON_NODE_HOLDS_ARRAY(json_parser_get_root(p)))
		json_builder_add_value(b, json_node_copy(json_parser_get_root(p)));
	else {
		json_builder_begin_array(b);
		json_builder_end_array(b);
	}
}

/* One application object from a row of app_columns; detail adds the history. */
static gboolean
add_app(JsonBuilder *b, sqlite3 *db, sqlite3_stmt *s, gboolean detail, GError **err)
{
	gint64 id = sqlite3_column_int64(s, 0);
	const char *flags = (const char *)sqlite3_column_text(s, 7);
	g_auto(GStrv) fl = g_strsplit(flags ? flags : "", ",", -1);

	json_builder_begin_object(b);
	add_str(b, "reference", sqlite3_column_text(s, 1));
	add_str(b, "email", sqlite3_column_text(s, 2));
	add_str(b, "name", sqlite3_column_text(s, 3));
	add_str(b, "school", sqlite3_column_text(s, 4));
	add_str(b, "country", sqlite3_column_text(s, 5));
	add_str(b, "status", sqlite3_column_text(s, 6));
	json_builder_set_member_name(b, "flags");
	json_builder_begin_array(b);
	for (int i = 0; fl[i] != NULL; i++)
		if (*fl[i] != '\0')
			json_builder_add_string_value(b, fl[i]);
	json_builder_end_array(b);
	add_json(b, "missing", sqlite3_column_text(s, 9));
	add_json(b, "reasons", sqlite3_column_text(s, 10));
	if (!add_rows(b, db, "assignments", "SELECT course, block FROM assignments"
	    " WHERE application_id = ? AND state = 'active' ORDER BY block", id, err) ||
	    !add_rows(b, db, "waitlist", "SELECT w.course, w.block, (SELECT count(*) FROM waitlist v"
	    " WHERE v.course = w.course AND v.block = w.block AND v.state = 'waiting'"
	    " AND v.position <= w.position) AS position FROM waitlist w"
	    " WHERE w.application_id = ? AND w.state = 'waiting' ORDER BY w.block, w.id", id, err) ||
	    !add_rows(b, db, "offers", "SELECT course, block, expires FROM offers"
	    " WHERE application_id = ? AND state = 'open' ORDER BY block, id", id, err))
		return FALSE;
	add_str(b, "created", sqlite3_column_text(s, 8));
	if (!add_rows(b, db, "choices", "SELECT rank, course, block FROM choices"
	    " WHERE application_id = ? ORDER BY rank", id, err))
		return FALSE;
	if (detail &&
	    (!add_rows(b, db, "documents", "SELECT id, filename, content_type, size, sha256, kind,"
	    " doc_date AS date, CASE WHEN dated THEN 'given' ELSE 'received' END AS date_from,"
	    " state, pending, positive, source, note, received FROM documents"
	    " WHERE application_id = ? ORDER BY id", id, err) ||
	    !add_rows(b, db, "decisions", "SELECT at, cause, previous, status, missing, reasons"
	    " FROM decisions WHERE application_id = ? ORDER BY id", id, err) ||
	    !add_rows(b, db, "messages", "SELECT message_id, sender, subject, class, reason, state,"
	    " received_at FROM ledger WHERE application_id = ? ORDER BY id", id, err) ||
	    !add_rows(b, db, "replies", "SELECT message_id, kind, rcpt, state, attempts, last_error,"
	    " created_at, sent_at FROM outbox WHERE application_id = ? ORDER BY id", id, err) ||
	    !add_rows(b, db, "events", "SELECT at, what FROM events WHERE application_id = ?"
	    " ORDER BY id", id, err) ||
	    !add_rows(b, db, "overrides", "SELECT rule, reason, actor AS \"by\", at FROM overrides"
	    " WHERE application_id = ? ORDER BY id", id, err)))
		return FALSE;
	json_builder_end_object(b);
	return TRUE;
}

JsonNode *
report_list(Store *st, const char *status, GError **err)
{
	sqlite3 *db = store_db(st);
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree char *sql = g_strdup_printf("%s%s ORDER BY id", app_columns,
	    status ? " WHERE status = ?" : "");
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		sql_fail(db, err);
		return NULL;
	}
	if (status)
		sqlite3_bind_text(s, 1, status, -1, SQLITE_TRANSIENT);
	json_builder_begin_array(b);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (!add_app(b, db, s, FALSE, err)) {
			sqlite3_finalize(s);
			return NULL;
		}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		sql_fail(db, err);
		return NULL;
	}
	json_builder_end_array(b);
	return json_builder_get_root(b);
}

JsonNode *
report_show(Store *st, const char *reference, GError **err)
{
	sqlite3 *db = store_db(st);
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree char *sql = g_strdup_printf("%s WHERE reference = ? COLLATE NOCASE", app_columns);
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		sql_fail(db, err);
		return NULL;
	}
	sqlite3_bind_text(s, 1, reference, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && add_app(b, db, s, TRUE, err)) {
		sqlite3_finalize(s);
		return json_builder_get_root(b);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		sql_fail(db, err);
	sqlite3_finalize(s);
	return NULL;
}

/* Member `name`: an object of counts, one per value of the query's first column. */
static gboolean
add_counts(JsonBuilder *b, sqlite3 *db, const char *name, const char *sql, GError **err)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return sql_fail(db, err);
	json_builder_set_member_name(b, name);
	json_builder_begin_object(b);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(s, 0);
		json_builder_set_member_name(b, k ? k : "none");
		json_builder_add_int_value(b, sqlite3_column_int64(s, 1));
	}
	json_builder_end_object(b);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? TRUE : sql_fail(db, err);
}

/* Member `name`: the first column of the query's one row (NULL if none). */
static gboolean
add_value(JsonBuilder *b, sqlite3 *db, const char *name, const char *sql, GError **err)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return sql_fail(db, err);
	json_builder_set_member_name(b, name);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW && sqlite3_column_type(s, 0) == SQLITE_INTEGER)
		json_builder_add_int_value(b, sqlite3_column_int64(s, 0));
	else if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		json_builder_add_string_value(b, (const char *)sqlite3_column_text(s, 0));
	else
		json_builder_add_null_value(b);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? TRUE : sql_fail(db, err);
}

JsonNode *
report_stats(Store *st, GError **err)
{
	sqlite3 *db = store_db(st);
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	if (!add_value(b, db, "backlog", "SELECT seen - handled FROM passes ORDER BY id DESC LIMIT 1", err) ||
	    !add_value(b, db, "last_pass", "SELECT at FROM passes ORDER BY id DESC LIMIT 1", err) ||
	    !add_value(b, db, "oldest_unprocessed_seconds", "SELECT CAST(strftime('%s','now') -"
	    " strftime('%s', min(received_at)) AS INTEGER) FROM ledger WHERE state IN ('failed', 'handled')", err) ||
	    !add_counts(b, db, "messages", "SELECT coalesce(class, state), count(*) FROM ledger GROUP BY 1", err) ||
	    !add_counts(b, db, "replies", "SELECT state, count(*) FROM outbox GROUP BY 1", err) ||
	    !add_counts(b, db, "applications", "SELECT status, count(*) FROM applications GROUP BY 1", err) ||
	    !add_value(b, db, "quarantined", "SELECT count(*) FROM ledger WHERE state = 'quarantined'", err) ||
	    !add_value(b, db, "loops_suppressed", "SELECT count(*) FROM outbox WHERE state = 'suppressed'", err) ||
	    !add_value(b, db, "bounces", "SELECT count(*) FROM bounces", err))
		return NULL;
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

char *
report_stats_prometheus(JsonNode *stats)
{
	JsonObject *o = json_node_get_object(stats);
	g_autoptr(GList) members = json_object_get_members(o);
	GString *out = g_string_new(NULL);

	for (GList *m = members; m != NULL; m = m->next) {
		JsonNode *v = json_object_get_member(o, m->data);
		if (JSON_NODE_HOLDS_OBJECT(v)) {
			JsonObject *counts = json_node_get_object(v);
			g_autoptr(GList) keys = json_object_get_members(counts);
			g_string_append_printf(out, "# TYPE clerkd_%s gauge\n", (char *)m->data);
			for (GList *k = keys; k != NULL; k = k->next)
				g_string_append_printf(out, "clerkd_%s{kind=\"%s\"} %" G_GINT64_FORMAT "\n",
				    (char *)m->data, (char *)k->data, json_object_get_int_member(counts, k->data));
		} else if (json_node_get_value_type(v) == G_TYPE_INT64)
			g_string_append_printf(out, "# TYPE clerkd_%s gauge\nclerkd_%s %" G_GINT64_FORMAT "\n",
			    (char *)m->data, (char *)m->data, json_node_get_int(v));
	}
	return g_string_free(out, FALSE);
}

char *
report_csv(Store *st, const char *what, GError **err)
{
	static const struct {
		const char *name, *sql;
	} exports[] = {
		{ "applications", "SELECT a.reference, a.email, a.name, a.school, a.country, a.status,"
		    " a.flags, a.created_at AS created,"
		    " (SELECT group_concat(course || ' ' || block, '; ') FROM"
		    "   (SELECT course, block FROM choices c WHERE c.application_id = a.id ORDER BY rank))"
		    "   AS choices FROM applications a ORDER BY a.id" },
		{ "documents", "SELECT a.reference, d.filename, d.content_type, d.size, d.kind,"
		    " d.doc_date AS date, d.received, d.sha256 FROM documents d"
		    " JOIN applications a ON a.id = d.application_id ORDER BY d.id" },
		{ "assignments", "SELECT s.block, s.course, a.reference, a.name, a.email, a.school,"
		    " s.how, s.at FROM assignments s JOIN applications a ON a.id = s.application_id"
		    " WHERE s.state = 'active' ORDER BY s.block, s.course, a.reference" },
		{ "waitlist", "SELECT w.block, w.course, (SELECT count(*) FROM waitlist v"
		    " WHERE v.course = w.course AND v.block = w.block AND v.state = 'waiting'"
		    " AND v.position <= w.position) AS position, a.reference, a.name, a.email"
		    " FROM waitlist w JOIN applications a ON a.id = w.application_id"
		    " WHERE w.state = 'waiting' ORDER BY w.block, w.course, w.position" },
	};
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	GString *out;
	int rc;

	for (gsize i = 0; i < G_N_ELEMENTS(exports); i++) {
		if (strcmp(what, exports[i].name) != 0)
			continue;
		if (sqlite3_prepare_v2(db, exports[i].sql, -1, &s, NULL) != SQLITE_OK) {
			sql_fail(db, err);
			return NULL;
		}
		out = g_string_new(NULL);
		for (int c = 0; c < sqlite3_column_count(s); c++)
			g_string_append_printf(out, "%s%s", c ? "," : "", sqlite3_column_name(s, c));
		g_string_append(out, "\r\n");
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			int n = sqlite3_column_count(s);
			for (int c = 0; c < n; c++) {
				const char *v = (const char *)sqlite3_column_text(s, c);
				util_csv_field(out, v ? v : "", c == n - 1);
			}
		}
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE) {
			g_string_free(out, TRUE);
			sql_fail(db, err);
			return NULL;
		}
		return g_string_free(out, FALSE);
	}
	g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "nothing to export called '%s'"
	    " (applications, documents)", what);
	return NULL;
}
