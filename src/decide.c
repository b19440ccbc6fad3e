/* decide.c: documents filed with their kinds, and decisions taken on them. */
#include "decide.h"
#include "appstatus.h"
#include "docstore.h"
#include "placement.h"
#include "effects.h"
#include "form.h"
#include "guide.h"
#include "reply.h"
#include "rules.h"
#include "seats.h"
#include "util.h"
#include "words.h"

#include <string.h>

/* The one [kind] tag of a subject, if it has exactly one. */
static char *
subject_kind(const Rules *r, const char *subject)
{
	char *found = NULL;

	for (const char *p = subject; p != NULL && (p = strchr(p, '[')) != NULL; p++) {
		const char *end = strchr(p, ']');
		if (end == NULL || end - p > 40)
			continue;
		g_autofree char *tag = g_ascii_strdown(p + 1, end - p - 1);
		if (!rules_is_kind(r, g_strstrip(tag)))
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

/* An attachment's bytes in the docstore. */
static gboolean
store_bytes(struct process_ctx *pc, const struct attachment *a, GError **err)
{
	return a->path != NULL ? docstore_adopt(pc->cfg->documents, a->sha256, a->path, err) :
	    docstore_put(pc->cfg->documents, a->sha256, a->data, err);
}

#define KINDS_HELP "To tell us what a file is, write a line with the file name, \"=\", the kind"

/* How to name a document, and the kinds a student may name in words: said
 * once in out. */
static void
kinds_help(const Rules *r, GString *out, const char *example)
{
	if (strstr(out->str, KINDS_HELP) != NULL)
		return;
	g_string_append_printf(out, KINDS_HELP " of document and the date of the result, for"
	    " example:\n    %s = tb-ppd 2026-10-12\nThe kinds of document you can write after the"
	    " \"=\" are:\n", example ? example : "IMG_3318.jpeg");
	for (guint i = 0; rules_kind_at(r, i) != NULL; i++)
		g_string_append_printf(out, "  - %s: %s\n", rules_kind_at(r, i),
		    rules_kind_title(r, rules_kind_at(r, i)));
	g_string_append(out, "After the date you may add \"pending\" (the result is not back yet),"
	    " \"positive\" or \"negative\".\n");
}

/* decide_file(), or with keep_for (an address, app_id 0) decide_keep(). */
static gboolean
file_attachments(struct process_ctx *pc, gint64 app_id, const char *keep_for, gint64 ledger_id,
    const struct facts *f, const struct attachment *skip, DocState state, const char *source,
    GString *receipt, GError **err)
{
	const Rules *r = pc->cfg->rules;
	g_autoptr(GPtrArray) lines = form_documents(f->text);
	g_autofree char *tag = subject_kind(r, f->subject);
	const struct form_doc *all = listed(lines, NULL);
	const char *unknown = NULL;	/* the first attachment we could not tell */

	if (all != NULL && !rules_is_kind(r, all->kind))
		all = NULL;
	for (guint i = 0; i < f->attachments->len; i++) {
		const struct attachment *a = g_ptr_array_index(f->attachments, i);
		const struct form_doc *line = listed(lines, a->filename);
		g_autofree char *size = g_format_size(a->size);	/* "12.3 kB" */
		const char *name = a->filename && *a->filename ? a->filename : "unnamed attachment";
		struct doc_meta m = { 0 };

		if (line != NULL && !rules_is_kind(r, line->kind))
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
		g_string_append_printf(receipt, "  - %s (%s)", name, size);
		if (a == skip) {
			m.kind = NULL;
			g_string_append(receipt, ": your application form\n");
		} else if (encrypted_pdf(a)) {
			m.state = DOC_REJECTED;
			m.note = "encrypted PDF";
			g_string_append(receipt, ": this PDF has a password, so we cannot open it."
			    " Please send a copy without a password.\n");
		} else if (m.kind == NULL) {
			g_string_append(receipt, ": we could not tell what this document is.\n");
			if (unknown == NULL)
				unknown = name;
		} else {
			g_autofree char *when = m.date ? words_date(m.date) : NULL;
			g_string_append_printf(receipt, ": filed as %s%s%s%s\n",
			    rules_kind_title(r, m.kind), when ? ", dated " : "",
			    when ? when : "", m.pending ? ", result pending" : "");
		}
		/* Stored last: a spooled attachment is read where it was decoded until then. */
		if (!store_bytes(pc, a, err))
			return FALSE;
		if (keep_for != NULL ?
		    dossier_keep_doc(pc->st, keep_for, ledger_id, a, &m, pc->today, err) == 0 :
		    dossier_add_doc(pc->st, app_id, ledger_id, a, &m, pc->today, err) == 0)
			return FALSE;
	}
	if (f->attachments->len == 0)
		g_string_append(receipt, "  (no attachments)\n");
	/* The student can say what it is (not staff, not a held stranger). */
	if (unknown != NULL && state == DOC_FILED) {
		g_string_append(receipt, keep_for != NULL ? "When you send your application, please"
		    " add a line for each document we could not recognise.\n" : "Please reply with a"
		    " line for each document we could not recognise. You do not need to send it"
		    " again.\n");
		kinds_help(r, receipt, unknown);
	}
	return TRUE;
}

gboolean
decide_file(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, const struct facts *f,
    const struct attachment *skip, DocState state, const char *source, GString *receipt,
    GError **err)
{
	return file_attachments(pc, app_id, NULL, ledger_id, f, skip, state, source, receipt, err);
}

gboolean
decide_keep(struct process_ctx *pc, const char *email, gint64 ledger_id, const struct facts *f,
    GString *receipt, GError **err)
{
	return file_attachments(pc, 0, email, ledger_id, f, NULL, DOC_FILED, "applicant", receipt,
	    err);
}

/* A document of docs by id, or NULL. */
static const struct doc_info *
doc_by_id(GPtrArray *docs, gint64 id)
{
	for (guint i = 0; i < docs->len; i++)
		if (((const struct doc_info *)g_ptr_array_index(docs, i))->id == id)
			return g_ptr_array_index(docs, i);
	return NULL;
}

gboolean
decide_credit_kept(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, const char *email,
    const struct facts *f, GString *out, guint *credited, GError **err)
{
	g_autoptr(GPtrArray) kept = NULL, docs = NULL;
	g_autoptr(GString) named = g_string_new(NULL);
	const char *day = NULL, *unknown = NULL;
	guint n;

	*credited = 0;
	if (email == NULL || *email == '\0')
		return TRUE;
	if ((kept = dossier_credit_kept(pc->st, email, app_id, err)) == NULL)
		return FALSE;
	if (kept->len == 0)
		return TRUE;
	/* Lines of the application's mail may name them: listed as they are then. */
	if (!decide_name_docs(pc, app_id, ledger_id, f, named, &n, err) ||
	    (docs = dossier_docs(pc->st, app_id, err)) == NULL)
		return FALSE;
	for (guint i = 0; i < kept->len; i++) {
		const struct doc_info *was = g_ptr_array_index(kept, i);
		const struct doc_info *doc = doc_by_id(docs, was->id);
		const char *name;

		if (doc == NULL)
			doc = was;
		name = doc->filename && *doc->filename ? doc->filename : "unnamed attachment";
		if (day == NULL || g_strcmp0(day, was->received) != 0) {
			g_autofree char *when = words_date(was->received);
			day = was->received;
			g_string_append_printf(out, "\nWe also filed the documents you sent on %s,"
			    " before your application:\n", when);
		}
		if (strcmp(doc->state, "rejected") == 0)
			g_string_append_printf(out, "  - %s: we cannot open it (%s). Please send a new copy.\n",
			    name, doc->note ? doc->note : "rejected");
		else if (doc->kind == NULL) {
			g_string_append_printf(out, "  - %s: we could not tell what this document is.\n",
			    name);
			if (unknown == NULL)
				unknown = name;
		} else {
			g_autofree char *when = doc->dated ? words_date(doc->date) : NULL;
			g_string_append_printf(out, "  - %s: filed as %s%s%s%s\n", name,
			    rules_kind_title(pc->cfg->rules, doc->kind),
			    when ? ", dated " : "", when ? when : "", doc->pending ? ", result pending" : "");
		}
	}
	if (unknown != NULL) {
		g_string_append(out, "Please reply with a line for each document we could not"
		    " recognise. You do not need to send it again.\n");
		kinds_help(pc->cfg->rules, out, unknown);
	}
	if (named->len > 0)
		g_string_append_printf(out, "\n%s", named->str);
	{
		g_autofree char *what = g_strdup_printf("%u document%s kept from a first contact credited",
		    kept->len, kept->len == 1 ? "" : "s");
		if (!dossier_event(pc->st, app_id, ledger_id, what, err))
			return FALSE;
	}
	*credited = kept->len;
	return TRUE;
}

/* Two file names the same but for case (in any script). */
static gboolean
same_name(const char *a, const char *b)
{
	g_autofree char *ca = NULL, *cb = NULL;

	if (a == NULL || b == NULL || !g_utf8_validate(a, -1, NULL) || !g_utf8_validate(b, -1, NULL))
		return a != NULL && b != NULL && g_ascii_strcasecmp(a, b) == 0;
	ca = g_utf8_casefold(a, -1);
	cb = g_utf8_casefold(b, -1);
	return strcmp(ca, cb) == 0;
}

/* "IMG_3318.jpeg", "scan 2.pdf": a name with an extension, as files have. */
static gboolean
looks_like_file(const char *name)
{
	const char *dot = strrchr(name, '.');
	gsize n;

	if (dot == NULL || dot == name)
		return FALSE;
	n = strlen(dot + 1);
	if (n == 0 || n > 5)
		return FALSE;
	for (const char *c = dot + 1; *c; c++)
		if (!g_ascii_isalnum(*c))
			return FALSE;
	return TRUE;
}

/* The document a student's line names, among those on file from other
 * messages: the newest of that name that was not rejected, else the newest. */
static const struct doc_info *
on_file(GPtrArray *docs, const char *filename)
{
	const struct doc_info *found = NULL;

	for (guint i = docs->len; i-- > 0;) {
		const struct doc_info *doc = g_ptr_array_index(docs, i);
		if (!same_name(doc->filename, filename))
			continue;
		if (strcmp(doc->state, "rejected") != 0)
			return doc;
		if (found == NULL)
			found = doc;
	}
	return found;
}

gboolean
decide_name_docs(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, const struct facts *f,
    GString *out, guint *named, GError **err)
{
	const Rules *r = pc->cfg->rules;
	g_autoptr(GPtrArray) lines = form_documents(f->text);
	g_autoptr(GPtrArray) docs = NULL;
	gboolean kinds_hint = FALSE, names_hint = FALSE;
	const char *example = NULL;

	*named = 0;
	if (lines->len == 0)
		return TRUE;
	if ((docs = dossier_docs(pc->st, app_id, err)) == NULL)
		return FALSE;
	for (guint i = 0; i < lines->len; i++) {
		const struct form_doc *line = g_ptr_array_index(lines, i);
		gboolean known = rules_is_kind(r, line->kind), here = FALSE;
		const struct doc_info *doc;
		struct doc_meta m = { 0 };

		if (line->filename == NULL)
			continue;	/* "Documents: KIND": this message's attachments */
		for (guint j = 0; !here && j < f->attachments->len; j++)
			here = same_name(((const struct attachment *)
			    g_ptr_array_index(f->attachments, j))->filename, line->filename);
		if (here) {
			/* Filed with this message (decide_file); only a kind we do not know to say. */
			if (!known) {
				g_string_append_printf(out, "We could not use your line for %s: \"%s\" is not"
				    " a kind of document that we know.\n", line->filename, line->kind);
				kinds_hint = TRUE;
				example = line->filename;
			}
			continue;
		}
		doc = on_file(docs, line->filename);
		if (doc == NULL) {
			if (!known && !looks_like_file(line->filename))
				continue;	/* "2 + 2 = 4": not about a document */
			g_string_append_printf(out, "We have no document called \"%s\" on file, so we"
			    " could not file it.\n", line->filename);
			names_hint = TRUE;
			if (!known) {
				g_string_append_printf(out, "Also, \"%s\" is not a kind of document that we"
				    " know.\n", line->kind);
				kinds_hint = TRUE;
			}
			continue;
		}
		if (!known) {
			g_string_append_printf(out, "We could not file %s: \"%s\" is not a kind of"
			    " document that we know.\n", doc->filename, line->kind);
			kinds_hint = TRUE;
			example = doc->filename;
			continue;
		}
		m.kind = line->kind;
		m.date = line->date;
		m.pending = line->pending;
		m.positive = line->positive;
		if (!dossier_name_doc(pc->st, app_id, doc->id, &m, err))
			return FALSE;
		{
			g_autofree char *what = g_strdup_printf("the applicant filed %s as %s%s%s",
			    doc->filename, line->kind, line->date ? " " : "", line->date ? line->date : "");
			if (!dossier_event(pc->st, app_id, ledger_id, what, err))
				return FALSE;
		}
		g_string_append_printf(out, "%s is now filed as %s", doc->filename,
		    rules_kind_title(r, line->kind));
		if (line->date != NULL) {
			g_autofree char *when = words_date(line->date);
			g_string_append_printf(out, ", dated %s", when);
		}
		if (line->pending)
			g_string_append(out, ", result pending");
		else if (line->positive)
			g_string_append(out, ", result positive");
		g_string_append(out, ".\n");
		if (line->date == NULL && !doc->dated) {
			g_autofree char *when = words_date(doc->date);
			g_string_append_printf(out, "Your line gave no date, so the day we received it (%s)"
			    " is used until a coordinator checks it.\n", when);
		}
		(*named)++;
	}
	if (names_hint) {
		gboolean any = FALSE;
		for (guint i = 0; i < docs->len; i++) {
			const struct doc_info *doc = g_ptr_array_index(docs, i);
			if (doc->filename == NULL || *doc->filename == '\0')
				continue;
			if (!any)
				g_string_append(out, "The documents on file for your application are:\n");
			g_string_append_printf(out, "  - %s\n", doc->filename);
			if (example == NULL)
				example = doc->filename;
			any = TRUE;
		}
		if (!any)
			g_string_append(out, "We have no documents on file for your application yet."
			    " Please attach them to your reply.\n");
		else
			g_string_append(out, "Please write the file name exactly as it is in this list.\n");
	}
	if (names_hint || kinds_hint)
		kinds_help(r, out, example);
	return TRUE;
}

/* The day an application became complete, kept for the documents deadline
 * of its blocks: today when the rules make it complete from a status they
 * decide, cleared when they take it back (a document rejected), kept
 * through scheduling. */
static gboolean
note_complete_on(struct process_ctx *pc, const struct dossier *d, const struct decision *dc,
    GError **err)
{
	AppStatus was = APP_RECEIVED, now;

	if (d->status != NULL && !app_status_parse(d->status, &was))
		return TRUE;
	if (!app_status_parse(dc->status, &now) || !app_status_judged(was) || now == was)
		return TRUE;
	if (now == APP_COMPLETE)
		return dossier_set_complete_on(pc->st, d->id, pc->today, err);
	if (was == APP_COMPLETE)
		return dossier_set_complete_on(pc->st, d->id, NULL, err);
	return TRUE;
}

gboolean
decide_eval(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, const char *cause,
    struct decision *dc, gboolean *changed, GError **err)
{
	return decide_eval_keep(pc, app_id, ledger_id, cause, dc, changed, NULL, err);
}

gboolean
decide_eval_keep(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, const char *cause,
    struct decision *dc, gboolean *changed, Dossier **kept, GError **err)
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
	if (!dossier_decide(pc->st, d, ledger_id, dc, cause, changed, err))
		return FALSE;
	if (!note_complete_on(pc, d, dc, err))
		return FALSE;
	if (kept != NULL) {
		g_clear_pointer(kept, dossier_free);
		*kept = g_steal_pointer(&d);
	}
	return TRUE;
}

/* One line for a kind, in plain words. */
static void
kind_line(struct process_ctx *pc, GString *s, const char *k, const struct decision *dc)
{
	gboolean pending = g_ptr_array_find_with_equal_func(dc->pending, k, g_str_equal, NULL);

	g_string_append_printf(s, "  - %s%s\n", rules_kind_title(pc->cfg->rules, k),
	    pending ? ": pending (we are waiting for the result; it counts once it arrives)" : "");
	/* What its documents lack (documents.ini explain-*), under it. */
	for (guint i = 0; dc->explained != NULL && i < dc->explained->len; i++) {
		const char *e = g_ptr_array_index(dc->explained, i);
		gsize n = strlen(k);
		if (strncmp(e, k, n) == 0 && e[n] == '\t')
			g_string_append_printf(s, "    %s\n", e + n + 1);
	}
}

/* The kinds under their groups (documents.ini `group`, in the order of the
 * kind ids), a line each; what one document can cover said once, after its
 * group. */
static void
list_kinds(struct process_ctx *pc, GString *s, GPtrArray *kinds, const struct decision *dc)
{
	const Rules *r = pc->cfg->rules;
	g_autoptr(GPtrArray) groups = g_ptr_array_new();
	g_autoptr(GPtrArray) said = g_ptr_array_new();
	gboolean any_group = FALSE;

	for (guint i = 0; i < kinds->len; i++)
		any_group |= rules_kind_group(r, g_ptr_array_index(kinds, i)) != NULL;
	if (!any_group) {
		for (guint i = 0; i < kinds->len; i++)
			kind_line(pc, s, g_ptr_array_index(kinds, i), dc);
		return;
	}
	for (guint i = 0; rules_kind_at(r, i) != NULL; i++) {
		const char *g = rules_kind_group(r, rules_kind_at(r, i));
		if (g != NULL && !g_ptr_array_find_with_equal_func(groups, g, g_str_equal, NULL))
			g_ptr_array_add(groups, (gpointer)g);
	}
	g_ptr_array_add(groups, NULL);	/* kinds without a group: last */
	for (guint gi = 0; gi < groups->len; gi++) {
		const char *g = g_ptr_array_index(groups, gi);
		gboolean head = FALSE;
		for (guint i = 0; i < kinds->len; i++) {
			const char *k = g_ptr_array_index(kinds, i);
			if (g_strcmp0(rules_kind_group(r, k), g) != 0)
				continue;
			if (!head)
				g_string_append_printf(s, "%s:\n", g ? g : "Other");
			head = TRUE;
			kind_line(pc, s, k, dc);
		}
		for (guint i = 0; head && i < kinds->len; i++) {
			const char *k = g_ptr_array_index(kinds, i);
			const char *note = rules_kind_note(r, k, NULL);
			if (g_strcmp0(rules_kind_group(r, k), g) != 0 || note == NULL ||
			    g_ptr_array_find(said, note, NULL))
				continue;
			g_ptr_array_add(said, (gpointer)note);
			g_string_append_printf(s, "  %s\n", note);
		}
	}
}

/* A coordinator's exceptions (staff command override), in plain words. */
static char *
exceptions_text(struct process_ctx *pc, const struct dossier *d)
{
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < d->overrides->len; i++) {
		const struct dossier_override *o = g_ptr_array_index(d->overrides, i);
		g_autofree char *rule = rules_rule_words(pc->cfg->rules, o->rule);
		if (i > 0)
			g_string_append_c(out, '\n');
		if (rules_is_kind(pc->cfg->rules, o->rule))
			g_string_append_printf(out, "A coordinator made an exception for the document "
			    "\"%s\": you do not need to send it.\n", rules_kind_title(pc->cfg->rules,
			    o->rule));
		else if (rule != NULL)
			g_string_append_printf(out, "A coordinator made an exception for this "
			    "requirement: \"%s\" It does not count against your application.\n", rule);
		else
			g_string_append(out, "A coordinator made an exception for one of the program's "
			    "requirements. It does not count against your application.\n");
		g_string_append_printf(out, "The reason: %s\n", o->reason);
	}
	return g_string_free(out, FALSE);
}

