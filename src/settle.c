/* settle.c: judging and seating in sequence, and placement notices worded
 * (settle.h). */
#include "settle.h"
#include "decide.h"
#include "effects.h"
#include "lotterymail.h"
#include "offers.h"
#include "placement.h"
#include "reminders.h"
#include "util.h"
#include "words.h"

static gboolean
settle_keep(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, const char *cause,
    struct decision *dc, gboolean *changed, Dossier **kept, GError **err)
{
	g_autofree char *seated = NULL;
	gboolean again;

	if (!decide_eval_keep(pc, app_id, ledger_id, cause, dc, changed, kept, err))
		return FALSE;
	if (!app_status_is(dc->status, APP_COMPLETE))
		return TRUE;
	if (!placement_place(pc, app_id, ledger_id, &seated, err))
		return FALSE;
	if (seated == NULL)
		return TRUE;	/* placement is not open yet: complete it stays */
	/* Seats changed: judged once more, as the seats now stand. */
	decision_clear(dc);
	return decide_eval_keep(pc, app_id, ledger_id, "placement", dc, &again, kept, err);
}

gboolean
settle(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, const char *cause,
    struct decision *dc, gboolean *changed, GError **err)
{
	return settle_keep(pc, app_id, ledger_id, cause, dc, changed, NULL, err);
}

char *
settle_text(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, const char *cause,
    GError **err)
{
	struct decision dc;
	gboolean changed;
	char *text = NULL;
	g_autoptr(Dossier) d = NULL;	/* read once: judged, then put in words */

	if (settle_keep(pc, app_id, ledger_id, cause, &dc, &changed, &d, err))
		text = decide_text_with(pc, app_id, d, &dc, err);
	decision_clear(&dc);
	return text;
}

/* Applications held as early whose window opened by today: judged (and
 * seated, as any other) without another mail from the student, who is told
 * the decision in one notice. Once: judged, they are early no more (or early
 * until a later day). */
static gboolean
early_due(struct process_ctx *pc, GString *log, GError **err)
{
	g_autoptr(GArray) ids = dossier_early_due(pc->st, pc->today, err);

	if (ids == NULL)
		return FALSE;
	for (guint i = 0; i < ids->len; i++) {
		gint64 id = g_array_index(ids, gint64, i);
		g_autofree char *text = NULL, *seed = NULL, *title = NULL, *what = NULL;
		g_autofree char *when = words_date(pc->today);
		g_autoptr(Dossier) d = NULL;
		struct decision dc;
		gboolean changed, ok = settle(pc, id, 0, "application window opened", &dc, &changed,
		    err);

		if (ok && !app_status_is(dc.status, APP_EARLY))
			ok = (text = decide_text(pc, id, &dc, err)) != NULL &&
			    (d = dossier_load(pc->st, id, err)) != NULL &&
			    (title = decide_subject(pc, id, "Application window open", err)) != NULL;
		decision_clear(&dc);
		if (!ok)
			return FALSE;
		if (text == NULL)
			continue;	/* held until a later day */
		g_string_append_printf(log, "application %s judged: its application window opened\n",
		    d->reference);
		seed = g_strdup_printf("window-open.%" G_GINT64_FORMAT ".%s", id, pc->today);
		what = g_strdup_printf("the application window for your first chosen block opened "
		    "today, %s. So we have now checked your application, with every document you "
		    "sent us.", when);
		effect_notify_applicant(pc, 0, d, "window-open", title, what, text, seed, "");
	}
	return TRUE;
}

gboolean
settle_due(struct process_ctx *pc, GString *log, GError **err)
{
	return lotterymail_notices_due(pc, log, err) && placement_due(pc, log, err) &&
	    early_due(pc, log, err) && reminders_due(pc, log, err);
}

gboolean
settle_offers_due(struct process_ctx *pc, GString *log, GError **err)
{
	return offers_due(pc, log, err) && early_due(pc, log, err) &&
	    lotterymail_notices_due(pc, log, err);
}

/* A placement notice's decision, in words: the applicant judged again (a
 * seat makes malpractice proof required), never seated again here; and its
 * subject, the outcome ("Scheduled: NEU-301, 1-26 March 2027"). */
static char *
word_placement(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, char **subject,
    GError **err)
{
	struct decision dc;
	gboolean changed;
	char *text = NULL;

	if (decide_eval(pc, app_id, ledger_id, "placement", &dc, &changed, err) &&
	    (*subject = decide_subject(pc, app_id, NULL, err)) != NULL)
		text = decide_text(pc, app_id, &dc, err);
	decision_clear(&dc);
	return text;
}

gboolean
settle_apply(struct process_ctx *pc, GError **err)
{
	if (!effects_word_placements(pc, word_placement, err)) {
		effects_discard(pc);
		return FALSE;
	}
	return effects_apply(pc, err);
}
