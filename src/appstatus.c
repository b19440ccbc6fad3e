/* appstatus.c: application statuses, their names and the moves allowed. */
#include "appstatus.h"
#include "util.h"

#include <string.h>

static const char *const names[] = {
	[APP_RECEIVED] = "received",
	[APP_EARLY] = "early",
	[APP_INCOMPLETE] = "incomplete",
	[APP_INELIGIBLE] = "ineligible",
	[APP_COMPLETE] = "complete",
	[APP_SCHEDULED] = "scheduled",
	[APP_WAITLISTED] = "waitlisted",
	[APP_NOT_SCHEDULED] = "not-scheduled",
	[APP_CANCELLED] = "cancelled",
};

const char *
app_status_str(AppStatus s)
{
	return (guint)s < G_N_ELEMENTS(names) ? names[s] : "?";
}

gboolean
app_status_parse(const char *s, AppStatus *out)
{
	int i = util_name_index(names, G_N_ELEMENTS(names), s);

	if (i < 0)
		return FALSE;
	*out = (AppStatus)i;
	return TRUE;
}

gboolean
app_status_is(const char *s, AppStatus want)
{
	AppStatus got;

	return app_status_parse(s, &got) && got == want;
}

gboolean
app_status_judged(AppStatus s)
{
	return s == APP_RECEIVED || s == APP_EARLY || s == APP_INCOMPLETE || s == APP_INELIGIBLE ||
	    s == APP_COMPLETE;
}

gboolean
app_status_allowed(AppStatus from, AppStatus to)
{
	if ((guint)from >= G_N_ELEMENTS(names) || (guint)to >= G_N_ELEMENTS(names))
		return FALSE;
	if (from == to)
		return TRUE;
	switch (from) {
	case APP_RECEIVED:
	case APP_EARLY:
	case APP_INCOMPLETE:
	case APP_INELIGIBLE:
		return app_status_judged(to) || to == APP_CANCELLED;
	case APP_COMPLETE:
		return TRUE;	/* judged again, placed, or cancelled: any */
	case APP_WAITLISTED:
		return to == APP_SCHEDULED || to == APP_NOT_SCHEDULED || to == APP_COMPLETE ||
		    to == APP_CANCELLED;
	case APP_SCHEDULED:
		/* One block given up (a partial cancel): what is left decides. */
		return to == APP_WAITLISTED || to == APP_COMPLETE || to == APP_NOT_SCHEDULED ||
		    to == APP_CANCELLED;
	case APP_NOT_SCHEDULED:
		return to == APP_CANCELLED;
	case APP_CANCELLED:
		return FALSE;
	}
	return FALSE;
}

gboolean
app_status_reinstatable(AppStatus from, AppStatus to)
{
	return from == APP_CANCELLED && (guint)to < G_N_ELEMENTS(names) && app_status_judged(to);
}