char *
decide_text(struct process_ctx *pc, gint64 app_id, const struct decision *dc, GError **err)
{
	return decide_text_with(pc, app_id, NULL, dc, err);
}

char *
decide_text_with(struct process_ctx *pc, gint64 app_id, const Dossier *loaded,
    const struct decision *dc, GError **err)
{
	g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GString) missing = g_string_new(NULL), reasons = g_string_new(NULL);
	g_autoptr(GString) unchecked = g_string_new(NULL), prereq = g_string_new(NULL);
	g_autofree char *tname = g_strdup_printf("decision-%s", dc->status);
	g_autofree char *text = NULL, *placement = NULL, *dates = NULL, *wrong = NULL;
	g_autoptr(Dossier) own = NULL;
	const Dossier *d;
	const char *tmpl, *fees = rules_setting(pc->cfg->rules, "fees");
	gboolean ineligible = app_status_is(dc->status, APP_INELIGIBLE);
	gboolean early = app_status_is(dc->status, APP_EARLY);
	gboolean judged = app_status_is(dc->status, APP_INCOMPLETE) ||
	    app_status_is(dc->status, APP_COMPLETE) || early;
	g_autoptr(GString) held = g_string_new(NULL);
	g_autofree char *opens = NULL;

	if (app_status_is(dc->status, APP_RECEIVED))
		return g_strdup("Status: received.\n");
	if ((placement = placement_describe(pc, app_id, err)) == NULL ||
	    (loaded == NULL && (own = dossier_load(pc->st, app_id, err)) == NULL))
		return NULL;
	d = loaded != NULL ? loaded : own;
	if ((dates = guide_dates(pc, app_id, d->choices, dc->status, err)) == NULL)
		return NULL;
	/* Exactly which choice is wrong, and what there is to choose from. */
	wrong = judged ? guide_choices(pc->cfg->rules, d->choices, pc->today) : g_strdup("");
	/* Choices whose prerequisite the form does not list: told while placement may come. */
	if (judged || app_status_is(dc->status, APP_WAITLISTED)) {
		g_autofree char *p = guide_prerequisites(pc->cfg->rules, d->choices,
		    g_hash_table_lookup(d->form, "core_clerkships_completed"));
		if (*p != '\0')
			g_string_append_printf(prereq, "\n%s", p);
	}
	if (dc->missing->len > 0) {
		g_string_append(missing, early ? "\nStill missing (you can send these now, by replying"
		    " to this message):\n" : "\nStill missing:\n");
		list_kinds(pc, missing, dc->missing, dc);
	}
	/* Early: why it is held, with the day (the latest, if several rules hold it). */
	for (guint i = 0; i < dc->reasons->len; i++) {
		const struct decision_reason *why = g_ptr_array_index(dc->reasons, i);
		if (why->opens == NULL)
			continue;
		g_string_append_printf(held, "%s\n", why->text);
		if (opens == NULL || strcmp(why->opens, opens) > 0) {
			g_free(opens);
			opens = g_strdup(why->opens);
		}
	}
	for (guint i = 0; i < dc->reasons->len; i++) {
		const struct decision_reason *why = g_ptr_array_index(dc->reasons, i);
		if ((ineligible && why->unknown) || why->opens != NULL)
			continue;	/* only what made it ineligible; the hold said above */
		if (!ineligible && reasons->len == 0)
			g_string_append(reasons, "\nPlease also correct this:\n");
		g_string_append_printf(reasons, "  - %s\n", why->text);
	}
	if (*wrong != '\0')
		g_string_append_printf(reasons, "\n%s", wrong);
	for (guint i = 0; i < dc->unchecked->len; i++) {
		const char *k = g_ptr_array_index(dc->unchecked, i);
		/* A missing one is listed above, with what to do. */
		if (g_ptr_array_find_with_equal_func(dc->missing, k, g_str_equal, NULL))
			continue;
		if (unchecked->len == 0)
			g_string_append(unchecked, "\nThese documents have no date. Until a coordinator"
			    " checks them,\nwe use the day we received them as their date:\n");
		kind_line(pc, unchecked, k, dc);
	}
	g_hash_table_insert(vars, "missing", missing->str);
	g_hash_table_insert(vars, "reasons", reasons->str);
	g_hash_table_insert(vars, "unchecked", unchecked->str);
	g_hash_table_insert(vars, "prerequisites", prereq->str);
	g_hash_table_insert(vars, "status", dc->status);
	g_hash_table_insert(vars, "placement", placement);
	g_hash_table_insert(vars, "fees", (gpointer)(fees ? fees : ""));
	g_hash_table_insert(vars, "dates", dates);
	g_hash_table_insert(vars, "held", held->str);
	g_autofree char *opens_words = opens ? words_date(opens) : g_strdup("");
	g_hash_table_insert(vars, "window_opens", opens_words);
	g_hash_table_insert(vars, "program", pc->program);
	g_autofree char *today = words_date(pc->today);
	g_hash_table_insert(vars, "today", today);
	if ((tmpl = config_template(pc->cfg, tname, err)) == NULL ||
	    (text = reply_render(tname, tmpl, vars, err)) == NULL)
		return NULL;
	/* One paragraph, however the template ends: the caller places it. */
	g_strchomp(text);
	if (!app_status_is(dc->status, APP_CANCELLED) && d->overrides->len > 0) {
		g_autofree char *told = exceptions_text(pc, d);
		return g_strconcat(text, "\n\n", told, NULL);
	}
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
		g_autofree char *when = words_date(doc->date);
		g_string_append_printf(out, "  - %s: %s, %s, dated %s%s\n",
		    doc->filename ? doc->filename : "unnamed attachment",
		    doc->kind ? rules_kind_title(pc->cfg->rules, doc->kind) : "kind not known",
		    doc->state, when, doc->pending ? ", result pending" : "");
	}
	if (out->len == 0)
		g_string_append(out, "  (none yet)\n");
	return g_string_free(out, FALSE);
}

