/* dossier.h: one application as the rules see it. Plain data: filled from the
 * store (dossier.c) or by a test, read by rules_eval(). Below, the SQL that
 * the domain and clerkctl run on applications, choices, documents, decisions
 * and events (they run none of their own). */
#ifndef CLERK_DOSSIER_H
#define CLERK_DOSSIER_H

#include <glib.h>

#include "appstatus.h"
#include "store.h"

/* What staff and students did with a document. */
typedef enum {
	DOC_FILED,	/* from the applicant: counts (unless staff must check first) */
	DOC_ACCEPTED,	/* checked by staff: counts */
	DOC_REJECTED,	/* refused by staff, or unreadable (encrypted): never counts */
	DOC_HELD,	/* from another address: counts only once staff accept it */
} DocState;
const char *doc_state_str(DocState s);
gboolean doc_state_parse(const char *s, DocState *out);

struct dossier_doc {
	gint64 id;
	char *kind;		/* a kind id; NULL if not recognised */
	char *date;		/* YYYY-MM-DD: as given, else the date received */
	gboolean dated;		/* the date was given (Documents: line, staff) */
	DocState state;
	gboolean pending;	/* e.g. serology after a booster not back yet */
	gboolean positive;	/* a positive TB result */
};

struct dossier {
	gint64 id;
	char *reference, *email, *name, *school, *country, *status;
	GHashTable *form;	/* normalized field name -> value */
	GArray *choices;	/* struct form_choice, by rank */
	GPtrArray *docs;	/* struct dossier_doc * */
	GPtrArray *overrides;	/* struct dossier_override *: a coordinator's exceptions */
};

/* A coordinator's exception (staff command override): the rule of
 * eligibility.ini, or the document kind, no longer counts against the
 * application. */
struct dossier_override {
	char *rule;		/* a rule id or a kind id */
	char *reason;		/* the coordinator's words, for the student */
	char *actor;		/* who ("staff <a@b>", "clerkctl") */
	char *at;		/* when (YYYY-MM-DD HH:MM:SS, UTC) */
};

struct dossier *dossier_new(void);
void dossier_free(struct dossier *d);
void dossier_doc_free(struct dossier_doc *doc);
typedef struct dossier Dossier;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Dossier, dossier_free)

/* ---- a decision: where an application stands, and why ---- */
struct decision_reason {
	char *rule;		/* the rule's id (its section) */
	char *text;		/* in words a student understands */
	gboolean unknown;	/* the form did not say enough to decide */
	char *opens;		/* a rule of outcome early: the day (YYYY-MM-DD) its
				 * condition holds, when the application is judged
				 * again; NULL for any other */
};

struct decision {
	char *status;		/* received, early, incomplete, ineligible, complete, or kept */
	GPtrArray *reasons;	/* struct decision_reason *: why not eligible or not complete */
	GPtrArray *missing;	/* char *: kind ids required and not met (pending ones too) */
	GPtrArray *pending;	/* char *: kind ids waiting for a result */
	GPtrArray *unchecked;	/* char *: kind ids met by a document whose date stood in */
	/* char *: "KIND\tTEXT", what a missing kind's documents lack (documents.ini
	 * explain-*), in plain words; not stored */
	GPtrArray *explained;
};
void decision_init(struct decision *dc);
void decision_clear(struct decision *dc);
/* "missing": a JSON array of the ids; "reasons": of {rule, text, outcome},
 * with opens (YYYY-MM-DD) for a reason of outcome early. */
char *decision_missing_json(const struct decision *dc);
char *decision_reasons_json(const struct decision *dc);

/* ---- in the store (inside the caller's transaction) ---- */

/* What is known of a document as it is filed. */
struct doc_meta {
	const char *kind;	/* NULL: not recognised */
	const char *date;	/* YYYY-MM-DD given; NULL: the date received stands in */
	DocState state;
	gboolean pending, positive;
	const char *source;	/* "applicant", "staff:ADDR", "other:ADDR" */
	const char *note;	/* why rejected or held, for staff */
};

/* A new application, as the form gave it. */
struct app_new {
	const char *email;	/* registered address */
	const char *name;
	const char *school;
	const char *country;
	const char *form_json;	/* every field as written */
	const char *flags;	/* comma-separated staff flags, or NULL */
	gint64 ledger_id;
	GArray *choices;	/* struct form_choice */
};

/* Create with the address's reserved reference, else the next of that year;
 * returns the reference. */
char *dossier_create(Store *st, int year, const struct app_new *a, gint64 *app_id, GError **err);
/* A form sent again from the registered address: the application's name,
 * school, country and form (every field, as it now stands) are these. */
gboolean dossier_update_form(Store *st, gint64 app_id, const char *name, const char *school,
    const char *country, const char *form_json, GError **err) G_GNUC_WARN_UNUSED_RESULT;
