/* commands.c: staff commands carried out (commands.h). The verbs here only
 * ask the data modules and the domain (settle, standing, offers) to act;
 * each returns 1 done, 0 refused (the outcome says why), -1 on a store
 * error. */
#include "commands.h"
#include "appstatus.h"
#include "decide.h"
#include "dossier.h"
#include "effects.h"
#include "form.h"
#include "ledger.h"
#include "offers.h"
#include "offersdb.h"
#include "placement.h"
#include "rules.h"
#include "seats.h"
#include "settle.h"
#include "standing.h"
#include "util.h"
#include "words.h"

#include <string.h>

#define TEXT_MAX 1000	/* a reason or a note */

/* What one student is told at the end of a batch. */
struct told {
	gint64 app;
	GString *what;		/* lines: what changed */
	char *message;		/* reply: the coordinator's text, or NULL */
	gboolean judge;		/* documents changed: judge again */
};

struct run {
	struct process_ctx *pc;
	gint64 ledger_id;
	const char *actor;
	GPtrArray *told;	/* struct told * */
};

static void
told_free(gpointer p)
{
	struct told *t = p;

	g_string_free(t->what, TRUE);
	g_free(t->message);
	g_free(t);
}

static struct told *
told_of(struct run *r, gint64 app)
{
	struct told *t;

	for (guint i = 0; i < r->told->len; i++)
		if ((t = g_ptr_array_index(r->told, i))->app == app)
			return t;
	t = g_new0(struct told, 1);
	t->app = app;
	t->what = g_string_new(NULL);
	g_ptr_array_add(r->told, t);
	return t;
}

static gboolean
history(struct run *r, gint64 app, const char *what, GError **err)
{
	g_autofree char *line = g_strdup_printf("%s (by %s)", what, r->actor);
	return dossier_event(r->pc->st, app, r->ledger_id, line, err);
}

static const char *
doc_name(const struct doc_info *d)
{
	return d->filename != NULL ? d->filename : "an unnamed attachment";
}

static gboolean
is_date(const char *s)
{
	GDate d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return FALSE;
	g_date_clear(&d, 1);
	g_date_set_parse(&d, s);
	return g_date_valid(&d) && g_date_get_year(&d) == (GDateYear)atoi(s);
}

static char *
joined(char **args)
{
	return g_strjoinv(" ", args);
}

/* The document args name (an id, "#id", or a file name, which may take
 * several words): 1 with *doc set and *used the words it took, 0 refused. */
static int
find_doc(struct run *r, gint64 app, const char *ref, char **args, guint *used,
    struct doc_info **doc, GString *out, GError **err)
{
	g_autoptr(GPtrArray) docs = dossier_docs(r->pc->st, app, err);
	guint n = g_strv_length(args);

	*doc = NULL;
	if (docs == NULL)
		return -1;
	if (n == 0) {
		g_string_append_printf(out, "no document named: write its id (from \"status %s\") "
		    "or its file name after the reference", ref);
		return 0;
	}
	{
		const char *w = args[0] + (args[0][0] == '#');
		char *end;
		gint64 id = g_ascii_strtoll(w, &end, 10);
		for (guint i = 0; *w != '\0' && *end == '\0' && i < docs->len; i++) {
			struct doc_info *d = g_ptr_array_index(docs, i);
			if (d->id == id) {
				*doc = g_ptr_array_steal_index(docs, i);
				*used = 1;
				return 1;
			}
		}
	}
	/* The longest run of words that is a file name. */
	for (guint k = n; k >= 1; k--) {
		g_autofree char *name = NULL;
		char *saved = args[k];
		guint hits = 0, at = 0;
		args[k] = NULL;
		name = joined(args);
		args[k] = saved;
		for (guint i = 0; i < docs->len; i++) {
			struct doc_info *d = g_ptr_array_index(docs, i);
			if (d->filename != NULL && g_ascii_strcasecmp(d->filename, name) == 0)
				hits++, at = i;
		}
		if (hits > 1) {
			g_string_append_printf(out, "document not found: %u documents of %s are named "
			    "\"%s\"; write the id instead (\"status %s\" lists them)", hits, ref, name, ref);
			return 0;
		}
		if (hits == 1) {
			*doc = g_ptr_array_steal_index(docs, at);
			*used = k;
			return 1;
		}
	}
	g_string_append_printf(out, "document not found: %s has no document \"%s\" (\"status %s\" "
	    "lists its documents and their ids)", ref, args[0], ref);
	return 0;
}

/* KIND and DATE words after a document, in either order: 1 read, 0 refused. */
static int
kind_and_date(struct run *r, char **args, const char **kind, const char **date, GString *out)
{
	*kind = *date = NULL;
	for (guint i = 0; args[i] != NULL; i++) {
		if (*date == NULL && is_date(args[i]))
			*date = args[i];
		else if (*kind == NULL && rules_is_kind(r->pc->cfg->rules, args[i]))
			*kind = args[i];
		else {
			g_string_append_printf(out, "cannot read \"%s\": a kind is one of the document "
			    "kinds (documents.ini, e.g. tb-ppd), a date is written YYYY-MM-DD", args[i]);
			return 0;
		}
	}
	return 1;
}

static char *
kind_words(struct run *r, const char *kind, const char *date)
{
	g_autofree char *d = date ? words_date(date) : NULL;
	return g_strdup_printf("%s%s%s", kind ? rules_kind_title(r->pc->cfg->rules, kind) :
	    "a document of no known kind", d ? ", dated " : "", d ? d : "");
}

