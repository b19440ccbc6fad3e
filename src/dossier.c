/* dossier.c: an application's file in the store: the applications row and
 * its choices, created under the next reference of the year (ref_counter, and
 * reserved_refs an older clerkd held), its documents, what became of them,
 * the decisions taken on it (with their audit trail) and its history (events);
 * and the reads of them that replies (decide.c) and staff (staffctl.c) make,
 * so that neither runs SQL of its own. */
#include "dossier.h"
#include "form.h"
#include "ref.h"
#include "util.h"

#include <json-glib/json-glib.h>
#include <string.h>

static const char *const doc_states[] = {
	[DOC_FILED] = "filed",
	[DOC_ACCEPTED] = "accepted",
	[DOC_REJECTED] = "rejected",
	[DOC_HELD] = "held",
};

const char *
doc_state_str(DocState s)
{
	return (guint)s < G_N_ELEMENTS(doc_states) ? doc_states[s] : "?";
}

gboolean
doc_state_parse(const char *s, DocState *out)
{
	int i = util_name_index(doc_states, G_N_ELEMENTS(doc_states), s);

	if (i < 0)
		return FALSE;
	*out = (DocState)i;
	return TRUE;
}

static void
override_free(gpointer p)
{
	struct dossier_override *o = p;

	g_free(o->rule);
	g_free(o->reason);
	g_free(o->actor);
	g_free(o->at);
	g_free(o);
}

struct dossier *
dossier_new(void)
{
	struct dossier *d = g_new0(struct dossier, 1);

	d->form = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	d->choices = g_array_new(FALSE, TRUE, sizeof(struct form_choice));
	d->docs = g_ptr_array_new_with_free_func((GDestroyNotify)dossier_doc_free);
	d->overrides = g_ptr_array_new_with_free_func(override_free);
	return d;
}

void
dossier_doc_free(struct dossier_doc *doc)
{
	if (doc == NULL)
		return;
	g_free(doc->kind);
	g_free(doc->date);
	g_free(doc);
}

void
dossier_free(struct dossier *d)
{
	if (d == NULL)
		return;
	g_free(d->reference);
	g_free(d->email);
	g_free(d->name);
	g_free(d->school);
	g_free(d->country);
	g_free(d->status);
	g_hash_table_destroy(d->form);
	g_array_free(d->choices, TRUE);
	g_ptr_array_free(d->docs, TRUE);
	g_ptr_array_free(d->overrides, TRUE);
	g_free(d);
}

static char *
col(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? g_strdup((const char *)t) : NULL;
}

static void
read_form(struct dossier *d, const char *json)
{
	g_autoptr(JsonParser) p = json_parser_new();
	JsonObject *o;
	g_autoptr(GList) members = NULL;

	if (json == NULL || !json_parser_load_from_data(p, json, -1, NULL) ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
		return;
	o = json_node_get_object(json_parser_get_root(p));
	members = json_object_get_members(o);
	for (GList *m = members; m != NULL; m = m->next) {
		JsonNode *v = json_object_get_member(o, m->data);
		if (JSON_NODE_HOLDS_VALUE(v) && json_node_get_value_type(v) == G_TYPE_STRING)
			g_hash_table_insert(d->form, g_strdup(m->data), g_strdup(json_node_get_string(v)));
	}
}

/* Step a query, calling row() on each result; FALSE on error. */
static gboolean
each_row(Store *st, sqlite3_stmt *s, void (*row)(sqlite3_stmt *, gpointer), gpointer data,
    GError **err)
{
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		row(s, data);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? TRUE : store_fail(st, rc, "dossier", err);
}

static void
choice_row(sqlite3_stmt *s, gpointer data)
{
	struct dossier *d = data;
	struct form_choice c = { 0 };

	c.rank = sqlite3_column_int(s, 0);
	g_strlcpy(c.course, (const char *)sqlite3_column_text(s, 1), sizeof c.course);
	g_strlcpy(c.block, (const char *)sqlite3_column_text(s, 2), sizeof c.block);
	g_array_append_val(d->choices, c);
}

static void
doc_row(sqlite3_stmt *s, gpointer data)
{
	struct dossier *d = data;
	struct dossier_doc *doc = g_new0(struct dossier_doc, 1);

	doc->id = sqlite3_column_int64(s, 0);
	doc->kind = col(s, 1);
	doc->date = col(s, 2);
	doc->dated = sqlite3_column_int(s, 3);
	if (!doc_state_parse((const char *)sqlite3_column_text(s, 4), &doc->state))
		doc->state = DOC_HELD;
	doc->pending = sqlite3_column_int(s, 5);
	doc->positive = sqlite3_column_int(s, 6);
	g_ptr_array_add(d->docs, doc);
}

static void
override_row(sqlite3_stmt *s, gpointer data)
{
	struct dossier *d = data;
	struct dossier_override *o = g_new0(struct dossier_override, 1);

	o->rule = col(s, 0);
	o->reason = col(s, 1);
	o->actor = col(s, 2);
	o->at = col(s, 3);
	g_ptr_array_add(d->overrides, o);
}

/* ---- a new application: its reference, its row and its choices ---- */

static gboolean insert_choices(Store *st, gint64 app_id, GArray *choices, GError **err);

/* The next reference of the year. */
static char *
next_reference(Store *st, int year, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO ref_counter (year, last) VALUES (:year, 1)"
	    " ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last", err);
	char *ref;
	int rc, seq;

	if (s == NULL)
		return NULL;
	store_bind_int64(s, ":year", year);
	rc = sqlite3_step(s);
	seq = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW) {
		store_fail(st, rc, "reference counter", err);
		return NULL;
	}
	if ((ref = ref_format(year, seq)) == NULL)
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_FINAL, "references for %d exhausted", year);
	return ref;
}

