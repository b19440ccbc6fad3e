/* standing.h: where an application stands once its seats or waitlist places
 * changed: scheduled (a seat), waitlisted (a place still waiting),
 * not-scheduled (only places closed when their block started), complete again
 * (a seat or place given up, its other blocks still to come), or kept (a
 * cancelled one stays cancelled). Placement and offers both move seats;
 * this is the one function that says what that makes the status. */
#ifndef CLERK_STANDING_H
#define CLERK_STANDING_H

#include "appstatus.h"
#include "ctx.h"

/* Record the status the seats say (cause goes to the audit trail); *status
 * (may be NULL) gets it. */
gboolean standing_update(struct process_ctx *pc, gint64 app_id, gint64 ledger_id,
    const char *cause, AppStatus *status, GError **err) G_GNUC_WARN_UNUSED_RESULT;

#endif
