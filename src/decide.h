/* decide.h: an application's documents filed and its status decided, inside
 * the caller's transaction: the one place a decision is taken and recorded
 * (process.c for mail, clerkctl for staff). */
#ifndef CLERK_DECIDE_H
#define CLERK_DECIDE_H

#include "dossier.h"
#include "ctx.h"

/* File every attachment of f (but skip, the form's own carrier) as a document
 * of app_id in the given state: its kind from a "Documents:" line, a staff
 * "Document:" line, a [kind] tag in the subject or the file name; its date
 * from the line. Appends a line per attachment, for the sender, to receipt. */
gboolean decide_file(struct process_ctx *pc, gint64 app_id, gint64 ledger_id,
    const struct facts *f, const struct attachment *skip, DocState state, const char *source,
    GString *receipt, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* Judge the application on today's rules and record the decision (audit
 * trail, and the application if anything changed). Never seats: settle.c
 * sequences judging and seating. dc is initialised here and the caller's to
 * clear. */
gboolean decide_eval(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, const char *cause,
    struct decision *dc, gboolean *changed, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* The decision as it stands in the store (status, missing, reasons), without
 * judging again: for mail about a change the rules did not make. */
gboolean decide_stored(struct process_ctx *pc, gint64 app_id, struct decision *dc, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* The decision in words, from the decision-*.txt templates (with app_id's
 * seats and waitlist places when the status is the scheduler's). */
char *decide_text(struct process_ctx *pc, gint64 app_id, const struct decision *dc, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* Evaluation forms that this message filed go on, attached, to the
 * coordinators of the applicant's courses (its seats, else its choices;
 * rules/coordinators.csv), or to staff where a course has none. */
gboolean decide_route_evaluations(struct process_ctx *pc, gint64 app_id, gint64 ledger_id,
    const struct facts *f, const char *sha256, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* The documents on file, a line each, for a status reply. */
char *decide_documents(struct process_ctx *pc, gint64 app_id, GError **err) G_GNUC_WARN_UNUSED_RESULT;

#endif