/* The reference held for an address that wrote before applying, or NULL. */
static char *
reserved_reference(Store *st, const char *email, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT reference FROM reserved_refs WHERE email = :email",
	    err);
	char *ref = NULL;
	int rc;

	if (s == NULL)
		return NULL;
	store_bind_text(s, ":email", email);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		ref = col(s, 0);
	else if (rc != SQLITE_DONE)
		store_fail(st, rc, "reserved reference", err);
	sqlite3_reset(s);
	return ref;
}

char *
dossier_create(Store *st, int year, const struct app_new *a, gint64 *app_id, GError **err)
{
	g_autofree char *ref = NULL;
	GError *lerr = NULL;
	sqlite3_stmt *s;
	int rc;

	/* A reference held for an address by an older clerkd (which gave one to
	 * every first contact) is honoured; none is held any more. */
	if (*a->email != '\0' && (ref = reserved_reference(st, a->email, &lerr)) != NULL) {
		if ((s = store_stmt(st, "DELETE FROM reserved_refs WHERE email = :email", err)) == NULL)
			return NULL;
		store_bind_text(s, ":email", a->email);
		if (!store_done(st, s, err))
			return NULL;
	} else if (lerr != NULL) {
		g_propagate_error(err, lerr);
		return NULL;
	} else if ((ref = next_reference(st, year, err)) == NULL)
		return NULL;
	s = store_stmt(st, "INSERT INTO applications (reference, email, name, school, country, flags,"
	    " form, ledger_id) VALUES (:reference, :email, :name, :school, :country, :flags, :form,"
	    " :ledger) RETURNING id", err);
	if (s == NULL)
		return NULL;
	store_bind_text(s, ":reference", ref);
	store_bind_text(s, ":email", a->email);
	store_bind_text(s, ":name", a->name);
	store_bind_text(s, ":school", a->school);
	store_bind_text(s, ":country", a->country);
	store_bind_text(s, ":flags", a->flags);
	store_bind_text(s, ":form", a->form_json);
	store_bind_int64(s, ":ledger", a->ledger_id);
	rc = sqlite3_step(s);
	*app_id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW) {
		store_fail(st, rc, "application insert", err);
		return NULL;
	}
	if (!insert_choices(st, *app_id, a->choices, err))
		return NULL;
	return g_steal_pointer(&ref);
}

/* The choices of an application, rank by rank (ranks as given). */
static gboolean
insert_choices(Store *st, gint64 app_id, GArray *choices, GError **err)
{
	sqlite3_stmt *s;

	for (guint i = 0; choices != NULL && i < choices->len; i++) {
		const struct form_choice *c = &g_array_index(choices, struct form_choice, i);
		if ((s = store_stmt(st, "INSERT OR IGNORE INTO choices (application_id, rank, course,"
		    " block) VALUES (:app, :rank, :course, :block)", err)) == NULL)
			return FALSE;
		store_bind_int64(s, ":app", app_id);
		store_bind_int64(s, ":rank", c->rank);
		store_bind_text(s, ":course", c->course);
		store_bind_text(s, ":block", c->block);
		if (!store_done(st, s, err))
			return FALSE;
	}
	return TRUE;
}

gboolean
dossier_update_form(Store *st, gint64 app_id, const char *name, const char *school,
    const char *country, const char *form_json, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE applications SET name = :name, school = :school,"
	    " country = :country, form = :form, updated_at = datetime('now') WHERE id = :app", err);

	if (s == NULL)
		return FALSE;
	store_bind_int64(s, ":app", app_id);
	store_bind_text(s, ":name", name);
	store_bind_text(s, ":school", school);
	store_bind_text(s, ":country", country);
	store_bind_text(s, ":form", form_json);
	return store_done(st, s, err);
}

gboolean
dossier_set_choices(Store *st, gint64 app_id, GArray *choices, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "DELETE FROM choices WHERE application_id = :app", err);

	if (s == NULL)
		return FALSE;
	store_bind_int64(s, ":app", app_id);
	return store_done(st, s, err) && insert_choices(st, app_id, choices, err);
}

gint64
dossier_by_email(Store *st, const char *email, char **reference, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT id, reference FROM applications WHERE email = :email"
	    " AND status <> 'cancelled' ORDER BY id DESC LIMIT 1", err);
	gint64 id = 0;
	int rc;

	*reference = NULL;
	if (s == NULL)
		return 0;
	store_bind_text(s, ":email", email);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		*reference = col(s, 1);
	} else if (rc != SQLITE_DONE)
		store_fail(st, rc, "application lookup", err);
	sqlite3_reset(s);
	return id;
}

gboolean
dossier_event(Store *st, gint64 app_id, gint64 ledger_id, const char *what, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO events (application_id, ledger_id, what)"
	    " VALUES (:app, :ledger, :what)", err);

	if (s == NULL)
		return FALSE;
	if (app_id > 0)
		store_bind_int64(s, ":app", app_id);
	if (ledger_id > 0)
		store_bind_int64(s, ":ledger", ledger_id);
	store_bind_text(s, ":what", what);
	return store_done(st, s, err);
}

