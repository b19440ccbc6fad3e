/* standing.c: an application's status as its seats say (standing.h). */
#include "standing.h"
#include "dossier.h"
#include "seats.h"
#include "util.h"

gboolean
standing_update(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, const char *cause,
    AppStatus *status, GError **err)
{
	struct seats_tally t = { 0 };
	g_autoptr(Dossier) d = NULL;
	AppStatus was, now;

	if (!seats_tally(pc->st, app_id, &t, err) || (d = dossier_load(pc->st, app_id, err)) == NULL)
		return FALSE;
	if (!app_status_parse(d->status, &was)) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_FINAL, "application %s: unknown status '%s'",
		    d->reference, d->status ? d->status : "");
		return FALSE;
	}
	if (was == APP_CANCELLED)
		now = was;
	else if (t.seats > 0)
		now = APP_SCHEDULED;
	else if (t.waiting > 0)
		now = APP_WAITLISTED;
	else if (t.closed > 0)
		now = APP_NOT_SCHEDULED;
	else if (was == APP_SCHEDULED || was == APP_WAITLISTED)
		now = APP_COMPLETE;	/* its block given up: it waits for its other blocks */
	else
		now = was;
	if (status != NULL)
		*status = now;
	return dossier_set_status(pc->st, app_id, ledger_id, now, cause, err);
}