/* Where an application's seats and waitlist places are, for a subject:
 * "NEU-301, 1-26 March 2027" (seats), "MED-401 and SUR-512, March 2027"
 * (places); NULL on error. */
static char *
held_words(struct process_ctx *pc, gint64 app_id, gboolean seats, GError **err)
{
	const Rules *r = pc->cfg->rules;
	g_autoptr(GArray) got = seats ? seats_of(pc->st, app_id, NULL, err) :
	    waitlist_of(pc->st, app_id, err);
	GString *out;
	const char *last_block = NULL;

	if (got == NULL)
		return NULL;
	out = g_string_new(NULL);
	for (guint i = 0; i < got->len; i++) {
		const char *course, *block;
		if (seats) {
			course = g_array_index(got, struct seat, i).course;
			block = g_array_index(got, struct seat, i).block;
		} else {
			course = g_array_index(got, struct waitlist_place, i).course;
			block = g_array_index(got, struct waitlist_place, i).block;
		}
		if (last_block != NULL && strcmp(last_block, block) == 0) {
			/* Another course of the same block: "MED-401 and SUR-512, March 2027". */
			if (strstr(out->str, course) != NULL)
				continue;	/* chosen twice */
			g_autofree char *when = NULL;
			gsize at = out->len;
			while (at > 0 && out->str[at - 1] != ',')
				at--;
			when = g_strdup(out->str + at);
			g_string_truncate(out, at > 0 ? at - 1 : 0);
			g_string_append_printf(out, " and %s,%s", course, when);
			continue;
		}
		g_autofree char *when = seats ?
		    words_date_range(rules_block_start(r, block), rules_block_end(r, block)) :
		    words_month(block);
		g_string_append_printf(out, "%s%s, %s", out->len ? "; " : "", course, when);
		last_block = block;
	}
	return g_string_free(out, FALSE);
}