struct dossier *
dossier_load(Store *st, gint64 app_id, GError **err)
{
	g_autoptr(Dossier) d = dossier_new();
	sqlite3_stmt *s = store_stmt(st, "SELECT reference, email, name, school, country, status,"
	    " form FROM applications WHERE id = ?", err);
	int rc;

	if (s == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, app_id);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		sqlite3_reset(s);
		if (rc == SQLITE_DONE)
			g_set_error(err, CLERK_ERROR, CLERK_ERROR_FINAL, "no application #%" G_GINT64_FORMAT,
			    app_id);
		else
			store_fail(st, rc, "dossier", err);
		return NULL;
	}
	d->id = app_id;
	d->reference = col(s, 0);
	d->email = col(s, 1);
	d->name = col(s, 2);
	d->school = col(s, 3);
	d->country = col(s, 4);
	d->status = col(s, 5);
	read_form(d, (const char *)sqlite3_column_text(s, 6));
	sqlite3_reset(s);
	if ((s = store_stmt(st, "SELECT rank, course, block FROM choices WHERE application_id = ?"
	    " ORDER BY rank", err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, app_id);
	if (!each_row(st, s, choice_row, d, err))
		return NULL;
	if ((s = store_stmt(st, "SELECT id, kind, doc_date, dated, state, pending, positive"
	    " FROM documents WHERE application_id = ? ORDER BY id", err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, app_id);
	if (!each_row(st, s, doc_row, d, err))
		return NULL;
	if ((s = store_stmt(st, "SELECT rule, reason, actor, at FROM overrides"
	    " WHERE application_id = ? ORDER BY id", err)) == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, app_id);
	if (!each_row(st, s, override_row, d, err))
		return NULL;
	return g_steal_pointer(&d);
}

gint64
dossier_add_doc(Store *st, gint64 app_id, gint64 ledger_id, const struct attachment *a,
    const struct doc_meta *m, const char *received, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO documents (application_id, ledger_id, sha256,"
	    " filename, content_type, size, received, kind, doc_date, dated, state, pending, positive,"
	    " source, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", err);
	gint64 id = 0;
	int rc;

	if (s == NULL)
		return 0;
	sqlite3_bind_int64(s, 1, app_id);
	sqlite3_bind_int64(s, 2, ledger_id);
	sqlite3_bind_text(s, 3, a->sha256, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, a->filename, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, a->content_type, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 6, a->size);
	sqlite3_bind_text(s, 7, received, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 8, m->kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 9, m->date ? m->date : received, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 10, m->date != NULL);
	sqlite3_bind_text(s, 11, doc_state_str(m->state), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 12, m->pending);
	sqlite3_bind_int(s, 13, m->positive);
	sqlite3_bind_text(s, 14, m->source, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 15, m->note, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		store_fail(st, rc, "document insert", err);
	return id;
}

/* Run an UPDATE of one document of an application: an error if it was not there. */
static gboolean
doc_updated(Store *st, sqlite3_stmt *s, gint64 doc_id, GError **err)
{
	if (!store_done(st, s, err))
		return FALSE;
	if (sqlite3_changes(store_db(st)) == 0) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_FINAL, "no document #%" G_GINT64_FORMAT
		    " in that application", doc_id);
		return FALSE;
	}
	return TRUE;
}

gboolean
dossier_set_doc(Store *st, gint64 app_id, gint64 doc_id, DocState state, const char *kind,
    const char *date, const char *note, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE documents SET state = ?, kind = coalesce(?, kind),"
	    " doc_date = coalesce(?, doc_date), dated = dated OR ? IS NOT NULL, note = coalesce(?, note)"
	    " WHERE id = ? AND application_id = ?", err);

	if (s == NULL)
		return FALSE;
	sqlite3_bind_text(s, 1, doc_state_str(state), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, date, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, date, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, note, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 6, doc_id);
	sqlite3_bind_int64(s, 7, app_id);
	return doc_updated(st, s, doc_id, err);
}

gboolean
dossier_name_doc(Store *st, gint64 app_id, gint64 doc_id, const struct doc_meta *m, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE documents SET kind = :kind,"
	    " doc_date = coalesce(:date, doc_date), dated = dated OR :date IS NOT NULL,"
	    " pending = :pending, positive = :positive WHERE id = :id AND application_id = :app", err);

	if (s == NULL)
		return FALSE;
	store_bind_text(s, ":kind", m->kind);
	store_bind_text(s, ":date", m->date);
	store_bind_int64(s, ":pending", m->pending);
	store_bind_int64(s, ":positive", m->positive);
	store_bind_int64(s, ":id", doc_id);
	store_bind_int64(s, ":app", app_id);
	return doc_updated(st, s, doc_id, err);
}

gint64
dossier_keep_doc(Store *st, const char *email, gint64 ledger_id, const struct attachment *a,
    const struct doc_meta *m, const char *received, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO kept_documents (email, ledger_id, sha256,"
	    " filename, content_type, size, received, kind, doc_date, dated, state, pending, positive,"
	    " source, note) VALUES (:email, :ledger, :sha256, :filename, :type, :size, :received,"
	    " :kind, coalesce(:date, :received), :date IS NOT NULL, :state, :pending, :positive,"
	    " :source, :note) RETURNING id", err);
	gint64 id = 0;
	int rc;

	if (s == NULL)
		return 0;
	store_bind_text(s, ":email", email);
	store_bind_int64(s, ":ledger", ledger_id);
	store_bind_text(s, ":sha256", a->sha256);
	store_bind_text(s, ":filename", a->filename);
	store_bind_text(s, ":type", a->content_type);
	store_bind_int64(s, ":size", a->size);
	store_bind_text(s, ":received", received);
	store_bind_text(s, ":kind", m->kind);
	store_bind_text(s, ":date", m->date);
	store_bind_text(s, ":state", doc_state_str(m->state));
	store_bind_int64(s, ":pending", m->pending);
	store_bind_int64(s, ":positive", m->positive);
	store_bind_text(s, ":source", m->source);
	store_bind_text(s, ":note", m->note);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		store_fail(st, rc, "kept document insert", err);
	return id;
}

