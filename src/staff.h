/* staff.h: mail from an address on the staff list. It counts as staff only
 * when the receiving server's own Authentication-Results says so (DESIGN.md,
 * Security); then a forwarded document is credited to its applicant. */
#ifndef CLERK_STAFF_H
#define CLERK_STAFF_H

#include "ctx.h"
#include "facts.h"

gboolean staff_handle(struct process_ctx *pc, gint64 ledger_id, const struct facts *f,
    const char *sha256, GError **err) G_GNUC_WARN_UNUSED_RESULT;

#endif