char *
decide_subject(struct process_ctx *pc, gint64 app_id, const char *event, GError **err)
{
	struct decision dc;
	g_autofree char *status_words = NULL, *alone = NULL, *held = NULL;
	gboolean status = g_strcmp0(event, "Status") == 0 || g_strcmp0(event, "Reminder") == 0;
	guint n;
	AppStatus st = APP_RECEIVED;
	char *out;

	if (!decide_stored(pc, app_id, &dc, err)) {
		decision_clear(&dc);
		return NULL;
	}
	n = dc.missing->len;
	(void)app_status_parse(dc.status, &st);
	switch (st) {
	case APP_INCOMPLETE:
		if (n > 0)
			status_words = g_strdup_printf("%u item%s missing", n, n == 1 ? "" : "s");
		else {
			/* Only the rules about choices: say so. */
			gboolean choices = dc.reasons->len > 0;
			for (guint i = 0; i < dc.reasons->len; i++) {
				const char *rule = ((struct decision_reason *)
				    g_ptr_array_index(dc.reasons, i))->rule;
				choices &= g_str_has_prefix(rule, "choice") ||
				    g_str_has_prefix(rule, "known-");
			}
			status_words = g_strdup(choices ? "please correct your choices" :
			    "please correct your form");
		}
		break;
	case APP_COMPLETE:
		status_words = g_strdup("complete");
		alone = g_strdup("Application complete");
		break;
	case APP_INELIGIBLE:
		status_words = g_strdup("not eligible");
		alone = g_strdup("Not eligible");
		break;
	case APP_EARLY: {
		/* "early, kept until 3 November 2026": the day it is judged. */
		const char *opens = NULL;
		for (guint i = 0; i < dc.reasons->len; i++) {
			const char *o = ((struct decision_reason *)g_ptr_array_index(dc.reasons, i))->opens;
			if (o != NULL && (opens == NULL || strcmp(o, opens) > 0))
				opens = o;
		}
		g_autofree char *when = opens ? words_date(opens) : NULL;
		status_words = when ? g_strdup_printf("early, kept until %s", when) : g_strdup("early");
		break;
	}
	case APP_SCHEDULED:
	case APP_WAITLISTED:
		if ((held = held_words(pc, app_id, st == APP_SCHEDULED, err)) == NULL) {
			decision_clear(&dc);
			return NULL;
		}
		status_words = g_strdup_printf("%s%s%s", st == APP_SCHEDULED ? "scheduled" :
		    "waitlisted", *held ? ", " : "", held);
		alone = g_strdup_printf("%s%s%s", st == APP_SCHEDULED ? "Scheduled" : "Waitlisted",
		    *held ? ": " : "", held);
		break;
	case APP_NOT_SCHEDULED:
		status_words = g_strdup("not scheduled");
		alone = g_strdup("Not scheduled");
		break;
	case APP_CANCELLED:
		status_words = g_strdup("cancelled");
		alone = g_strdup("Application cancelled");
		break;
	default:
		status_words = g_strdup("received");
		break;
	}
	/* Documents still wanted once placed (proof of insurance): said too. */
	if (alone != NULL && st != APP_INELIGIBLE && n > 0) {
		char *more = g_strdup_printf("%s; %u item%s missing", alone, n, n == 1 ? "" : "s");
		g_free(alone);
		alone = more;
		more = g_strdup_printf("%s; %u item%s missing", status_words, n, n == 1 ? "" : "s");
		g_free(status_words);
		status_words = more;
	}
	decision_clear(&dc);
	if (status || alone == NULL) {
		const char *lead = event ? event : "Application";
		out = g_strdup_printf("%s: %s", lead, status_words);
	} else
		out = g_steal_pointer(&alone);
	return out;
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
		struct reply_attachment att = { 0 };
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