static gboolean transition(Store *st, gint64 app_id, gint64 ledger_id, const char *reference,
    AppStatus from, AppStatus to, const char *cause, const struct decision *dc,
    gboolean *changed, gboolean staff, GError **err);

gboolean
dossier_transition(Store *st, gint64 app_id, gint64 ledger_id, const char *reference,
    AppStatus from, AppStatus to, const char *cause, const struct decision *dc,
    gboolean *changed, GError **err)
{
	return transition(st, app_id, ledger_id, reference, from, to, cause, dc, changed, FALSE,
	    err);
}

gboolean
dossier_reinstate(Store *st, gint64 app_id, gint64 ledger_id, const char *reference,
    GError **err)
{
	return transition(st, app_id, ledger_id, reference, APP_CANCELLED, APP_RECEIVED,
	    "reinstated by staff", NULL, NULL, TRUE, err);
}

/* Write a move of status; staff: the reinstatement out of cancelled. */
static gboolean
transition(Store *st, gint64 app_id, gint64 ledger_id, const char *reference,
    AppStatus from, AppStatus to, const char *cause, const struct decision *dc,
    gboolean *changed, gboolean staff, GError **err)
{
	g_autofree char *missing = dc ? decision_missing_json(dc) : NULL;
	g_autofree char *reasons = dc ? decision_reasons_json(dc) : NULL;
	sqlite3_stmt *s;

	if (changed != NULL)
		*changed = FALSE;
	if (staff ? !app_status_reinstatable(from, to) : !app_status_allowed(from, to)) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_FINAL, "application %s: its status cannot move "
		    "from %s to %s (%s)", reference, app_status_str(from), app_status_str(to), cause);
		return FALSE;
	}
	/* NULL missing and reasons: the application's own, in both statements. */
	if ((s = store_stmt(st, "INSERT INTO decisions (application_id, ledger_id, previous, status,"
	    " missing, reasons, cause) SELECT id, ?2, ?3, ?4, coalesce(?5, missing),"
	    " coalesce(?6, reasons), ?7 FROM applications WHERE id = ?1", err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, app_id);
	if (ledger_id > 0)
		sqlite3_bind_int64(s, 2, ledger_id);
	sqlite3_bind_text(s, 3, app_status_str(from), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, app_status_str(to), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, missing, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 6, reasons, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 7, cause, -1, SQLITE_TRANSIENT);
	if (!store_done(st, s, err))
		return FALSE;
	if ((s = store_stmt(st, "UPDATE applications SET status = ?2, missing = coalesce(?3, missing),"
	    " reasons = coalesce(?4, reasons), updated_at = datetime('now') WHERE id = ?1"
	    " AND (status <> ?2 OR missing <> coalesce(?3, missing) OR reasons <> coalesce(?4, reasons))",
	    err)) == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, app_id);
	sqlite3_bind_text(s, 2, app_status_str(to), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, missing, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, reasons, -1, SQLITE_TRANSIENT);
	if (!store_done(st, s, err))
		return FALSE;
	if (sqlite3_changes(store_db(st)) == 0)
		return TRUE;
	if (changed != NULL)
		*changed = TRUE;
	g_message("%s %s -> %s (%s)", reference, app_status_str(from), app_status_str(to), cause);
	return TRUE;
}

gboolean
dossier_decide(Store *st, const struct dossier *d, gint64 ledger_id, const struct decision *dc,
    const char *cause, gboolean *changed, GError **err)
{
	AppStatus from = APP_RECEIVED, to = APP_RECEIVED;
	const char *unknown = NULL;

	*changed = FALSE;
	if (d->status != NULL && !app_status_parse(d->status, &from))
		unknown = d->status;
	else if (!app_status_parse(dc->status, &to))
		unknown = dc->status ? dc->status : "";
	if (unknown != NULL) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_FINAL, "application %s: unknown status '%s'",
		    d->reference, unknown);
		return FALSE;
	}
	return dossier_transition(st, d->id, ledger_id, d->reference, from, to, cause, dc, changed,
	    err);
}

gint64
dossier_by_reference(Store *st, const char *reference, char **email, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT id, email FROM applications WHERE reference = ?"
	    " COLLATE NOCASE", err);
	gint64 id = 0;
	int rc;

	if (email != NULL)
		*email = NULL;
	if (s == NULL)
		return 0;
	sqlite3_bind_text(s, 1, reference, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		if (email != NULL)
			*email = col(s, 1);
	} else if (rc != SQLITE_DONE)
		store_fail(st, rc, "reference lookup", err);
	sqlite3_reset(s);
	return id;
}

