/* reminders.c: the three reminders of policy.ini, each once per occasion. */
#include "reminders.h"
#include "decide.h"
#include "dossier.h"
#include "effects.h"
#include "rules.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct due {
	gint64 app_id;
	char *key;		/* what makes it once: the reply it follows, the block */
	char *what;		/* for the student */
};

static void
due_clear(gpointer p)
{
	struct due *d = p;

	g_free(d->key);
	g_free(d->what);
}

static int
setting_int(const struct process_ctx *pc, const char *name)
{
	const char *v = rules_setting(pc->cfg->rules, name);
	return v ? atoi(v) : 0;
}

static char *
days_from(const char *today, int days)
{
	GDate d;
	char out[11];

	g_date_clear(&d, 1);
	g_date_set_parse(&d, today);
	if (!g_date_valid(&d))
		return g_strdup(today);
	if (days >= 0)
		g_date_add_days(&d, days);
	else
		g_date_subtract_days(&d, -days);
	g_date_strftime(out, sizeof out, "%Y-%m-%d", &d);
	return g_strdup(out);
}

/* Candidates from a query of (application id, key, text). */
static gboolean
collect(struct process_ctx *pc, GArray *out, const char *sql, const char *a, const char *b,
    GError **err)
{
	sqlite3_stmt *s = store_stmt(pc->st, sql, err);
	int rc;

	if (s == NULL)
		return FALSE;
	sqlite3_bind_text(s, 1, a, -1, SQLITE_TRANSIENT);
	if (sqlite3_bind_parameter_count(s) >= 2)
		sqlite3_bind_text(s, 2, b, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct due d = { sqlite3_column_int64(s, 0),
			g_strdup((const char *)sqlite3_column_text(s, 1)),
			g_strdup((const char *)sqlite3_column_text(s, 2)) };
		g_array_append_val(out, d);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? TRUE : store_fail(pc->st, rc, "reminders", err);
}

/* Once per (application, kind, key); never to an address that bounced. */
static gboolean
send_once(struct process_ctx *pc, const char *kind, const struct due *d, GString *log, GError **err)
{
	sqlite3_stmt *s = store_stmt(pc->st, "INSERT OR IGNORE INTO reminders (application_id, kind, key)"
	    " SELECT id, ?2, ?3 FROM applications a WHERE id = ?1 AND email <> ''"
	    " AND NOT EXISTS (SELECT 1 FROM bounces b WHERE b.address = a.email)", err);
	g_autoptr(Dossier) dos = NULL;
	g_autofree char *decision = NULL, *seed = NULL, *subject = NULL;
	struct decision dc;
	gboolean ok;

	if (s == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, d->app_id);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, d->key, -1, SQLITE_TRANSIENT);
	if (!store_done(pc->st, s, err))
		return FALSE;
	if (sqlite3_changes(store_db(pc->st)) == 0)
		return TRUE;	/* sent before, or the address bounces */
	if ((dos = dossier_load(pc->st, d->app_id, err)) == NULL)
		return FALSE;
	ok = decide_stored(pc, d->app_id, &dc, err) &&
	    (decision = decide_text(pc, d->app_id, &dc, err)) != NULL;
	decision_clear(&dc);
	if (!ok)
		return FALSE;
	seed = g_strdup_printf("reminder.%s.%" G_GINT64_FORMAT ".%s", kind, d->app_id, d->key);
	subject = g_strdup_printf("Reminder: your application %s", dos->reference);
	g_string_append_printf(log, "reminder (%s) to %s\n", kind, dos->reference);
	if (!dossier_event(pc->st, d->app_id, 0, "reminder sent", err))
		return FALSE;
	effect_notify_applicant(pc, 0, dos, "reminder", subject, d->what, decision, seed, "");
	return TRUE;
}