static gboolean
cancelled(const struct dossier *d)
{
	return app_status_is(d->status, APP_CANCELLED);
}

/* ---- documents ---- */

static int
doc_verb(struct run *r, const struct command *c, const struct dossier *d, GString *out,
    GError **err)
{
	g_autoptr(GString) why = g_string_new(NULL);
	struct doc_info *doc = NULL;
	g_autofree char *event = NULL, *student = NULL, *what = NULL, *reason = NULL;
	const char *kind = NULL, *date = NULL;
	guint used = 0;
	int rc;

	if (cancelled(d)) {
		g_string_append_printf(out, "not allowed: %s is cancelled", d->reference);
		return 0;
	}
	if ((rc = find_doc(r, d->id, d->reference, c->args, &used, &doc, out, err)) <= 0)
		return rc;
	g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func((GDestroyNotify)doc_info_free);
	g_ptr_array_add(keep, doc);
	char **more = c->args + used;

	switch (c->verb) {
	case CMD_ACCEPT:
		if (!kind_and_date(r, more, &kind, &date, out))
			return 0;
		if (kind == NULL && doc->kind == NULL) {
			g_string_append_printf(out, "document %" G_GINT64_FORMAT " (%s) has no kind: "
			    "write one (accept %s %" G_GINT64_FORMAT " KIND)", doc->id, doc_name(doc),
			    d->reference, doc->id);
			return 0;
		}
		if (!dossier_set_doc(r->pc->st, d->id, doc->id, DOC_ACCEPTED, kind, date, NULL, err))
			return -1;
		what = kind_words(r, kind ? kind : doc->kind, date ? date : doc->dated ? doc->date : NULL);
		event = g_strdup_printf("document #%" G_GINT64_FORMAT " (%s) accepted as %s", doc->id,
		    doc_name(doc), what);
		student = g_strdup_printf("  - %s: accepted as %s.\n", doc_name(doc), what);
		break;
	case CMD_REJECT:
		reason = g_utf8_make_valid(c->rest, -1);
		/* The reason is what follows the document's words. */
		{
			g_autofree char *r2 = joined(more);
			g_free(reason);
			reason = g_utf8_make_valid(r2, MIN(strlen(r2), TEXT_MAX));
		}
		if (*reason == '\0') {
			g_string_append_printf(out, "give a reason for the student after the document "
			    "(reject %s %" G_GINT64_FORMAT " REASON)", d->reference, doc->id);
			return 0;
		}
		if (!dossier_set_doc(r->pc->st, d->id, doc->id, DOC_REJECTED, NULL, NULL, reason, err))
			return -1;
		event = g_strdup_printf("document #%" G_GINT64_FORMAT " (%s) rejected: %s", doc->id,
		    doc_name(doc), reason);
		student = g_strdup_printf("  - %s: not accepted. The reason: %s\n", doc_name(doc), reason);
		break;
	case CMD_KIND:
	case CMD_POSITIVE:
	case CMD_NEGATIVE:
	case CMD_PENDING: {
		struct doc_meta m = { 0 };
		const struct dossier_doc *dd = NULL;
		for (guint i = 0; i < d->docs->len; i++)
			if (((struct dossier_doc *)g_ptr_array_index(d->docs, i))->id == doc->id)
				dd = g_ptr_array_index(d->docs, i);
		if (c->verb == CMD_KIND) {
			if (!kind_and_date(r, more, &kind, &date, out))
				return 0;
			if (kind == NULL) {
				g_string_append_printf(out, "write the kind after the document (kind %s %"
				    G_GINT64_FORMAT " KIND [DATE]), e.g. tb-ppd", d->reference, doc->id);
				return 0;
			}
		} else if (*more != NULL) {
			g_string_append_printf(out, "cannot read \"%s\": write %s %s DOC", *more,
			    cmdparse_verb_str(c->verb), d->reference);
			return 0;
		} else if (doc->kind == NULL) {
			g_string_append_printf(out, "document %" G_GINT64_FORMAT " (%s) has no kind yet: "
			    "give it one first (kind %s %" G_GINT64_FORMAT " KIND)", doc->id,
			    doc_name(doc), d->reference, doc->id);
			return 0;
		}
		m.kind = kind ? kind : doc->kind;
		m.date = date;
		m.pending = c->verb == CMD_KIND ? (dd ? dd->pending : FALSE) : c->verb == CMD_PENDING;
		m.positive = c->verb == CMD_KIND ? (dd ? dd->positive : FALSE) : c->verb == CMD_POSITIVE;
		if (!dossier_name_doc(r->pc->st, d->id, doc->id, &m, err))
			return -1;
		what = kind_words(r, m.kind, date);
		if (c->verb == CMD_KIND) {
			event = g_strdup_printf("document #%" G_GINT64_FORMAT " (%s) is %s", doc->id,
			    doc_name(doc), what);
			student = g_strdup_printf("  - %s: filed as %s.\n", doc_name(doc), what);
		} else {
			const char *res = c->verb == CMD_PENDING ? "pending (waiting for the result)" :
			    cmdparse_verb_str(c->verb);
			event = g_strdup_printf("document #%" G_GINT64_FORMAT " (%s, %s): result %s",
			    doc->id, doc_name(doc), what, res);
			student = g_strdup_printf("  - %s (%s): the result is recorded as %s.\n",
			    doc_name(doc), what, res);
		}
		break;
	}
	default:
		g_assert_not_reached();
	}
	if (!history(r, d->id, event, err))
		return -1;
	g_string_append(out, event);
	struct told *t = told_of(r, d->id);
	g_string_append(t->what, student);
	t->judge = TRUE;
	return 1;
}