gint64
dossier_by_reference_in(Store *st, const char *text, char **ref, char **email, GError **err)
{
	GError *lerr = NULL;
	int year, seq;
	gint64 id;

	*ref = NULL;
	if (text == NULL || !ref_find(text, &year, &seq))
		return 0;
	g_autofree char *r = ref_format(year, seq);
	if ((id = dossier_by_reference(st, r, email, &lerr)) > 0)
		*ref = g_steal_pointer(&r);
	if (lerr != NULL) {
		g_propagate_error(err, lerr);
		return -1;
	}
	return MAX(id, 0);
}

char *
dossier_same_person(Store *st, gint64 app_id, const char *name, const char *school,
    const char *email, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT reference FROM applications WHERE id <> ?"
	    " AND name = ? COLLATE NOCASE AND school = ? COLLATE NOCASE AND email <> ?"
	    " ORDER BY id LIMIT 1", err);
	char *ref = NULL;
	int rc;

	if (s == NULL || name == NULL || school == NULL || *name == '\0')
		return NULL;
	sqlite3_bind_int64(s, 1, app_id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, school, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, email ? email : "", -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		ref = col(s, 0);
	else if (rc != SQLITE_DONE)
		store_fail(st, rc, "duplicate lookup", err);
	sqlite3_reset(s);
	return ref;
}

int
dossier_drop_block(Store *st, gint64 app_id, const char *block, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "DELETE FROM choices WHERE application_id = :app"
	    " AND block = :block", err);

	if (s == NULL)
		return -1;
	store_bind_int64(s, ":app", app_id);
	store_bind_text(s, ":block", block);
	if (!store_done(st, s, err))
		return -1;
	return sqlite3_changes(store_db(st));
}

gboolean
dossier_flag(Store *st, gint64 app_id, const char *flag, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE applications SET flags = CASE"
	    " WHEN flags IS NULL OR flags = '' THEN ?1"
	    " WHEN instr(',' || flags || ',', ',' || ?1 || ',') > 0 THEN flags"
	    " ELSE flags || ',' || ?1 END WHERE id = ?2", err);

	if (s == NULL)
		return FALSE;
	sqlite3_bind_text(s, 1, flag, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, app_id);
	return store_done(st, s, err);
}

gboolean
dossier_set_complete_on(Store *st, gint64 app_id, const char *day, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE applications SET complete_on = ?2 WHERE id = ?1",
	    err);

	if (s == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, app_id);
	sqlite3_bind_text(s, 2, day, -1, SQLITE_TRANSIENT);	/* NULL binds NULL */
	return store_done(st, s, err);
}

gboolean
dossier_complete_on(Store *st, gint64 app_id, char **day, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT complete_on FROM applications WHERE id = ?", err);
	int rc;

	*day = NULL;
	if (s == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, app_id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*day = col(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, rc, "complete_on", err);
	return TRUE;
}

gboolean
dossier_set_status(Store *st, gint64 app_id, gint64 ledger_id, AppStatus status,
    const char *cause, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT reference, status FROM applications WHERE id = ?", err);
	g_autofree char *reference = NULL, *was = NULL;
	AppStatus from;
	int rc;

	if (s == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, app_id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		reference = col(s, 0);
		was = col(s, 1);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return TRUE;	/* no such application: nothing to set */
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, "status", err);
	if (!app_status_parse(was, &from)) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_FINAL, "application %s: unknown status '%s'",
		    reference, was ? was : "");
		return FALSE;
	}
	if (from == status)
		return TRUE;	/* already so */
	return dossier_transition(st, app_id, ledger_id, reference, from, status, cause, NULL, NULL,
	    err);
}

/* ---- reads for replies and for staff ---- */

void
doc_info_free(struct doc_info *doc)
{
	if (doc == NULL)
		return;
	g_free(doc->filename);
	g_free(doc->content_type);
	g_free(doc->sha256);
	g_free(doc->kind);
	g_free(doc->date);
	g_free(doc->state);
	g_free(doc->source);
	g_free(doc->note);
	g_free(doc->received);
	g_free(doc);
}

/* The columns every query of documents below selects, in this order. */
#define DOC_INFO_COLUMNS "id, filename, content_type, sha256, kind, doc_date, dated, state," \
	" pending, source, note, received"

static void
doc_info_row(sqlite3_stmt *s, gpointer data)
{
	struct doc_info *doc = g_new0(struct doc_info, 1);

	doc->id = sqlite3_column_int64(s, 0);
	doc->filename = store_col_text(s, 1);
	doc->content_type = store_col_text(s, 2);
	doc->sha256 = store_col_text(s, 3);
	doc->kind = store_col_text(s, 4);
	doc->date = store_col_text(s, 5);
	doc->dated = sqlite3_column_int(s, 6) != 0;
	doc->state = store_col_text(s, 7);
	doc->pending = sqlite3_column_int(s, 8) != 0;
	doc->source = store_col_text(s, 9);
	doc->note = store_col_text(s, 10);
	doc->received = store_col_text(s, 11);
	g_ptr_array_add(data, doc);
}

/* The documents a query finds; NULL on error. */
static GPtrArray *
doc_infos(Store *st, sqlite3_stmt *s, GError **err)
{
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)doc_info_free);

	if (!each_row(st, s, doc_info_row, out, err))
		return NULL;
	return g_steal_pointer(&out);
}

