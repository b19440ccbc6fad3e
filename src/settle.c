/* settle.c: judging and seating in sequence, and placement notices worded
 * (settle.h). */
#include "settle.h"
#include "decide.h"
#include "effects.h"
#include "offers.h"
#include "placement.h"
#include "reminders.h"
#include "util.h"

gboolean
settle(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, const char *cause,
    struct decision *dc, gboolean *changed, GError **err)
{
	g_autofree char *seated = NULL;
	gboolean again;

	if (!decide_eval(pc, app_id, ledger_id, cause, dc, changed, err))
		return FALSE;
	if (!app_status_is(dc->status, APP_COMPLETE))
		return TRUE;
	if (!placement_place(pc, app_id, ledger_id, &seated, err))
		return FALSE;
	if (seated == NULL)
		return TRUE;	/* placement is not open yet: complete it stays */
	/* Seats changed: judged once more, as the seats now stand. */
	decision_clear(dc);
	return decide_eval(pc, app_id, ledger_id, "placement", dc, &again, err);
}

char *
settle_text(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, const char *cause,
    GError **err)
{
	struct decision dc;
	gboolean changed;
	char *text = NULL;

	if (settle(pc, app_id, ledger_id, cause, &dc, &changed, err))
		text = decide_text(pc, app_id, &dc, err);
	decision_clear(&dc);
	return text;
}

gboolean
settle_due(struct process_ctx *pc, GString *log, GError **err)
{
	return placement_due(pc, log, err) && reminders_due(pc, log, err);
}

gboolean
settle_offers_due(struct process_ctx *pc, GString *log, GError **err)
{
	return offers_due(pc, log, err);
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