/* ---- the application ---- */

static gboolean
addr_ok(const char *a)
{
	const char *at = strchr(a, '@');

	return at != NULL && at > a && strchr(at + 1, '@') == NULL && strchr(at + 1, '.') != NULL &&
	    at[1] != '.' && a[strlen(a) - 1] != '.' && strlen(a) < 254 &&
	    strpbrk(a, " \t<>\"(),;:[]\\") == NULL;
}

static int
address_verb(struct run *r, const struct command *c, const struct dossier *d, GString *out,
    GError **err)
{
	g_autofree char *addr = NULL, *other = NULL, *event = NULL;
	GError *lerr = NULL;
	gint64 id;

	if (cancelled(d)) {
		g_string_append_printf(out, "not allowed: %s is cancelled", d->reference);
		return 0;
	}
	if (c->args[0] == NULL || c->args[1] != NULL || !addr_ok(c->args[0])) {
		g_string_append(out, "write one new address: address REF name@example.org");
		return 0;
	}
	addr = util_addr_normalize(c->args[0]);
	if (addr == NULL || !addr_ok(addr)) {
		g_string_append_printf(out, "\"%s\" is not an address", c->args[0]);
		return 0;
	}
	if (g_strcmp0(addr, d->email) == 0) {
		g_string_append_printf(out, "%s is already the address of %s: nothing to change",
		    addr, d->reference);
		return 0;
	}
	if (config_is_staff(r->pc->cfg, addr) || g_ascii_strcasecmp(addr, r->pc->cfg->from_addr) == 0) {
		g_string_append_printf(out, "not allowed: %s is a staff or program address", addr);
		return 0;
	}
	id = dossier_by_email(r->pc->st, addr, &other, &lerr);
	if (lerr != NULL) {
		g_propagate_error(err, lerr);
		return -1;
	}
	if (id > 0) {
		g_string_append_printf(out, "not allowed: %s is the address of application %s "
		    "(merge them, or change that one first)", addr, other);
		return 0;
	}
	if (!dossier_set_email(r->pc->st, d->id, addr, err))
		return -1;
	event = g_strdup_printf("address changed from <%s> to <%s>", d->email, addr);
	if (!history(r, d->id, event, err))
		return -1;
	g_string_append(out, event);
	g_string_append_printf(told_of(r, d->id)->what, "  - Your address for the program is now "
	    "%s (it was %s). We will write only to this address, and read your documents only "
	    "from it.\n", addr, d->email);
	return 1;
}

static char *
block_words(struct run *r, const char *block)
{
	return rules_block_words(r->pc->cfg->rules, block);
}

/* COURSE BLOCK: 1 with the course and block, 0 refused. */
static int
course_block(struct run *r, const struct command *c, const struct course_info **course,
    const char **block, GString *out)
{
	const Rules *rules = r->pc->cfg->rules;

	if (g_strv_length(c->args) != 2) {
		g_string_append_printf(out, "write a course and a block: %s", cmdparse_usage(c->verb));
		return 0;
	}
	if ((*course = rules_course(rules, c->args[0])) == NULL) {
		g_string_append_printf(out, "%s is not a course of the catalog", c->args[0]);
		return 0;
	}
	*block = c->args[1];
	if (rules_block_start(rules, *block) == NULL) {
		g_string_append_printf(out, "%s is not a block (blocks.csv; written YYYY-MM)", *block);
		return 0;
	}
	return 1;
}

/* Give up one seat and offer it to the first waiting. */
static gboolean
free_seat(struct run *r, gint64 app_id, gint64 seat, const char *state, GError **err)
{
	g_autofree char *course = NULL, *block = NULL;
	int freed = seats_free(r->pc->st, seat, state, &course, &block, err);

	if (freed > 0)
		effects_seat_freed(r->pc, app_id, course, block);	/* a CANCEL to the student */
	return freed == 0 || (freed > 0 && offers_pass_on(r->pc, course, block, err));
}