GPtrArray *
dossier_credit_kept(Store *st, const char *email, gint64 app_id, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT " DOC_INFO_COLUMNS " FROM kept_documents"
	    " WHERE email = :email AND application_id IS NULL ORDER BY id", err);
	g_autoptr(GPtrArray) kept = NULL;

	if (s == NULL)
		return NULL;
	store_bind_text(s, ":email", email);
	if ((kept = doc_infos(st, s, err)) == NULL)
		return NULL;
	for (guint i = 0; i < kept->len; i++) {
		struct doc_info *doc = g_ptr_array_index(kept, i);
		gint64 doc_id = 0;
		int rc;

		if ((s = store_stmt(st, "INSERT INTO documents (application_id, ledger_id, sha256,"
		    " filename, content_type, size, received, kind, doc_date, dated, state, pending,"
		    " positive, source, note) SELECT :app, ledger_id, sha256, filename, content_type,"
		    " size, received, kind, doc_date, dated, state, pending, positive, source, note"
		    " FROM kept_documents WHERE id = :kept RETURNING id", err)) == NULL)
			return NULL;
		store_bind_int64(s, ":app", app_id);
		store_bind_int64(s, ":kept", doc->id);
		if ((rc = sqlite3_step(s)) == SQLITE_ROW)
			doc_id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		if (rc != SQLITE_ROW) {
			store_fail(st, rc, "kept document credit", err);
			return NULL;
		}
		if ((s = store_stmt(st, "UPDATE kept_documents SET application_id = :app,"
		    " document_id = :doc WHERE id = :kept", err)) == NULL)
			return NULL;
		store_bind_int64(s, ":app", app_id);
		store_bind_int64(s, ":doc", doc_id);
		store_bind_int64(s, ":kept", doc->id);
		if (!store_done(st, s, err))
			return NULL;
		doc->id = doc_id;	/* the document it became */
	}
	return g_steal_pointer(&kept);
}

GPtrArray *
dossier_docs(Store *st, gint64 app_id, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT " DOC_INFO_COLUMNS " FROM documents"
	    " WHERE application_id = :app ORDER BY id", err);

	if (s == NULL)
		return NULL;
	store_bind_int64(s, ":app", app_id);
	return doc_infos(st, s, err);
}

GPtrArray *
dossier_docs_waiting(Store *st, gint64 app_id, const char *kind, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT " DOC_INFO_COLUMNS " FROM documents"
	    " WHERE application_id = :app AND kind = :kind AND state IN ('filed', 'held')"
	    " ORDER BY id", err);

	if (s == NULL)
		return NULL;
	store_bind_int64(s, ":app", app_id);
	store_bind_text(s, ":kind", kind);
	return doc_infos(st, s, err);
}

GPtrArray *
dossier_docs_evaluations(Store *st, gint64 app_id, gint64 ledger_id, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT " DOC_INFO_COLUMNS " FROM documents"
	    " WHERE application_id = :app AND ledger_id = :ledger AND kind = 'evaluation-form'"
	    " AND state <> 'rejected' ORDER BY id", err);

	if (s == NULL)
		return NULL;
	store_bind_int64(s, ":app", app_id);
	store_bind_int64(s, ":ledger", ledger_id);
	return doc_infos(st, s, err);
}

int
dossier_doc(Store *st, gint64 app_id, gint64 doc_id, struct doc_info **doc, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT " DOC_INFO_COLUMNS " FROM documents"
	    " WHERE application_id = :app AND id = :id", err);
	g_autoptr(GPtrArray) found = NULL;

	*doc = NULL;
	if (s == NULL)
		return -1;
	store_bind_int64(s, ":app", app_id);
	store_bind_int64(s, ":id", doc_id);
	if ((found = doc_infos(st, s, err)) == NULL)
		return -1;
	if (found->len == 0)
		return 0;
	*doc = g_ptr_array_steal_index(found, 0);
	return 1;
}

/* json as an array (owned by p), or NULL if it is not one. */
static JsonArray *
json_array_in(JsonParser *p, const char *json)
{
	if (json == NULL || !json_parser_load_from_data(p, json, -1, NULL) ||
	    !JSON_NODE_HOLDS_ARRAY(json_parser_get_root(p)))
		return NULL;
	return json_node_get_array(json_parser_get_root(p));
}

/* The reasons recorded (a JSON array of {rule, text, outcome}) into dc. */
static void
read_reasons(struct decision *dc, const char *json)
{
	g_autoptr(JsonParser) p = json_parser_new();
	JsonArray *a = json_array_in(p, json);

	for (guint i = 0; a != NULL && i < json_array_get_length(a); i++) {
		JsonObject *o = json_array_get_object_element(a, i);
		struct decision_reason *why = g_new0(struct decision_reason, 1);
		why->rule = g_strdup(json_object_get_string_member_with_default(o, "rule", ""));
		why->text = g_strdup(json_object_get_string_member_with_default(o, "text", ""));
		why->unknown = g_strcmp0(json_object_get_string_member_with_default(o, "outcome", ""),
		    "unknown") == 0;
		why->opens = g_strdup(json_object_get_string_member_with_default(o, "opens", NULL));
		g_ptr_array_add(dc->reasons, why);
	}
}

/* ---- documents sent ---- */

gboolean
dossier_add_sent(Store *st, gint64 app_id, const char *sha256, const char *filename,
    const char *content_type, gint64 size, const char *mail, const char *day, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO sent_documents (application_id, sha256,"
	    " filename, content_type, size, mail, sent, last_sent)"
	    " VALUES (:app, :sha, :fn, :ct, :size, :mail, :day, :day)"
	    " ON CONFLICT (application_id, sha256) DO UPDATE SET last_sent = excluded.last_sent",
	    err);

	if (s == NULL)
		return FALSE;
	store_bind_int64(s, ":app", app_id);
	store_bind_text(s, ":sha", sha256);
	store_bind_text(s, ":fn", filename);
	store_bind_text(s, ":ct", content_type);
	store_bind_int64(s, ":size", size);
	store_bind_text(s, ":mail", mail);
	store_bind_text(s, ":day", day);
	return store_done(st, s, err);
}

