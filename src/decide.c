/* decide.c: documents filed with their kinds, and decisions taken on them. */
#include "decide.h"
#include "appstatus.h"
#include "docstore.h"
#include "placement.h"
#include "effects.h"
#include "form.h"
#include "reply.h"
#include "rules.h"
#include "seats.h"
#include "util.h"

#include <string.h>

/* The one [kind] tag of a subject, if it has exactly one. */
static char *
subject_kind(const char *subject)
{
	char *found = NULL;

	for (const char *p = subject; p != NULL && (p = strchr(p, '[')) != NULL; p++) {
		const char *end = strchr(p, ']');
		if (end == NULL || end - p > 40)
			continue;
		g_autofree char *tag = g_ascii_strdown(p + 1, end - p - 1);
		if (!rules_is_kind(g_strstrip(tag)))
			continue;
		if (found != NULL && strcmp(found, tag) != 0) {
			g_free(found);
			return NULL;	/* two different tags: let the file names say */
		}
		g_free(found);
		found = g_strdup(tag);
	}
	return found;
}

static const struct form_doc *
listed(GPtrArray *lines, const char *filename)
{
	for (guint i = 0; i < lines->len; i++) {
		const struct form_doc *d = g_ptr_array_index(lines, i);
		if (d->filename == NULL ? filename == NULL :
		    filename != NULL && g_ascii_strcasecmp(d->filename, filename) == 0)
			return d;
	}
	return NULL;
}

/* A password-protected PDF, by its type or name and by its bytes. */
static gboolean
encrypted_pdf(const struct attachment *a)
{
	return a->encrypted_pdf && (strcmp(a->content_type, "application/pdf") == 0 ||
	    (a->filename != NULL && g_str_has_suffix(a->filename, ".pdf")));
}

gboolean
decide_file(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, const struct facts *f,
    const struct attachment *skip, DocState state, const char *source, GString *receipt,
    GError **err)
{
	const Rules *r = pc->cfg->rules;
	g_autoptr(GPtrArray) lines = form_documents(f->text);
	g_autofree char *tag = subject_kind(f->subject);
	const struct form_doc *all = listed(lines, NULL);

	if (all != NULL && !rules_is_kind(all->kind))
		all = NULL;
	for (guint i = 0; i < f->attachments->len; i++) {
		const struct attachment *a = g_ptr_array_index(f->attachments, i);
		const struct form_doc *line = listed(lines, a->filename);
		g_autofree char *size = g_format_size(a->size);
		const char *name = a->filename && *a->filename ? a->filename : "unnamed attachment";
		struct doc_meta m = { 0 };

		if (line != NULL && !rules_is_kind(line->kind))
			line = NULL;
		if (line == NULL)
			line = all;
		m.kind = line ? line->kind : tag ? tag : rules_classify_file(r, a->filename);
		m.date = line ? line->date : NULL;
		/* "HepB titer - result pending.pdf" says so itself. */
		m.pending = (line && line->pending) ||
		    (a->filename != NULL && strcasestr(a->filename, "pending") != NULL);
		m.positive = line && line->positive;
		m.state = state;
		m.source = source;
		g_string_append_printf(receipt, "  - %s (%s, %s)", name, a->content_type, size);
		if (a == skip) {
			m.kind = NULL;
			g_string_append(receipt, ": your application form\n");
		} else if (encrypted_pdf(a)) {
			m.state = DOC_REJECTED;
			m.note = "encrypted PDF";
			g_string_append(receipt, ": this PDF is password-protected, so we cannot read it."
			    " Please send an unencrypted copy.\n");
		} else if (m.kind == NULL)
			g_string_append_printf(receipt, ": we could not tell what this document is. Please"
			    " reply with a line such as \"%s = tb-ppd 2026-10-12\" (the kind of document,"
			    " and the date of the result).\n", name);
		else
			g_string_append_printf(receipt, ": filed as %s [%s]%s%s%s\n",
			    rules_kind_title(r, m.kind), m.kind, m.date ? ", dated " : "",
			    m.date ? m.date : "", m.pending ? ", result pending" : "");
		/* Stored last: a spooled attachment is read where it was decoded until then. */
		if (!(a->path != NULL ? docstore_adopt(pc->cfg->documents, a->sha256, a->path, err) :
		    docstore_put(pc->cfg->documents, a->sha256, a->data, err)))
			return FALSE;
		if (dossier_add_doc(pc->st, app_id, ledger_id, a, &m, pc->today, err) == 0)
			return FALSE;
	}
	if (f->attachments->len == 0)
		g_string_append(receipt, "  (no attachments)\n");
	return TRUE;
}

