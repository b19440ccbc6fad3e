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

/* The same for a first contact (no application yet): each attachment kept
 * for the sender's address email, to be credited when an application
 * arrives from it (decide_credit_kept()). */
gboolean decide_keep(struct process_ctx *pc, const char *email, gint64 ledger_id,
    const struct facts *f, GString *receipt, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* The documents kept for email (the address the application came from, never
 * another) filed in app_id, before it is judged, and named by f's
 * "FILE = KIND DATE" lines if it has any (decide_name_docs()). Appends to out,
 * for the applicant, a list per day they were sent ("We also filed the
 * documents you sent on 20 October 2026, ..."), and what the lines did.
 * *credited: how many. */
gboolean decide_credit_kept(struct process_ctx *pc, gint64 app_id, gint64 ledger_id,
    const char *email, const struct facts *f, GString *out, guint *credited, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;

/* A student's "FILE = KIND [DATE]" lines about documents already on file for
 * app_id (from an earlier message, by file name, any case): each such
 * document takes the kind, date and pending/positive word of its line. A
 * line naming no document on file, or a kind that does not exist, gets a
 * sentence with the names on file or the kinds in words. Appends to out, for
 * the student, one sentence per line ("IMG_3318.jpeg is now filed as ...,
 * dated 12 October 2026."). *named: how many documents changed. */
gboolean decide_name_docs(struct process_ctx *pc, gint64 app_id, gint64 ledger_id,
    const struct facts *f, GString *out, guint *named, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* Judge the application on today's rules and record the decision (audit
 * trail, and the application if anything changed). Never seats: settle.c
 * sequences judging and seating. dc is initialised here and the caller's to
 * clear. */
gboolean decide_eval(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, const char *cause,
    struct decision *dc, gboolean *changed, GError **err) G_GNUC_WARN_UNUSED_RESULT;
/* The same, and the dossier it judged into *kept (replacing one there): read
 * once, for decide_text_with(). It is as read before the decision was
 * recorded: its status, missing and reasons are the old ones (dc has the
 * new), its choices, form and exceptions are current. */
gboolean decide_eval_keep(struct process_ctx *pc, gint64 app_id, gint64 ledger_id,
    const char *cause, struct decision *dc, gboolean *changed, Dossier **kept,
    GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* The decision as it stands in the store (status, missing, reasons), without
 * judging again: for mail about a change the rules did not make. */
gboolean decide_stored(struct process_ctx *pc, gint64 app_id, struct decision *dc, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* The decision in words, from the decision-*.txt templates (with app_id's
 * seats and waitlist places when the status is the scheduler's). */
char *decide_text(struct process_ctx *pc, gint64 app_id, const struct decision *dc, GError **err) G_GNUC_WARN_UNUSED_RESULT;
/* The same with app_id's dossier as decide_eval_keep() read it (NULL: read here). */
char *decide_text_with(struct process_ctx *pc, gint64 app_id, const Dossier *loaded,
    const struct decision *dc, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* Evaluation forms that this message filed go on, attached, to the
 * coordinators of the applicant's courses (its seats, else its choices;
 * rules/coordinators.csv), or to staff where a course has none. */
gboolean decide_route_evaluations(struct process_ctx *pc, gint64 app_id, gint64 ledger_id,
    const struct facts *f, const char *sha256, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* The subject of mail about app_id that says where it stands, without the
 * reference: event is what happened ("Application received", "Documents
 * received"), said first while the application is incomplete ("Application
 * received: 3 items missing"); otherwise the outcome alone ("Application
 * complete", "Not eligible", "Scheduled: NEU-301, 1-26 March 2027",
 * "Waitlisted: MED-401, March 2027"). event "Status" always leads ("Status:
 * complete"), and so does "Reminder"; NULL: the outcome alone. NULL on error. */
char *decide_subject(struct process_ctx *pc, gint64 app_id, const char *event, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;

/* The documents on file, a line each, for a status reply. */
char *decide_documents(struct process_ctx *pc, gint64 app_id, GError **err) G_GNUC_WARN_UNUSED_RESULT;

#endif