static int
assign_verb(struct run *r, const struct command *c, const struct dossier *d, GString *out,
    GError **err)
{
	const struct course_info *course;
	const char *block, *end;
	g_autoptr(GArray) held = NULL;
	g_autofree char *event = NULL, *words = NULL;
	gint64 taken;
	int free_now, rc;
	AppStatus s;

	if ((rc = course_block(r, c, &course, &block, out)) <= 0)
		return rc;
	end = rules_block_end(r->pc->cfg->rules, block);
	if (end != NULL && strcmp(end, r->pc->today) < 0) {
		g_string_append_printf(out, "not allowed: block %s ended on %s", block, end);
		return 0;
	}
	if (!app_status_parse(d->status, &s) || (s != APP_COMPLETE && s != APP_SCHEDULED &&
	    s != APP_WAITLISTED)) {
		g_string_append_printf(out, "not allowed: %s is %s; a seat goes only to a complete "
		    "application (accept its documents first, in the same message if you like)",
		    d->reference, d->status);
		return 0;
	}
	if ((held = seats_of(r->pc->st, d->id, block, err)) == NULL)
		return -1;
	for (guint i = 0; i < held->len; i++)
		if (strcmp(g_array_index(held, struct seat, i).course, course->code) == 0) {
			g_string_append_printf(out, "%s already holds a seat in %s in block %s",
			    d->reference, course->code, block);
			return 0;
		}
	if ((free_now = placement_free_seats(r->pc, course->code, block, err)) < 0 ||
	    (taken = seats_taken(r->pc->st, course->code, block, err)) < 0)
		return -1;
	if (seats_take(r->pc->st, d->id, course->code, block, "staff", err) == 0 ||
	    !offers_withdraw(r->pc, d->id, block, err))
		return -1;
	effects_seat_given(r->pc, d->id);	/* its calendar entry and letter with the notice */
	/* A seat held in another course of the block is given up for this one. */
	for (guint i = 0; i < held->len; i++)
		if (!free_seat(r, d->id, g_array_index(held, struct seat, i).id, "changed", err))
			return -1;
	if (!standing_update(r->pc, d->id, r->ledger_id, "seat assigned by staff", NULL, err))
		return -1;
	words = block_words(r, block);
	event = g_strdup_printf("seat assigned in %s, block %s%s%s", course->code, block,
	    held->len ? ", in place of " : "", held->len ? g_array_index(held, struct seat, 0).course : "");
	if (!history(r, d->id, event, err))
		return -1;
	g_string_append(out, event);
	if (free_now <= 0)
		g_string_append_printf(out, " (beyond the catalog's %d seat%s: %" G_GINT64_FORMAT
		    " students now)", course->seats, course->seats == 1 ? "" : "s", taken + 1);
	g_string_append_printf(told_of(r, d->id)->what, "  - You have a seat in %s (%s) in block "
	    "%s.\n", course->code, course->title, words);
	return 1;
}

static int
unassign_verb(struct run *r, const struct command *c, const struct dossier *d, GString *out,
    GError **err)
{
	const struct course_info *course;
	const char *block;
	g_autoptr(GArray) held = NULL;
	g_autofree char *event = NULL, *words = NULL;
	gint64 seat = 0;
	int rc;

	if ((rc = course_block(r, c, &course, &block, out)) <= 0)
		return rc;
	if ((held = seats_of(r->pc->st, d->id, block, err)) == NULL)
		return -1;
	for (guint i = 0; i < held->len; i++)
		if (strcmp(g_array_index(held, struct seat, i).course, course->code) == 0)
			seat = g_array_index(held, struct seat, i).id;
	if (seat == 0) {
		g_string_append_printf(out, "%s holds no seat in %s in block %s", d->reference,
		    course->code, block);
		return 0;
	}
	if (!free_seat(r, d->id, seat, "cancelled", err) ||
	    !standing_update(r->pc, d->id, r->ledger_id, "seat withdrawn by staff", NULL, err))
		return -1;
	words = block_words(r, block);
	event = g_strdup_printf("seat in %s, block %s, withdrawn", course->code, block);
	if (!history(r, d->id, event, err))
		return -1;
	g_string_append_printf(out, "%s; it is offered to the first on its waitlist", event);
	g_string_append_printf(told_of(r, d->id)->what, "  - Your seat in %s (%s) in block %s was "
	    "withdrawn by the program.\n", course->code, course->title, words);
	return 1;
}

static int
note_verb(struct run *r, const struct command *c, const struct dossier *d, GString *out,
    GError **err)
{
	g_autofree char *text = g_utf8_make_valid(c->rest, MIN(strlen(c->rest), TEXT_MAX));
	g_autofree char *event = NULL;

	if (*text == '\0') {
		g_string_append(out, "write the note after the reference: note REF TEXT");
		return 0;
	}
	event = g_strdup_printf("note: %s", text);
	if (!history(r, d->id, event, err))
		return -1;
	g_string_append_printf(out, "noted in the history of %s (the student is not told)",
	    d->reference);
	return 1;
}

static int
reply_verb(struct run *r, const struct command *c, const struct dossier *d, GString *out,
    GError **err)
{
	const char *body = c->body ? c->body : c->rest;
	struct told *t;

	if (*body == '\0') {
		g_string_append(out, "write the text for the student on the lines below \"reply REF\"");
		return 0;
	}
	if (d->email == NULL || *d->email == '\0') {
		g_string_append_printf(out, "%s has no address to write to", d->reference);
		return 0;
	}
	t = told_of(r, d->id);
	if (t->message != NULL) {
		g_string_append_printf(out, "one reply per message to %s", d->reference);
		return 0;
	}
	t->message = g_strdup(body);
	if (!history(r, d->id, "message from staff sent to the student", err))
		return -1;
	g_string_append_printf(out, "your text (%zu characters) goes to %s <%s>", strlen(body),
	    d->name, d->email);
	return 1;
}