#define SENT_INFO_COLUMNS "id, filename, content_type, sha256, NULL, sent, 1, 'sent', 0," \
	" 'clerkd', 'mailed with: ' || mail, sent"

GPtrArray *
dossier_sent_docs(Store *st, gint64 app_id, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT " SENT_INFO_COLUMNS " FROM sent_documents"
	    " WHERE application_id = :app ORDER BY id", err);

	if (s == NULL)
		return NULL;
	store_bind_int64(s, ":app", app_id);
	return doc_infos(st, s, err);
}

int
dossier_sent_doc(Store *st, gint64 app_id, gint64 id, struct doc_info **doc, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT " SENT_INFO_COLUMNS " FROM sent_documents"
	    " WHERE application_id = :app AND id = :id", err);
	g_autoptr(GPtrArray) found = NULL;

	*doc = NULL;
	if (s == NULL)
		return -1;
	store_bind_int64(s, ":app", app_id);
	store_bind_int64(s, ":id", id);
	if ((found = doc_infos(st, s, err)) == NULL)
		return -1;
	if (found->len == 0)
		return 0;
	*doc = g_ptr_array_steal_index(found, 0);
	return 1;
}

int
dossier_sent_named(Store *st, gint64 app_id, const char *filename, char **sha256, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT " SENT_INFO_COLUMNS " FROM sent_documents"
	    " WHERE application_id = :app AND filename = :fn ORDER BY id LIMIT 1", err);
	g_autoptr(GPtrArray) found = NULL;

	*sha256 = NULL;
	if (s == NULL)
		return -1;
	store_bind_int64(s, ":app", app_id);
	store_bind_text(s, ":fn", filename);
	if ((found = doc_infos(st, s, err)) == NULL)
		return -1;
	if (found->len == 0)
		return 0;
	*sha256 = g_strdup(((struct doc_info *)found->pdata[0])->sha256);
	return 1;
}

/* The kind ids recorded missing (a JSON array of strings) into dc. */
static void
read_missing(struct decision *dc, const char *json)
{
	g_autoptr(JsonParser) p = json_parser_new();
	JsonArray *a = json_array_in(p, json);

	for (guint i = 0; a != NULL && i < json_array_get_length(a); i++)
		g_ptr_array_add(dc->missing, g_strdup(json_array_get_string_element(a, i)));
}

int
dossier_decision(Store *st, gint64 app_id, struct decision *dc, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT status, missing, reasons FROM applications"
	    " WHERE id = :app", err);
	int rc;

	if (s == NULL)
		return -1;
	store_bind_int64(s, ":app", app_id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		dc->status = store_col_text(s, 0);
		read_missing(dc, (const char *)sqlite3_column_text(s, 1));
		read_reasons(dc, (const char *)sqlite3_column_text(s, 2));
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	store_fail(st, rc, "decision", err);
	return -1;
}

void
dossier_row_free(struct dossier_row *r)
{
	if (r == NULL)
		return;
	g_free(r->reference);
	g_free(r->status);
	g_free(r->missing);
	g_free(r);
}

static void
dossier_row_add(sqlite3_stmt *s, gpointer data)
{
	struct dossier_row *r = g_new0(struct dossier_row, 1);

	r->id = sqlite3_column_int64(s, 0);
	r->reference = store_col_text(s, 1);
	r->status = store_col_text(s, 2);
	r->missing = store_col_text(s, 3);
	g_ptr_array_add(data, r);
}

GPtrArray *
dossier_rows(Store *st, gboolean cancelled, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT id, reference, status, missing FROM applications"
	    " WHERE :cancelled OR status <> 'cancelled' ORDER BY id", err);
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)dossier_row_free);

	if (s == NULL)
		return NULL;
	store_bind_int64(s, ":cancelled", cancelled);
	if (!each_row(st, s, dossier_row_add, out, err))
		return NULL;
	return g_steal_pointer(&out);
}

/* ---- decisions ---- */

void
decision_init(struct decision *dc)
{
	memset(dc, 0, sizeof *dc);
	dc->reasons = g_ptr_array_new_with_free_func(NULL);
	dc->missing = g_ptr_array_new_with_free_func(g_free);
	dc->pending = g_ptr_array_new_with_free_func(g_free);
	dc->unchecked = g_ptr_array_new_with_free_func(g_free);
	dc->explained = g_ptr_array_new_with_free_func(g_free);
}

void
decision_clear(struct decision *dc)
{
	for (guint i = 0; dc->reasons && i < dc->reasons->len; i++) {
		struct decision_reason *why = g_ptr_array_index(dc->reasons, i);
		g_free(why->rule);
		g_free(why->text);
		g_free(why->opens);
		g_free(why);
	}
	g_clear_pointer(&dc->reasons, g_ptr_array_unref);
	g_clear_pointer(&dc->missing, g_ptr_array_unref);
	g_clear_pointer(&dc->pending, g_ptr_array_unref);
	g_clear_pointer(&dc->unchecked, g_ptr_array_unref);
	g_clear_pointer(&dc->explained, g_ptr_array_unref);
	g_clear_pointer(&dc->status, g_free);
}