/* The application's choices are these (struct form_choice), and only these. */
gboolean dossier_set_choices(Store *st, gint64 app_id, GArray *choices, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;
/* The newest application registered to an address: its id (0 if none) and reference. */
gint64 dossier_by_email(Store *st, const char *email, char **reference, GError **err);
/* A line of an application's history (app_id 0: of a message that belongs to
 * none, such as a held forward; ledger_id 0: of no message). */
gboolean dossier_event(Store *st, gint64 app_id, gint64 ledger_id, const char *what, GError **err);
struct dossier *dossier_load(Store *st, gint64 app_id, GError **err);
/* File a document; returns its id, 0 on error. */
gint64 dossier_add_doc(Store *st, gint64 app_id, gint64 ledger_id, const struct attachment *a,
    const struct doc_meta *m, const char *received, GError **err);
/* Staff: a document's new state, and optionally its kind, date and a note. */
gboolean dossier_set_doc(Store *st, gint64 app_id, gint64 doc_id, DocState state,
    const char *kind, const char *date, const char *note, GError **err);
/* A student's line "FILE = KIND [DATE]" about a document already on file:
 * its kind, its date if the line gave one (else the date it had stays), and
 * whether its result is pending or positive, as the line says. Its state is
 * left as it was. FALSE with CLERK_ERROR_FINAL if app_id has no such document. */
gboolean dossier_name_doc(Store *st, gint64 app_id, gint64 doc_id, const struct doc_meta *m,
    GError **err);
/* Documents sent with a first contact, before any application: kept for the
 * sender's address (email), each as it would have been filed. Returns its id,
 * 0 on error. */
gint64 dossier_keep_doc(Store *st, const char *email, gint64 ledger_id,
    const struct attachment *a, const struct doc_meta *m, const char *received, GError **err);
/* The documents kept for email and not yet credited become app_id's, in the
 * order they came; returns them (struct doc_info *, with received set), empty
 * if there were none, NULL on error. Only ever the same address. */
GPtrArray *dossier_credit_kept(Store *st, const char *email, gint64 app_id, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;
/* The one way an application's status is written. Refuses a move that
 * app_status_allowed() does not list (CLERK_ERROR_FINAL, naming both
 * statuses); else records it in the audit trail (a row of decisions:
 * previous, status, missing, reasons, cause) and, if that changes anything,
 * on the application, logging "REFERENCE from -> to (cause)". missing and
 * reasons come from dc (a judgement), or stay the application's own when
 * dc is NULL (scheduling, cancellation). *changed (may be NULL) says whether
 * the application changed. */
gboolean dossier_transition(Store *st, gint64 app_id, gint64 ledger_id, const char *reference,
    AppStatus from, AppStatus to, const char *cause, const struct decision *dc,
    gboolean *changed, GError **err);
/* Record a decision (through dossier_transition(): a judgement is kept in the
 * audit trail even when it changes nothing); *changed says whether it changed
 * the application. */
gboolean dossier_decide(Store *st, const struct dossier *d, gint64 ledger_id,
    const struct decision *dc, const char *cause, gboolean *changed, GError **err);
/* An application by reference (any case): its id (0 if none) and address. */
gint64 dossier_by_reference(Store *st, const char *reference, char **email, GError **err);
/* The existing application whose reference text quotes first: its id (0 if
 * none, -1 on error), reference and address (email may be NULL). */
gint64 dossier_by_reference_in(Store *st, const char *text, char **ref, char **email,
    GError **err);
/* Another application with the same name and school from another address:
 * its reference, or NULL. */
char *dossier_same_person(Store *st, gint64 app_id, const char *name, const char *school,
    const char *email, GError **err);
/* A status set by scheduling or a cancellation (not by the rules), through
 * dossier_transition(); a no-op if it is already so. */
gboolean dossier_set_status(Store *st, gint64 app_id, gint64 ledger_id, AppStatus status,
    const char *cause, GError **err);
/* The applicant gives up a block (a confirmed partial cancel): its choices in
 * that block are withdrawn, so that no lottery or waitlist seats it there
 * again. Returns how many were withdrawn, -1 on error. */
int dossier_drop_block(Store *st, gint64 app_id, const char *block, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;
/* Add a staff flag (once). */
gboolean dossier_flag(Store *st, gint64 app_id, const char *flag, GError **err);
/* The day (YYYY-MM-DD) the application last became complete, or NULL for
 * not complete: set by decide_eval(), read for the documents deadline of
 * each block (guide_too_late()). *day: new string or NULL. */
gboolean dossier_set_complete_on(Store *st, gint64 app_id, const char *day, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean dossier_complete_on(Store *st, gint64 app_id, char **day, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;

/* ---- reads for replies and for staff (clerkctl) ----
 * A lookup that can find nothing returns 1 found, 0 none, -1 error; a list
 * is NULL only on error. */

/* A document as it is filed, for listing and fetching. */
struct doc_info {
	gint64 id;
	char *filename;		/* owned; NULL if the attachment had none */
	char *content_type;	/* owned */
	char *sha256;		/* owned: its file in the docstore */
	char *kind;		/* owned; NULL if not recognised */
	char *date;		/* owned: YYYY-MM-DD */
	gboolean dated;		/* the date was given, not the date received */
	char *state;		/* owned: as stored (doc_state_str()) */
	gboolean pending;
	char *source;		/* owned: "applicant", "staff:ADDR", "other:ADDR" */
	char *note;		/* owned; NULL if none */
	char *received;		/* owned: YYYY-MM-DD, the day it came */
};
void doc_info_free(struct doc_info *doc);

/* An application's documents (struct doc_info *, owned by the array), in the
 * order filed. */
GPtrArray *dossier_docs(Store *st, gint64 app_id, GError **err) G_GNUC_WARN_UNUSED_RESULT;
/* Its documents of a kind still waiting for staff (filed or held), in the
 * order filed. */
GPtrArray *dossier_docs_waiting(Store *st, gint64 app_id, const char *kind, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;
/* The evaluation forms one message filed for it that were not rejected. */
GPtrArray *dossier_docs_evaluations(Store *st, gint64 app_id, gint64 ledger_id, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;
/* One of its documents by id: 1 with *doc set (the caller's), 0 if it has no
 * such document, -1 on error. */
int dossier_doc(Store *st, gint64 app_id, gint64 doc_id, struct doc_info **doc, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;

/* ---- documents sent (a table of their own: the rules never see them) ---- */

/* A file mailed to app_id (its bytes already in the docstore under sha256),
 * in the mail of outbox kind mail, on day (YYYY-MM-DD): kept once per
 * content; the same bytes again only update the day it was last sent. */
gboolean dossier_add_sent(Store *st, gint64 app_id, const char *sha256, const char *filename,
    const char *content_type, gint64 size, const char *mail, const char *day, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;
/* The files mailed to app_id, in the order first sent, as struct doc_info
 * (state "sent", source "clerkd", date and received the day first sent,
 * note the mail they went with, kind NULL). */
GPtrArray *dossier_sent_docs(Store *st, gint64 app_id, GError **err) G_GNUC_WARN_UNUSED_RESULT;
/* One of them by id: 1 with *doc set, 0 none, -1 error. */
int dossier_sent_doc(Store *st, gint64 app_id, gint64 id, struct doc_info **doc, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;
/* The file of that name first mailed to app_id: 1 with *sha256 set (new
 * string), 0 none, -1 error. */
int dossier_sent_named(Store *st, gint64 app_id, const char *filename, char **sha256,
    GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* The decision recorded on an application (status, missing and reasons, as
 * the last judgement or move left them), into dc (initialised by the
 * caller): 1 found, 0 no such application, -1 on error. */
int dossier_decision(Store *st, gint64 app_id, struct decision *dc, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;

/* An application as staff's tools go through them. */
struct dossier_row {
	gint64 id;
	char *reference;	/* owned */
	char *status;		/* owned */
	char *missing;		/* owned: the JSON array as recorded */
};
void dossier_row_free(struct dossier_row *r);
/* Every application (struct dossier_row *, owned by the array), by id; the
 * cancelled ones only with cancelled. */
GPtrArray *dossier_rows(Store *st, gboolean cancelled, GError **err) G_GNUC_WARN_UNUSED_RESULT;
/* The applications held as early whose every early reason opens (its
 * `opens` day) on or before today (YYYY-MM-DD): their ids (gint64), by id. */
GArray *dossier_early_due(Store *st, const char *today, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* Staff: an exception (override) for rule, a rule or kind id, with the
 * reason; one a rule, so a second replaces the first. *replaced says so. */
gboolean dossier_add_override(Store *st, gint64 app_id, const char *rule, const char *reason,
    const char *actor, gboolean *replaced, GError **err) G_GNUC_WARN_UNUSED_RESULT;
/* Staff: a cancelled application back to received (reinstate), to be judged
 * again; the only way out of cancelled (app_status_reinstatable()). */
gboolean dossier_reinstate(Store *st, gint64 app_id, gint64 ledger_id, const char *reference,
    GError **err) G_GNUC_WARN_UNUSED_RESULT;
/* Staff: the documents, history and exceptions of application from move to
 * into, and its choices too if into has none (*choices_moved). from is left
 * for the caller to cancel. *docs gets how many documents moved. */
gboolean dossier_merge(Store *st, gint64 into, gint64 from, guint *docs, gboolean *choices_moved,
    GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* The application another was merged into (its history's "merged into REF"):
 * 1 with *into set (new string), 0 if none, -1 on error. */
int dossier_merged_into(Store *st, gint64 app_id, char **into, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;

/* Staff: the application's registered address is now email (normalized). */
gboolean dossier_set_email(Store *st, gint64 app_id, const char *email, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;

#endif