static int
status_verb(struct run *r, const struct command *c, const struct dossier *d, GString *out,
    GError **err)
{
	g_autoptr(GPtrArray) docs = dossier_docs(r->pc->st, d->id, err);
	g_autofree char *seats = NULL, *missing = NULL;
	struct decision dc;
	int found;

	(void)c;
	if (docs == NULL || (seats = placement_describe(r->pc, d->id, err)) == NULL)
		return -1;
	decision_init(&dc);
	if ((found = dossier_decision(r->pc->st, d->id, &dc, err)) < 0) {
		decision_clear(&dc);
		return -1;
	}
	missing = decision_missing_json(&dc);
	g_string_append_printf(out, "%s, %s <%s>, %s\n    status: %s; missing: %s\n",
	    d->reference, d->name, d->email, d->school ? d->school : "(no school given)", d->status,
	    missing);
	for (guint i = 0; i < dc.reasons->len; i++) {
		const struct decision_reason *why = g_ptr_array_index(dc.reasons, i);
		g_string_append_printf(out, "    rule %s: %s\n", why->rule, why->text);
	}
	decision_clear(&dc);
	for (guint i = 0; i < d->choices->len; i++) {
		const struct form_choice *ch = &g_array_index(d->choices, struct form_choice, i);
		g_string_append_printf(out, "    choice %d: %s %s\n", ch->rank, ch->course, ch->block);
	}
	if (*seats != '\0')
		g_string_append_printf(out, "    %s\n", g_strstrip(seats));
	g_string_append_printf(out, "    documents (DOC is the id or the file name):\n");
	for (guint i = 0; i < docs->len; i++) {
		const struct doc_info *doc = g_ptr_array_index(docs, i);
		g_string_append_printf(out, "      %" G_GINT64_FORMAT "  %-8s %-18s %s%s  %s\n", doc->id,
		    doc->state, doc->kind ? doc->kind : "(no kind)", doc->date,
		    doc->dated ? "" : " (received)", doc_name(doc));
	}
	if (docs->len == 0)
		g_string_append(out, "      (none)\n");
	g_string_truncate(out, out->len - 1);
	return 1;
}

/* ---- exceptions, reinstatement, merging ---- */

static int
override_verb(struct run *r, const struct command *c, const struct dossier *d, GString *out,
    GError **err)
{
	const Rules *rules = r->pc->cfg->rules;
	g_autofree char *rule = NULL, *event = NULL, *reason = NULL;
	gboolean kind, replaced;

	if (cancelled(d)) {
		g_string_append_printf(out, "not allowed: %s is cancelled", d->reference);
		return 0;
	}
	if (c->args[0] == NULL) {
		g_string_append_printf(out, "write the rule and the reason: %s", cmdparse_usage(c->verb));
		return 0;
	}
	rule = g_ascii_strdown(c->args[0], -1);
	kind = rules_is_kind(rules, rule);
	if (!kind && !rules_is_rule(rules, rule)) {
		g_string_append_printf(out, "\"%s\" is not a rule we know. A rule is a section of "
		    "rules/eligibility.ini (\"status %s\" names the rules that count against it), "
		    "or a document kind (tb-ppd, mmr, ...)", c->args[0], d->reference);
		return 0;
	}
	{
		g_autofree char *rest = joined(c->args + 1);
		reason = g_utf8_make_valid(rest, MIN(strlen(rest), TEXT_MAX));
	}
	if (*reason == '\0') {
		g_string_append_printf(out, "give a reason for the student after the rule (override "
		    "%s %s REASON)", d->reference, rule);
		return 0;
	}
	if (!dossier_add_override(r->pc->st, d->id, rule, reason, r->actor, &replaced, err))
		return -1;
	event = g_strdup_printf("exception made for %s %s%s: %s", kind ? "document kind" : "rule",
	    rule, replaced ? " (its reason replaced)" : "", reason);
	if (!history(r, d->id, event, err))
		return -1;
	g_string_append(out, event);
	struct told *t = told_of(r, d->id);
	g_string_append(t->what, "  - A coordinator made an exception for you. It is explained "
	    "below.\n");
	t->judge = TRUE;
	return 1;
}

/* Another application open at the same address as d, or 0 (-1 on error). */
static gint64
other_open(struct run *r, const struct dossier *d, char **ref, GError **err)
{
	GError *lerr = NULL;
	gint64 id = d->email ? dossier_by_email(r->pc->st, d->email, ref, &lerr) : 0;

	if (lerr != NULL) {
		g_propagate_error(err, lerr);
		return -1;
	}
	return id == d->id ? 0 : id;
}

static int
reinstate_verb(struct run *r, const struct command *c, const struct dossier *d, GString *out,
    GError **err)
{
	g_autofree char *other = NULL;
	gint64 id;

	if (c->args[0] != NULL) {
		g_string_append_printf(out, "cannot read \"%s\": write %s", c->args[0],
		    cmdparse_usage(c->verb));
		return 0;
	}
	if (!cancelled(d)) {
		g_string_append_printf(out, "not allowed: %s is not cancelled (it is %s)", d->reference,
		    d->status);
		return 0;
	}
	if ((id = dossier_merged_into(r->pc->st, d->id, &other, err)) < 0)
		return -1;
	if (id > 0) {
		g_string_append_printf(out, "not allowed: %s was merged into %s, which has its "
		    "documents now", d->reference, other);
		return 0;
	}
	g_clear_pointer(&other, g_free);
	if ((id = other_open(r, d, &other, err)) < 0)
		return -1;
	if (id > 0) {
		g_string_append_printf(out, "not allowed: <%s> has another application open, %s "
		    "(to join them: merge %s %s)", d->email, other, other, d->reference);
		return 0;
	}
	if (!dossier_reinstate(r->pc->st, d->id, r->ledger_id, d->reference, err) ||
	    !history(r, d->id, "reinstated: the application is open again", err))
		return -1;
	g_string_append_printf(out, "%s reinstated and judged again. Seats and waitlist places it "
	    "held before are NOT given back: give a seat with \"assign %s COURSE BLOCK\"",
	    d->reference, d->reference);
	struct told *t = told_of(r, d->id);
	g_string_append(t->what, "  - Your application was cancelled. A coordinator opened it "
	    "again. Seats or waitlist places you had before are not given back.\n");
	t->judge = TRUE;
	return 1;
}

