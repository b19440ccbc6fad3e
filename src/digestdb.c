/* digestdb.c: the digest's figures (see digestdb.h). Each list is one
 * SELECT whose last column is the count of the whole list (a window), so a
 * long list is cut without a second query. */
#include "digestdb.h"
#include "util.h"

#include <string.h>

/* :since is bound to "" for "ever": every store time is greater. The lists
 * are of what waits on staff, so cancelled applications stay out of them. */
/* This term (digestdb.h): the blocks not over; the applications of the last
 * year or choosing one of them. */
#define BLOCKS "(SELECT value FROM json_each(:blocks))"
#define THIS_TERM "id IN (SELECT id FROM applications WHERE created_at >= :year_ago" \
	" UNION SELECT application_id FROM choices WHERE block IN " BLOCKS ")"
static const char *const sql[DIGESTDB_N] = {
	[DIGESTDB_NEW] =
	    "SELECT reference, name, coalesce(country, ''), status, 0, count(*) OVER ()"
	    " FROM applications WHERE created_at > :since ORDER BY id LIMIT :limit",
	[DIGESTDB_COMPLETE] =
	    "SELECT a.reference, a.name, a.status, date(max(d.at)), 0, count(*) OVER ()"
	    " FROM decisions d CROSS JOIN applications a ON a.id = d.application_id"
	    " WHERE d.at > :since AND d.status = 'complete' AND coalesce(d.previous, 'received')"
	    " IN ('received', 'early', 'incomplete', 'ineligible')"
	    " GROUP BY a.id ORDER BY a.id LIMIT :limit",
	[DIGESTDB_HELD] =
	    "SELECT a.reference, coalesce(l.sender, ''), min(doc.received), '', count(*),"
	    " count(*) OVER () FROM documents doc INDEXED BY documents_state"
	    " CROSS JOIN applications a ON a.id = doc.application_id"
	    " LEFT JOIN ledger l ON l.id = doc.ledger_id WHERE doc.state = 'held'"
	    " AND a.status <> 'cancelled' GROUP BY a.id, doc.ledger_id ORDER BY min(doc.id)"
	    " LIMIT :limit",
	[DIGESTDB_QUESTIONS] =
	    "SELECT a.reference, coalesce(l.subject, ''), date(o.created_at), '', o.id,"
	    " count(*) OVER () FROM outbox o JOIN applications a ON a.id = o.application_id"
	    " LEFT JOIN ledger l ON l.id = o.ledger_id"
	    " WHERE o.kind IN ('question-forwarded', 'passed-to-staff') AND a.status <> 'cancelled'"
	    " AND NOT EXISTS (SELECT 1 FROM outbox r WHERE r.application_id = o.application_id"
	    " AND r.kind = 'staff-message' AND r.id > o.id) ORDER BY o.id LIMIT :limit",
	/* Documents clerkd could not recognise, one a line; and applications
	 * flagged dates-to-check (a date stood in: decide.c), one a line with
	 * their undated documents (n 0: see clerkctl doc list REF). */
	[DIGESTDB_TO_CHECK] =
	    "SELECT r, f, w, '', n, count(*) OVER () FROM ("
	    " SELECT a.reference AS r, coalesce(doc.filename, '') AS f, 'not recognised' AS w,"
	    " doc.id AS n, doc.id AS o FROM documents doc JOIN applications a"
	    " ON a.id = doc.application_id WHERE doc.state = 'filed' AND doc.kind IS NULL"
	    " AND a.status NOT IN ('cancelled', 'ineligible')"
	    " UNION ALL SELECT a.reference, count(*) || ' without a date', 'dates to check', 0,"
	    " min(doc.id) FROM documents doc INDEXED BY documents_undated CROSS JOIN applications a"
	    " ON a.id = doc.application_id"
	    " WHERE doc.state = 'filed' AND doc.kind IS NOT NULL AND doc.dated = 0"
	    " AND a.status NOT IN ('cancelled', 'ineligible')"
	    " AND instr(',' || coalesce(a.flags, '') || ',', ',dates-to-check,') > 0 GROUP BY a.id)"
	    " ORDER BY o LIMIT :limit",
	[DIGESTDB_QUARANTINE] =
	    "SELECT coalesce(sender, ''), coalesce(subject, ''), coalesce(error, ''), '', id,"
	    " count(*) OVER () FROM ledger WHERE state = 'quarantined' ORDER BY id LIMIT :limit",
	[DIGESTDB_BOUNCES] =
	    "SELECT b.address, coalesce(b.status, ''), date(b.at), coalesce(a.reference, ''), b.id,"
	    " count(*) OVER () FROM bounces b JOIN outbox o ON o.id = b.outbox_id"
	    " LEFT JOIN applications a ON a.id = o.application_id WHERE b.at > :since"
	    " ORDER BY b.id LIMIT :limit",
	[DIGESTDB_BY_STATUS] =
	    "SELECT status, '', '', '', count(*), 0 FROM applications WHERE " THIS_TERM
	    " GROUP BY status ORDER BY count(*) DESC, status LIMIT :limit",
	[DIGESTDB_BY_COUNTRY] =
	    "SELECT trim(coalesce(country, '')), '', '', '', count(*), 0 FROM applications"
	    " WHERE status <> 'cancelled' AND " THIS_TERM " GROUP BY trim(coalesce(country, ''))"
	    " COLLATE NOCASE ORDER BY count(*) DESC, 1 LIMIT :limit",
	[DIGESTDB_TAKEN] =
	    "SELECT block, course, '', '', count(*), 0 FROM assignments WHERE state = 'active'"
	    " AND block IN " BLOCKS
	    " GROUP BY block, course ORDER BY block, course LIMIT :limit",
	[DIGESTDB_WANTED] =
	    "SELECT c.block, c.course, '', '', count(DISTINCT a.id), 0 FROM choices c"
	    " JOIN applications a ON a.id = c.application_id WHERE c.block IN " BLOCKS
	    " AND a.status NOT IN ('cancelled', 'ineligible') GROUP BY c.block, c.course"
	    " ORDER BY c.block, c.course LIMIT :limit",
	[DIGESTDB_COMPLETE_BY_BLOCK] =
	    "SELECT c.block, '', '', '', count(DISTINCT a.id), 0 FROM choices c"
	    " JOIN applications a ON a.id = c.application_id WHERE a.status = 'complete'"
	    " AND c.block IN " BLOCKS
	    " GROUP BY c.block ORDER BY c.block LIMIT :limit",
};

