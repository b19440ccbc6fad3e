/* reminders.h: reminder mail, each sent once and recorded, never to an
 * address that bounces: documents still missing some days after the last
 * reply, a TB result that expires before the end of the student's block,
 * and the week before a block starts. Inside the caller's transaction; the
 * rows (the reminders table, who is due one) are remindersdb.h's. */
#ifndef CLERK_REMINDERS_H
#define CLERK_REMINDERS_H

#include "ctx.h"

/* Queue the reminders due today; a line per reminder goes to log. */
gboolean reminders_due(struct process_ctx *pc, GString *log, GError **err) G_GNUC_WARN_UNUSED_RESULT;

#endif