/* Does the application hold a seat, or a seat offered to it? 1 yes, 0 no, -1 error. */
static int
holds_seat(struct run *r, gint64 app, GError **err)
{
	g_autoptr(GArray) seats = seats_of(r->pc->st, app, NULL, err);
	g_autoptr(GArray) offers = seats ? offersdb_find(r->pc->st, app, NULL, NULL, err) : NULL;

	if (offers == NULL)
		return -1;
	return seats->len > 0 || offers->len > 0;
}

static int
merge_verb(struct run *r, const struct command *c, const struct dossier *d, GString *out,
    GError **err)
{
	g_autofree char *oref = NULL, *event = NULL;
	g_autoptr(Dossier) o = NULL;
	gint64 oid;
	guint ndocs;
	gboolean moved;
	int seat;

	if (c->args[0] == NULL || c->args[1] != NULL) {
		g_string_append_printf(out, "write the two references: %s (the second joins the "
		    "first)", cmdparse_usage(c->verb));
		return 0;
	}
	oref = g_ascii_strup(c->args[0], -1);
	if ((oid = dossier_by_reference(r->pc->st, oref, NULL, err)) == 0) {
		if (err != NULL && *err != NULL)
			return -1;
		g_string_append_printf(out, "unknown reference: there is no application %s", oref);
		return 0;
	}
	if (oid == d->id) {
		g_string_append_printf(out, "not allowed: %s and %s are the same application",
		    d->reference, oref);
		return 0;
	}
	if ((o = dossier_load(r->pc->st, oid, err)) == NULL)
		return -1;
	if (cancelled(d)) {
		g_string_append_printf(out, "not allowed: %s is cancelled (reinstate %s first, or "
		    "merge into the other: merge %s %s)", d->reference, d->reference, oref,
		    d->reference);
		return 0;
	}
	for (int i = 0; i < 2; i++) {
		const struct dossier *x = i ? o : d;
		if ((seat = holds_seat(r, x->id, err)) < 0)
			return -1;
		if (seat || app_status_is(x->status, APP_SCHEDULED)) {
			g_string_append_printf(out, "not allowed: %s holds a seat (withdraw it first: "
			    "unassign %s COURSE BLOCK)", x->reference, x->reference);
			return 0;
		}
	}
	if (!dossier_merge(r->pc->st, d->id, o->id, &ndocs, &moved, err))
		return -1;
	if (!cancelled(o) && !placement_cancel(r->pc, o->id, r->ledger_id, err))
		return -1;
	event = g_strdup_printf("merged into %s", d->reference);
	if (!history(r, o->id, event, err))
		return -1;
	g_free(event);
	event = g_strdup_printf("%s merged into this application: %u document%s, its history%s",
	    oref, ndocs, ndocs == 1 ? "" : "s", moved ? " and its choices" : "");
	if (!history(r, d->id, event, err))
		return -1;
	g_string_append_printf(out, "%s; %s is cancelled (its waitlist places given up)%s; %s is "
	    "judged again", event, oref, moved ? "" : ", its choices not taken (this one has its "
	    "own)", d->reference);
	if (g_strcmp0(o->email, d->email) != 0)
		g_string_append_printf(out, ". Only <%s> is written to, not <%s>", d->email, o->email);
	struct told *t = told_of(r, d->id);
	g_string_append_printf(t->what, "  - You had two applications, %s and %s. They are now "
	    "one: %s. The documents you sent for %s now count for %s, and %s is closed.\n",
	    d->reference, oref, d->reference, oref, d->reference, oref);
	t->judge = TRUE;
	return 1;
}

typedef int (*verb_fn)(struct run *r, const struct command *c, const struct dossier *d,
    GString *out, GError **err);

static verb_fn
verb_of(CmdVerb v)
{
	switch (v) {
	case CMD_ACCEPT: case CMD_REJECT: case CMD_KIND:
	case CMD_POSITIVE: case CMD_NEGATIVE: case CMD_PENDING:
		return doc_verb;
	case CMD_ADDRESS:
		return address_verb;
	case CMD_ASSIGN:
		return assign_verb;
	case CMD_UNASSIGN:
		return unassign_verb;
	case CMD_NOTE:
		return note_verb;
	case CMD_REPLY:
		return reply_verb;
	case CMD_STATUS:
		return status_verb;
	case CMD_OVERRIDE:
		return override_verb;
	case CMD_REINSTATE:
		return reinstate_verb;
	case CMD_MERGE:
		return merge_verb;
	default:
		g_assert_not_reached();
	}
	return NULL;
}

char *
commands_help(void)
{
	static const char *const what[CMD_N_VERBS] = {
		[CMD_ACCEPT] = "the document counts (with its kind and date, if you give them)",
		[CMD_REJECT] = "the document does not count; the student reads the reason",
		[CMD_KIND] = "the document is of this kind (and date); its check is unchanged",
		[CMD_POSITIVE] = "a test result is positive",
		[CMD_NEGATIVE] = "a test result is negative",
		[CMD_PENDING] = "a test result is still to come",
		[CMD_ADDRESS] = "the student's registered address changes",
		[CMD_ASSIGN] = "a seat, at any time, even beyond the catalog's seats",
		[CMD_UNASSIGN] = "the seat is withdrawn and offered to the waitlist",
		[CMD_OVERRIDE] = "an exception: the rule (or document kind) no longer counts",
		[CMD_REINSTATE] = "a cancelled application is open again (no seats back)",
		[CMD_MERGE] = "the second application joins the first, and is cancelled",
		[CMD_NOTE] = "a line in the history; the student is not told",
		[CMD_REPLY] = "the text below goes to the student, from the program",
		[CMD_STATUS] = "where the application stands, and its documents' ids",
		[CMD_HELP] = "this list",
	};
	GString *s = g_string_new(NULL);

	for (int v = 0; v < CMD_N_VERBS; v++)
		g_string_append_printf(s, "  %-38s %s\n", cmdparse_usage(v), what[v]);
	g_string_append(s, "REF is a reference (ECP-2027-00042). DOC is a document's id, as "
	    "\"status REF\" shows it, or its file name. KIND is a document kind (tb-ppd, mmr, ...), "
	    "DATE is YYYY-MM-DD. One command a line; lines that are not commands are ignored. "
	    "All the commands of one message take effect, or none.\n");
	return g_string_free(s, FALSE);
}