static void
row_free(gpointer p)
{
	struct digestdb_row *r = p;

	for (int i = 0; i < 4; i++)
		g_free(r->col[i]);
	g_free(r);
}

void
digestdb_list_clear(struct digestdb_list *l)
{
	g_clear_pointer(&l->rows, g_ptr_array_unref);
	l->total = 0;
}

gboolean
digestdb_read(Store *st, enum digestdb_what what, const char *since,
    const struct digestdb_scope *scope, struct digestdb_list *out, GError **err)
{
	sqlite3_stmt *s;
	int rc;

	g_return_val_if_fail(what < DIGESTDB_N, FALSE);
	out->rows = g_ptr_array_new_with_free_func(row_free);
	out->total = 0;
	if ((s = store_stmt(st, sql[what], err)) == NULL)
		return FALSE;
	if (sqlite3_bind_parameter_index(s, ":since") > 0)
		store_bind_text(s, ":since", since ? since : "");
	if (sqlite3_bind_parameter_index(s, ":blocks") > 0)
		store_bind_text(s, ":blocks", scope && scope->blocks ? scope->blocks : "[]");
	if (sqlite3_bind_parameter_index(s, ":year_ago") > 0)
		store_bind_text(s, ":year_ago", scope && scope->year_ago ? scope->year_ago : "");
	/* The counts are charts and tables the digest caps itself; 10000 keeps a
	 * runaway store from filling memory. */
	store_bind_int64(s, ":limit", what >= DIGESTDB_BY_STATUS ? 10000 : DIGESTDB_MAX_ROWS);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct digestdb_row *r = g_new0(struct digestdb_row, 1);
		for (int i = 0; i < 4; i++) {
			r->col[i] = store_col_text(s, i);
			if (r->col[i] == NULL)
				r->col[i] = g_strdup("");
		}
		r->n = sqlite3_column_int64(s, 4);
		out->total = what >= DIGESTDB_BY_STATUS ? out->total + 1 : sqlite3_column_int64(s, 5);
		g_ptr_array_add(out->rows, r);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "digest", err);
	return TRUE;
}

gboolean
digestdb_last(Store *st, const char *before, char **day, char **at, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT substr(kind, 8), min(created_at) FROM outbox"
	    " WHERE kind > 'digest:' AND kind < 'digest;' AND substr(kind, 8) < :before"
	    " GROUP BY kind ORDER BY kind DESC LIMIT 1", err);
	int rc;

	*day = *at = NULL;
	if (s == NULL)
		return FALSE;
	store_bind_text(s, ":before", before);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*day = store_col_text(s, 0);
		*at = store_col_text(s, 1);
		rc = SQLITE_DONE;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? TRUE : store_fail(st, rc, "digest", err);
}

int
digestdb_sent(Store *st, const char *day, GError **err)
{
	g_autofree char *kind = g_strdup_printf("digest:%s", day);
	sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM outbox WHERE kind = :kind", err);
	int rc, n = 0;

	if (s == NULL)
		return -1;
	store_bind_text(s, ":kind", kind);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW) {
		store_fail(st, rc, "digest", err);
		return -1;
	}
	return n > 0;
}