gboolean
reminders_due(struct process_ctx *pc, GString *log, GError **err)
{
	static const struct {
		const char *kind, *setting, *sql;
	} kinds[] = {
		/* Incomplete, and the last mail to the student is N days old: once per such mail. */
		{ "missing", "remind_missing_days",
		  "SELECT a.id, o.id, 'your application is still incomplete; it cannot be scheduled"
		  " until every document has arrived.' FROM applications a JOIN outbox o"
		  " ON o.id = (SELECT max(id) FROM outbox WHERE application_id = a.id AND rcpt = a.email"
		  " AND state = 'sent') WHERE a.status = 'incomplete' AND date(o.sent_at) <= ?1 AND ?2 = ?2" },
		/* Scheduled, and the block starts within N days: once per block. */
		{ "block", "remind_block_days",
		  "SELECT s.application_id, s.block, 'your clerkship in ' || s.course || ' starts'"
		  " || ' soon (block ' || s.block || '). Please make sure we have your proof of"
		  " malpractice and health insurance.' FROM assignments s WHERE s.state = 'active'"
		  " AND s.block <= ?1 AND s.block >= ?2" },
	};

	for (gsize k = 0; k < G_N_ELEMENTS(kinds); k++) {
		int n = setting_int(pc, kinds[k].setting);
		g_autoptr(GArray) due = g_array_new(FALSE, TRUE, sizeof(struct due));
		g_autofree char *a = NULL, *b = NULL;
		g_array_set_clear_func(due, due_clear);
		if (n <= 0)
			continue;
		if (k == 0) {
			a = days_from(pc->today, -n);
			b = g_strdup("");
			if (!collect(pc, due, kinds[k].sql, a, b, err))
				return FALSE;
		} else {
			/* Blocks whose start falls within n days: their ids, by the rules' dates. */
			g_autoptr(GPtrArray) blocks = rules_blocks(pc->cfg->rules);
			g_autofree char *until = days_from(pc->today, n);
			for (guint i = 0; i < blocks->len; i++) {
				const char *id = g_ptr_array_index(blocks, i);
				const char *start = rules_block_start(pc->cfg->rules, id);
				if (strcmp(start, pc->today) > 0 && strcmp(start, until) <= 0 &&
				    !collect(pc, due, kinds[k].sql, id, id, err))
					return FALSE;
			}
		}
		for (guint i = 0; i < due->len; i++)
			if (!send_once(pc, kinds[k].kind, &g_array_index(due, struct due, i), log, err))
				return FALSE;
	}
	/* A TB result that expires (12 months) before the end of the student's block. */
	if (setting_int(pc, "remind_tb_expiry") > 0) {
		g_autoptr(GArray) due = g_array_new(FALSE, TRUE, sizeof(struct due));
		g_autoptr(GPtrArray) blocks = rules_blocks(pc->cfg->rules);
		g_array_set_clear_func(due, due_clear);
		for (guint i = 0; i < blocks->len; i++) {
			const char *id = g_ptr_array_index(blocks, i);
			const char *end = rules_block_end(pc->cfg->rules, id);
			if (strcmp(end, pc->today) < 0)
				continue;
			if (!collect(pc, due, "SELECT s.application_id, s.block, 'your TB screening result"
			    " expires before the end of your clerkship (block ' || s.block || '): please"
			    " send a new one, dated within 12 months of the block''s last day.'"
			    " FROM assignments s WHERE s.state = 'active' AND s.block = ?2"
			    " AND (SELECT max(doc_date) FROM documents d WHERE d.application_id ="
			    " s.application_id AND d.kind IN ('tb-ppd', 'tb-igra') AND d.state IN ('filed',"
			    " 'accepted') AND d.pending = 0) < date(?1, '-12 months')", end, id, err))
				return FALSE;
		}
		for (guint i = 0; i < due->len; i++)
			if (!send_once(pc, "tb-expiry", &g_array_index(due, struct due, i), log, err))
				return FALSE;
	}
	return TRUE;
}