/* One command: 1 done, 0 refused, -1 error; out gets the outcome. */
static int
run_one(struct run *r, const struct command *c, GString *out, GError **err)
{
	g_autoptr(Dossier) d = NULL;
	gint64 app;

	if (c->verb == CMD_HELP) {
		g_autofree char *help = commands_help();
		g_string_append_printf(out, "the commands:\n%s", help);
		g_string_truncate(out, out->len - 1);
		return 1;
	}
	if ((app = dossier_by_reference(r->pc->st, c->ref, NULL, err)) == 0) {
		if (err != NULL && *err != NULL)
			return -1;
		g_string_append_printf(out, "unknown reference: there is no application %s", c->ref);
		return 0;
	}
	if ((d = dossier_load(r->pc->st, app, err)) == NULL)
		return -1;
	return verb_of(c->verb)(r, c, d, out, err);
}

/* Each student affected, told once: what changed, the coordinator's text,
 * and where the application stands now. */
static gboolean
tell_students(struct run *r, const char *seed, GString *report, GError **err)
{
	for (guint i = 0; i < r->told->len; i++) {
		const struct told *t = g_ptr_array_index(r->told, i);
		g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
		g_autofree char *decision = NULL, *title = NULL, *msgid = NULL, *subject = NULL;
		g_autofree char *mseed = NULL;
		g_autoptr(GString) what = g_string_new(NULL);
		g_autoptr(Dossier) d = NULL;
		struct decision dc;
		gboolean changed, ok;
		struct mail_out m = { 0 };

		if (t->judge)
			ok = settle(r->pc, t->app, r->ledger_id, "staff commands", &dc, &changed, err);
		else {
			decision_init(&dc);
			ok = dossier_decision(r->pc->st, t->app, &dc, err) > 0;
		}
		ok = ok && (decision = decide_text(r->pc, t->app, &dc, err)) != NULL;
		decision_clear(&dc);
		if (!ok || (d = dossier_load(r->pc->st, t->app, err)) == NULL)
			return FALSE;
		if (t->judge)
			g_string_append_printf(report, "%s judged again: now %s.\n", d->reference,
			    d->status);
		if (d->email == NULL || *d->email == '\0')
			continue;
		if (t->message != NULL)
			g_string_append_printf(what, "%s\n\n", t->message);
		if (t->what->len > 0)
			g_string_append_printf(what, "%s:\n%s", t->message ? "We also changed your "
			    "application" : "We changed your application", t->what->str);
		while (what->len > 0 && what->str[what->len - 1] == '\n')
			g_string_truncate(what, what->len - 1);
		g_string_append_c(what, '\n');
		if ((title = decide_subject(r->pc, t->app, t->message ? "Message from the program" :
		    "Application updated", err)) == NULL)
			return FALSE;
		if (t->message != NULL && !ledger_last_from(r->pc->st, t->app, d->email, &msgid,
		    &subject, err))
			return FALSE;
		mseed = g_strdup_printf("%s.staff-commands.%" G_GINT64_FORMAT, seed, t->app);
		g_hash_table_insert(vars, "name", d->name);
		g_hash_table_insert(vars, "reference", d->reference);
		g_hash_table_insert(vars, "what", what->str);
		g_hash_table_insert(vars, "decision", decision);
		m.kind = "staff-message";
		m.template = "staff-message";
		m.to_addr = d->email;
		m.to_name = d->name;
		m.subject = subject;
		m.fallback_subject = title;
		m.reference = d->reference;
		m.in_reply_to = msgid;
		m.references = msgid;
		m.seed_msgid = mseed;
		m.seed_sha256 = "";
		effect_mail(r->pc, EFFECT_NOTIFY_APPLICANT, r->ledger_id, t->app, &m, vars);
	}
	return TRUE;
}

gboolean
commands_run(struct process_ctx *pc, gint64 ledger_id, const char *actor, const char *seed,
    GPtrArray *cmds, GString *report, guint *refused, GError **err)
{
	struct run r = { pc, ledger_id, actor, g_ptr_array_new_with_free_func(told_free) };
	guint mark = effects_count(pc);
	gboolean ok = TRUE;

	*refused = 0;
	if (!store_savepoint(pc->st, err)) {
		g_ptr_array_unref(r.told);
		return FALSE;
	}
	for (guint i = 0; ok && i < cmds->len; i++) {
		const struct command *c = g_ptr_array_index(cmds, i);
		g_autoptr(GString) out = g_string_new(NULL);
		int rc = run_one(&r, c, out, err);
		if (rc < 0)
			ok = FALSE;
		else {
			*refused += rc == 0;
			g_string_append_printf(report, "> %s\n  %s%s\n\n", c->line,
			    rc ? (c->verb == CMD_STATUS || c->verb == CMD_HELP ? "" : "done: ") :
			    "REFUSED: ", out->str);
		}
	}
	if (ok && *refused == 0)
		ok = tell_students(&r, seed, report, err);
	if (!ok || *refused > 0) {
		store_rollback_savepoint(pc->st);
		effects_truncate(pc, mark);
	} else
		ok = store_release(pc->st, err);
	g_ptr_array_unref(r.told);
	return ok;
}

