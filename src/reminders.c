/* reminders.c: the three reminders of policy.ini, each once per occasion:
 * when each is due and what it says. Its rows (the reminders table, and the
 * selects of who is due one) are remindersdb.c's. */
#include "reminders.h"
#include "decide.h"
#include "dossier.h"
#include "effects.h"
#include "remindersdb.h"
#include "rules.h"
#include "util.h"
#include "words.h"

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

/* Who a select found due (struct reminder_due), each with what to tell the
 * student, onto out; FALSE if the select failed (found NULL). */
static gboolean
collect(const Rules *r, GArray *out, GArray *found, const char *what)
{
	if (found == NULL)
		return FALSE;
	for (guint i = 0; i < found->len; i++) {
		const struct reminder_due *f = &g_array_index(found, struct reminder_due, i);
		struct due d = { f->app, g_strdup(f->key), NULL };
		if (what != NULL)
			d.what = g_strdup(what);
		else {	/* a block's: its course and block */
			g_autofree char *when = words_date(rules_block_start(r, f->key));
			d.what = g_strdup_printf("your clerkship in %s starts on %s (block %s). Please"
			    " check that we have your proof of malpractice insurance and of health"
			    " insurance.", f->course, when, f->key);
		}
		g_array_append_val(out, d);
	}
	g_array_unref(found);
	return TRUE;
}

/* Once per (application, kind, key); never to an address that bounced. */
static gboolean
send_once(struct process_ctx *pc, const char *kind, const struct due *d, GString *log, GError **err)
{
	g_autoptr(Dossier) dos = NULL;
	g_autofree char *decision = NULL, *seed = NULL, *subject = NULL;
	struct decision dc;
	gboolean ok;
	int recorded = remindersdb_record(pc->st, d->app_id, kind, d->key, err);

	if (recorded < 0)
		return FALSE;
	if (recorded == 0)
		return TRUE;	/* sent before, or the address bounces */
	if ((dos = dossier_load(pc->st, d->app_id, err)) == NULL)
		return FALSE;
	ok = decide_stored(pc, d->app_id, &dc, err) &&
	    (decision = decide_text(pc, d->app_id, &dc, err)) != NULL;
	decision_clear(&dc);
	if (!ok)
		return FALSE;
	seed = g_strdup_printf("reminder.%s.%" G_GINT64_FORMAT ".%s", kind, d->app_id, d->key);
	if ((subject = decide_subject(pc, d->app_id, "Reminder", err)) == NULL)
		return FALSE;
	g_string_append_printf(log, "reminder (%s) to %s\n", kind, dos->reference);
	if (!dossier_event(pc->st, d->app_id, 0, "reminder sent", err))
		return FALSE;
	effect_notify_applicant(pc, 0, dos, "reminder", subject, d->what, decision, seed, "");
	return TRUE;
}

gboolean
reminders_due(struct process_ctx *pc, GString *log, GError **err)
{
	static const char *const kinds[] = { "missing", "block" };
	static const char *const settings[] = { "remind_missing_days", "remind_block_days" };

	for (gsize k = 0; k < G_N_ELEMENTS(kinds); k++) {
		int n = setting_int(pc, settings[k]);
		g_autoptr(GArray) due = g_array_new(FALSE, TRUE, sizeof(struct due));
		g_array_set_clear_func(due, due_clear);
		if (n <= 0)
			continue;
		if (k == 0) {
			/* Incomplete, and the last mail to the student is N days old: once per such mail. */
			g_autofree char *sent_by = days_from(pc->today, -n);
			if (!collect(pc->cfg->rules, due, remindersdb_incomplete(pc->st, sent_by, err),
			    "your application is still incomplete. We cannot give you a place until"
			    " everything listed below has arrived."))
				return FALSE;
		} else {
			/* Scheduled, and the block starts within N days: once per block. Blocks
			 * whose start falls within n days: their ids, by the rules' dates. */
			g_autoptr(GPtrArray) blocks = rules_blocks(pc->cfg->rules);
			g_autofree char *until = days_from(pc->today, n);
			for (guint i = 0; i < blocks->len; i++) {
				const char *id = g_ptr_array_index(blocks, i);
				const char *start = rules_block_start(pc->cfg->rules, id);
				if (strcmp(start, pc->today) > 0 && strcmp(start, until) <= 0 &&
				    !collect(pc->cfg->rules, due, remindersdb_seated(pc->st, id, err),
				    NULL))
					return FALSE;
			}
		}
		for (guint i = 0; i < due->len; i++)
			if (!send_once(pc, kinds[k], &g_array_index(due, struct due, i), log, err))
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
			g_autofree char *what = NULL;
			if (strcmp(end, pc->today) < 0)
				continue;
			g_autofree char *last = words_date(end);
			what = g_strdup_printf("your TB screening result expires before the end of your"
			    " clerkship (block %s). Please send a new result, dated within 12 months"
			    " before %s, the last day of the block.", id, last);
			if (!collect(pc->cfg->rules, due, remindersdb_tb_expiring(pc->st, id, end, err),
			    what))
				return FALSE;
		}
		for (guint i = 0; i < due->len; i++)
			if (!send_once(pc, "tb-expiry", &g_array_index(due, struct due, i), log, err))
				return FALSE;
	}
	return TRUE;
}