gboolean
decide_eval(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, const char *cause,
    struct decision *dc, gboolean *changed, GError **err)
{
	g_autoptr(Dossier) d = dossier_load(pc->st, app_id, err);

	decision_init(dc);
	*changed = FALSE;
	if (d == NULL)
		return FALSE;
	if (pc->cfg->rules == NULL) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "no rules loaded");
		return FALSE;
	}
	if (!rules_eval(pc->cfg->rules, d, pc->today, dc, err))
		return FALSE;
	/* Documents whose date stood in: staff check them (clerkctl doc accept --date). */
	if (dc->unchecked->len > 0 && !dossier_flag(pc->st, app_id, "dates-to-check", err))
		return FALSE;
	return dossier_decide(pc->st, d, ledger_id, dc, cause, changed, err);
}

static void
list_kinds(struct process_ctx *pc, GString *s, GPtrArray *kinds, const struct decision *dc)
{
	for (guint i = 0; i < kinds->len; i++) {
		const char *k = g_ptr_array_index(kinds, i);
		gboolean pending = g_ptr_array_find_with_equal_func(dc->pending, k, g_str_equal, NULL);
		g_string_append_printf(s, "  - %s [%s]%s\n", rules_kind_title(pc->cfg->rules, k), k,
		    pending ? ": pending (we are waiting for the result; it counts once it arrives)" : "");
	}
}

char *
decide_text(struct process_ctx *pc, gint64 app_id, const struct decision *dc, GError **err)
{
	g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GString) missing = g_string_new(NULL), reasons = g_string_new(NULL);
	g_autoptr(GString) unchecked = g_string_new(NULL);
	g_autofree char *tname = g_strdup_printf("decision-%s", dc->status);
	g_autofree char *text = NULL, *placement = NULL;
	const char *tmpl, *fees = rules_setting(pc->cfg->rules, "fees");
	gboolean ineligible = app_status_is(dc->status, APP_INELIGIBLE);

	if (app_status_is(dc->status, APP_RECEIVED))
		return g_strdup("Status: received.\n");
	if ((placement = placement_describe(pc, app_id, err)) == NULL)
		return NULL;
	if (dc->missing->len > 0) {
		g_string_append(missing, "Still missing:\n");
		list_kinds(pc, missing, dc->missing, dc);
	}
	if (!ineligible && dc->reasons->len > 0)
		g_string_append(reasons, "Please also put right:\n");
	for (guint i = 0; i < dc->reasons->len; i++) {
		const struct decision_reason *why = g_ptr_array_index(dc->reasons, i);
		if (ineligible && why->unknown)
			continue;	/* only what made it ineligible */
		g_string_append_printf(reasons, "  - %s\n", why->text);
	}
	if (dc->unchecked->len > 0) {
		g_string_append(unchecked, "These documents carried no date: the day we received them stands in"
		    "\nuntil a coordinator has checked them:\n");
		list_kinds(pc, unchecked, dc->unchecked, dc);
	}
	g_hash_table_insert(vars, "missing", missing->str);
	g_hash_table_insert(vars, "reasons", reasons->str);
	g_hash_table_insert(vars, "unchecked", unchecked->str);
	g_hash_table_insert(vars, "status", dc->status);
	g_hash_table_insert(vars, "placement", placement);
	g_hash_table_insert(vars, "fees", (gpointer)(fees ? fees : ""));
	g_hash_table_insert(vars, "program", pc->program);
	g_hash_table_insert(vars, "today", pc->today);
	if ((tmpl = config_template(pc->cfg, tname, err)) == NULL ||
	    (text = reply_render(tname, tmpl, vars, err)) == NULL)
		return NULL;
	/* One paragraph, however the template ends: the caller places it. */
	g_strchomp(text);
	return g_strconcat(text, "\n", NULL);
}

char *
decide_documents(struct process_ctx *pc, gint64 app_id, GError **err)
{
	g_autoptr(GPtrArray) docs = dossier_docs(pc->st, app_id, err);
	GString *out;

	if (docs == NULL)
		return NULL;
	out = g_string_new(NULL);
	for (guint i = 0; i < docs->len; i++) {
		const struct doc_info *doc = g_ptr_array_index(docs, i);
		g_string_append_printf(out, "  - %s: %s, %s %s%s\n",
		    doc->filename ? doc->filename : "unnamed attachment",
		    doc->kind ? rules_kind_title(pc->cfg->rules, doc->kind) : "not recognised",
		    doc->state, doc->date, doc->pending ? ", result pending" : "");
	}
	if (out->len == 0)
		g_string_append(out, "  (none yet)\n");
	return g_string_free(out, FALSE);
}