/* The staff member's own words: above a forward, else the body. */
static const char *
own_text(const struct facts *f)
{
	return f->forward != NULL ? f->forward->note : f->text;
}

gboolean
commands_mail(struct process_ctx *pc, gint64 ledger_id, const struct facts *f,
    const char *sha256, gboolean *handled, GError **err)
{
	gboolean too_many;
	g_autoptr(GPtrArray) cmds = cmdparse_text(own_text(f), &too_many);
	g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GString) report = g_string_new(NULL), summary = g_string_new(NULL);
	g_autofree char *actor = g_strdup_printf("staff <%s>", f->from_addr);
	g_autofree char *seed = g_strdup_printf("%s.%s", f->message_id ? f->message_id : "",
	    sha256);
	const char *ref = NULL;
	guint refused = 0;

	*handled = cmds->len > 0;
	if (!*handled)
		return TRUE;
	for (guint i = 0; i < cmds->len; i++) {
		const struct command *c = g_ptr_array_index(cmds, i);
		if (c->ref != NULL && ref == NULL)
			ref = c->ref;
		else if (c->ref != NULL && strcmp(c->ref, ref) != 0)
			ref = "";
	}
	if (ref != NULL && *ref == '\0')
		ref = NULL;
	if (too_many) {
		refused = 1;
		g_string_append_printf(report, "This message has more than %d commands. Send them "
		    "in several messages.\n", CMDPARSE_MAX);
	} else if (!commands_run(pc, ledger_id, actor, seed, cmds, report, &refused, err))
		return FALSE;
	if (refused > 0)
		g_string_append_printf(summary, "NOTHING WAS CHANGED: %u of the %u commands in your "
		    "message %s refused (marked REFUSED below), and the commands of one message take "
		    "effect together or not at all. Correct %s and send all the commands again.",
		    too_many ? cmds->len : refused, cmds->len, refused == 1 && !too_many ? "was" : "were",
		    refused == 1 ? "it" : "them");
	else
		g_string_append_printf(summary, cmds->len == 1 ? "Your command was carried out." :
		    "All %u commands of your message were carried out.", cmds->len);
	if (refused == 0 && report->len > 0)
		g_string_append(summary, " Each student affected is told once, in one mail (never "
		    "for note, status or help).");
	if (f->attachments->len > 0)
		g_string_append_printf(summary, "\n\nThe %u attachment%s of your message %s not "
		    "credited to anyone: to credit documents, forward them in a message without "
		    "commands.", f->attachments->len, f->attachments->len == 1 ? "" : "s",
		    f->attachments->len == 1 ? "was" : "were");
	{
		g_autofree char *event = g_strdup_printf("%u staff command%s from <%s>: %s", cmds->len,
		    cmds->len == 1 ? "" : "s", f->from_addr, refused ? "refused, nothing changed" :
		    "carried out");
		if (!dossier_event(pc->st, 0, ledger_id, event, err))
			return FALSE;
		g_message("message <%s>: %s", f->message_id ? f->message_id : "", event);
	}
	g_hash_table_insert(vars, "summary", summary->str);
	g_hash_table_insert(vars, "outcomes", report->str);
	effect_reply_titled(pc, ledger_id, 0, f, sha256, "staff-commands", ref, "staff-commands",
	    refused ? "Commands refused: nothing was changed" : "Commands carried out", vars, NULL);
	return TRUE;
}

gboolean
commands_claimed(const struct facts *f)
{
	gboolean too_many;
	g_autoptr(GPtrArray) cmds = cmdparse_text(own_text(f), &too_many);

	for (guint i = 0; i < cmds->len; i++) {
		CmdVerb v = ((struct command *)g_ptr_array_index(cmds, i))->verb;
		if (v != CMD_STATUS && v != CMD_HELP)
			return TRUE;
	}
	return FALSE;
}

gboolean
commands_refuse(struct process_ctx *pc, gint64 ledger_id, const struct facts *f,
    const char *sha256, const char *why, GError **err)
{
	gboolean too_many;
	g_autoptr(GPtrArray) cmds = cmdparse_text(own_text(f), &too_many);
	g_autoptr(GString) details = g_string_new(NULL);
	g_autofree char *what = g_strdup_printf("a message from <%s> carries staff commands, but "
	    "%s: nothing was changed, and the sender was not answered",
	    f->from_addr ? f->from_addr : "an unknown sender", why);

	g_string_append(details, "The commands:\n");
	for (guint i = 0; i < cmds->len; i++)
		g_string_append_printf(details, "  %s\n",
		    ((struct command *)g_ptr_array_index(cmds, i))->line);
	g_string_append(details, "If they are yours, send them again from your staff address.\n");
	if (!dossier_event(pc->st, 0, ledger_id, what, err))
		return FALSE;
	effect_notify_staff(pc, ledger_id, 0, f, sha256, NULL, what, details->str);
	return TRUE;
}