static char *
to_json(JsonBuilder *b)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = json_builder_get_root(b);

	json_generator_set_root(gen, root);
	return json_generator_to_data(gen, NULL);
}

char *
decision_missing_json(const struct decision *dc)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_array(b);
	for (guint i = 0; i < dc->missing->len; i++)
		json_builder_add_string_value(b, g_ptr_array_index(dc->missing, i));
	json_builder_end_array(b);
	return to_json(b);
}

char *
decision_reasons_json(const struct decision *dc)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_array(b);
	for (guint i = 0; i < dc->reasons->len; i++) {
		const struct decision_reason *why = g_ptr_array_index(dc->reasons, i);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "rule");
		json_builder_add_string_value(b, why->rule);
		json_builder_set_member_name(b, "text");
		json_builder_add_string_value(b, why->text);
		json_builder_set_member_name(b, "outcome");
		json_builder_add_string_value(b, why->unknown ? "unknown" : "failed");
		if (why->opens != NULL) {
			json_builder_set_member_name(b, "opens");
			json_builder_add_string_value(b, why->opens);
		}
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	return to_json(b);
}

static void
id_row_add(sqlite3_stmt *s, gpointer data)
{
	gint64 id = sqlite3_column_int64(s, 0);

	g_array_append_val((GArray *)data, id);
}

GArray *
dossier_early_due(Store *st, const char *today, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT id FROM applications WHERE status = 'early' AND"
	    " (SELECT max(json_extract(r.value, '$.opens')) FROM json_each(reasons) r) <= :today"
	    " ORDER BY id", err);
	g_autoptr(GArray) out = g_array_new(FALSE, FALSE, sizeof(gint64));

	if (s == NULL)
		return NULL;
	store_bind_text(s, ":today", today);
	if (!each_row(st, s, id_row_add, out, err))
		return NULL;
	return g_steal_pointer(&out);
}

gboolean
dossier_set_email(Store *st, gint64 app_id, const char *email, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "UPDATE applications SET email = :email,"
	    " updated_at = datetime('now') WHERE id = :id", err);

	if (s == NULL)
		return FALSE;
	store_bind_text(s, ":email", email);
	store_bind_int64(s, ":id", app_id);
	return store_done(st, s, err);
}

gboolean
dossier_add_override(Store *st, gint64 app_id, const char *rule, const char *reason,
    const char *actor, gboolean *replaced, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM overrides WHERE application_id = :app"
	    " AND rule = :rule", err);
	int rc;

	if (s == NULL)
		return FALSE;
	store_bind_int64(s, ":app", app_id);
	store_bind_text(s, ":rule", rule);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		sqlite3_reset(s);
		return store_fail(st, rc, "override", err);
	}
	*replaced = sqlite3_column_int(s, 0) > 0;
	sqlite3_reset(s);
	if ((s = store_stmt(st, "INSERT INTO overrides (application_id, rule, reason, actor)"
	    " VALUES (:app, :rule, :reason, :actor) ON CONFLICT (application_id, rule) DO UPDATE"
	    " SET reason = excluded.reason, actor = excluded.actor, at = datetime('now')", err)) == NULL)
		return FALSE;
	store_bind_int64(s, ":app", app_id);
	store_bind_text(s, ":rule", rule);
	store_bind_text(s, ":reason", reason);
	store_bind_text(s, ":actor", actor);
	return store_done(st, s, err);
}

gboolean
dossier_merge(Store *st, gint64 into, gint64 from, guint *docs, gboolean *choices_moved,
    GError **err)
{
	static const char *const moves[] = {
		"UPDATE documents SET application_id = :into WHERE application_id = :from",
		"UPDATE events SET application_id = :into WHERE application_id = :from",
		/* An exception into already has stays as it is. */
		"INSERT OR IGNORE INTO overrides (application_id, rule, reason, actor, at)"
		" SELECT :into, rule, reason, actor, at FROM overrides WHERE application_id = :from"
		" ORDER BY id",
		"DELETE FROM overrides WHERE application_id = :from",
		"UPDATE choices SET application_id = :into WHERE application_id = :from"
		" AND NOT EXISTS (SELECT 1 FROM choices WHERE application_id = :into)",
	};
	sqlite3_stmt *s;

	*docs = 0;
	*choices_moved = FALSE;
	for (gsize i = 0; i < G_N_ELEMENTS(moves); i++) {
		if ((s = store_stmt(st, moves[i], err)) == NULL)
			return FALSE;
		store_bind_int64(s, ":into", into);
		store_bind_int64(s, ":from", from);
		if (!store_done(st, s, err))
			return FALSE;
		if (i == 0)
			*docs = sqlite3_changes(store_db(st));
		if (i == G_N_ELEMENTS(moves) - 1)
			*choices_moved = sqlite3_changes(store_db(st)) > 0;
	}
	return TRUE;
}

int
dossier_merged_into(Store *st, gint64 app_id, char **into, GError **err)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT substr(what, 13, 14) FROM events"
	    " WHERE application_id = :app AND what LIKE 'merged into %' ORDER BY id DESC LIMIT 1",
	    err);
	int rc;

	*into = NULL;
	if (s == NULL)
		return -1;
	store_bind_int64(s, ":app", app_id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*into = col(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_fail(st, rc, "merged into", err);
		return -1;
	}
	return *into != NULL;
}