gboolean
decide_stored(struct process_ctx *pc, gint64 app_id, struct decision *dc, GError **err)
{
	int found;

	decision_init(dc);
	if ((found = dossier_decision(pc->st, app_id, dc, err)) < 0)
		return FALSE;
	if (found == 0) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_FINAL, "no application #%" G_GINT64_FORMAT,
		    app_id);
		return FALSE;
	}
	return TRUE;
}

/* Where an application's evaluation forms go: coordinators of its courses
 * (its seats, else its choices), else staff. */
static GPtrArray *
coordinators_of(struct process_ctx *pc, const struct dossier *d, GString *courses, GError **err)
{
	g_autoptr(GArray) seats = seats_of(pc->st, d->id, NULL, err);
	g_autoptr(GPtrArray) names = g_ptr_array_new();
	GPtrArray *to;

	if (seats == NULL)
		return NULL;
	for (guint i = 0; i < seats->len; i++)
		g_ptr_array_add(names, g_array_index(seats, struct seat, i).course);
	for (guint i = 0; names->len == 0 && i < d->choices->len; i++)
		g_ptr_array_add(names, g_array_index(d->choices, struct form_choice, i).course);
	to = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < names->len; i++) {
		const char *course = g_ptr_array_index(names, i);
		const char *who = rules_coordinator(pc->cfg->rules, course);
		g_string_append_printf(courses, "%s%s", courses->len ? ", " : "", course);
		if (who != NULL && !g_ptr_array_find_with_equal_func(to, who, g_str_equal, NULL))
			g_ptr_array_add(to, g_strdup(who));
	}
	for (int i = 0; to->len == 0 && pc->cfg->staff && pc->cfg->staff[i]; i++)
		g_ptr_array_add(to, g_strdup(pc->cfg->staff[i]));
	return to;
}

gboolean
decide_route_evaluations(struct process_ctx *pc, gint64 app_id, gint64 ledger_id,
    const struct facts *f, const char *sha256, GError **err)
{
	g_autoptr(GPtrArray) docs = dossier_docs_evaluations(pc->st, app_id, ledger_id, err);

	if (docs == NULL)
		return FALSE;
	for (guint i = 0; i < docs->len; i++) {
		const struct doc_info *doc = g_ptr_array_index(docs, i);
		g_autoptr(GString) courses = g_string_new(NULL);
		g_autoptr(Dossier) d = dossier_load(pc->st, app_id, err);
		g_autoptr(GPtrArray) to = d ? coordinators_of(pc, d, courses, err) : NULL;
		g_autofree char *path = docstore_path(pc->cfg->documents, doc->sha256);
		g_autofree char *data = NULL;
		g_autoptr(GBytes) bytes = NULL;
		g_autoptr(GError) rerr = NULL;
		gsize len;
		struct reply_attachment att;
		g_autoptr(GPtrArray) atts = g_ptr_array_new();

		if (to == NULL)
			return FALSE;
		if (!g_file_get_contents(path, &data, &len, &rerr)) {
			g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "evaluation form: %s", rerr->message);
			return FALSE;
		}
		bytes = g_bytes_new_take(g_steal_pointer(&data), len);
		att.filename = doc->filename;
		att.content_type = doc->content_type;
		att.data = bytes;
		g_ptr_array_add(atts, &att);
		for (guint j = 0; j < to->len; j++) {
			g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
			g_autofree char *kind = g_strdup_printf("evaluation:%s:%" G_GINT64_FORMAT,
			    (char *)to->pdata[j], doc->id);
			g_autofree char *subject = g_strdup_printf("Evaluation form for %s (%s)", d->name,
			    courses->str);
			struct mail_out m = { 0 };
			g_hash_table_insert(vars, "name", d->name);
			g_hash_table_insert(vars, "reference", d->reference);
			g_hash_table_insert(vars, "school", d->school ? d->school : "");
			g_hash_table_insert(vars, "courses", courses->str);
			g_hash_table_insert(vars, "filename", doc->filename ? doc->filename : "evaluation form");
			m.kind = kind;
			m.template = "evaluation";
			m.to_addr = to->pdata[j];
			m.fallback_subject = subject;
			m.reference = d->reference;
			m.seed_msgid = f->message_id;
			m.seed_sha256 = sha256;
			m.attachments = atts;
			effect_mail(pc, EFFECT_ROUTE, ledger_id, app_id, &m, vars);
		}
		g_message("application %s: evaluation form routed to %u coordinator%s", d->reference,
		    to->len, to->len == 1 ? "" : "s");
	}
	return TRUE;
}
