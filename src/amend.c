/* amend.c: a form sent again, and a change of choices asked by mail
 * (amend.h). What changed is recorded field by field in the application's
 * history and told to the registered address, so that a change the student
 * did not make is seen. */
#include "amend.h"
#include "appstatus.h"
#include "confirm.h"
#include "decide.h"
#include "dossier.h"
#include "effects.h"
#include "ledger.h"
#include "placement.h"
#include "reply.h"
#include "rules.h"
#include "seats.h"
#include "settle.h"
#include "util.h"
#include "words.h"

#include <json-glib/json-glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AMEND_TOKEN_LEN 10	/* as requests.c's */
#define AMEND_VALUE_MAX 200	/* of a value quoted back in a reply or an event */

/* The form's fields in the order the blank form has them. */
static const char *const field_order[] = {
	"full_name", "email", "medical_school", "school_country", "year_of_study",
	"expected_graduation", "degree_held", "core_clerkships_completed", "request_type",
	"english_proficiency", "faculty_contact",
};

/* "school_country" -> "School country" (capital) or "school country". */
static char *
field_label(const char *key, gboolean capital)
{
	char *s = g_strdup(key);

	for (char *p = s; *p; p++)
		if (*p == '_')
			*p = ' ';
	if (capital)
		*s = g_ascii_toupper(*s);
	return s;
}

/* A value as it is quoted back: clean UTF-8, one line, not too long. */
static char *
quoted(const char *v)
{
	char *s = util_utf8_clean(v ? v : "", -1, AMEND_VALUE_MAX);

	for (char *p = s; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	return s;
}

#define AMEND_WIDTH 72

/* Append a paragraph (its lines joined), folded at AMEND_WIDTH columns, and
 * a newline. */
static void
wrapped(GString *out, const char *para)
{
	g_auto(GStrv) words = g_strsplit_set(para, " \n", -1);
	gsize col = 0;

	for (int i = 0; words[i] != NULL; i++) {
		gsize n = g_utf8_strlen(words[i], -1);
		if (n == 0)
			continue;
		if (col > 0 && col + 1 + n > AMEND_WIDTH) {
			g_string_append_c(out, '\n');
			col = 0;
		} else if (col > 0) {
			g_string_append_c(out, ' ');
			col++;
		}
		g_string_append(out, words[i]);
		col += n;
	}
	g_string_append_c(out, '\n');
}

/* The same, of a printf format. */
static void G_GNUC_PRINTF(2, 3)
wrappedf(GString *out, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *para = NULL;

	va_start(ap, fmt);
	para = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	wrapped(out, para);
}

/* ---- choices ---- */

static gboolean
same_choice(const struct form_choice *a, const struct form_choice *b)
{
	return strcmp(a->course, b->course) == 0 && strcmp(a->block, b->block) == 0;
}

/* The same courses in the same blocks, in the same order. */
static gboolean
same_choices(GArray *a, GArray *b)
{
	if (a->len != b->len)
		return FALSE;
	for (guint i = 0; i < a->len; i++)
		if (!same_choice(&g_array_index(a, struct form_choice, i),
		    &g_array_index(b, struct form_choice, i)))
			return FALSE;
	return TRUE;
}

static void
add_block(GPtrArray *blocks, const char *block)
{
	if (!g_ptr_array_find_with_equal_func(blocks, block, g_str_equal, NULL))
		g_ptr_array_add(blocks, g_strdup(block));
}

static gint
by_string(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The blocks of a list of choices, each once, in order. */
static GPtrArray *
blocks_of(GArray *choices)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; i < choices->len; i++)
		add_block(out, g_array_index(choices, struct form_choice, i).block);
	g_ptr_array_sort(out, by_string);
	return out;
}

/* The choices ranked 1, 2, 3 ... in their order. */
static GArray *
renumbered(GArray *choices)
{
	GArray *out = g_array_sized_new(FALSE, TRUE, sizeof(struct form_choice), choices->len);

	for (guint i = 0; i < choices->len; i++) {
		struct form_choice c = g_array_index(choices, struct form_choice, i);
		c.rank = (int)i + 1;
		g_array_append_val(out, c);
	}
	return out;
}

/* The choices joined by sep: "MED-401 2027-03;SUR-512 2027-04" (a
 * confirmation's detail, read back by choices_from_detail), or ", " for the
 * history; "" for none. */
static char *
choices_joined(GArray *choices, const char *sep)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < choices->len; i++) {
		const struct form_choice *c = &g_array_index(choices, struct form_choice, i);
		g_string_append_printf(s, "%s%s %s", i ? sep : "", c->course, c->block);
	}
	return g_string_free(s, FALSE);
}

static GArray *
choices_from_detail(const char *detail)
{
	g_auto(GStrv) items = g_strsplit(detail ? detail : "", ";", FORM_MAX_CHOICES + 1);
	GArray *out = g_array_new(FALSE, TRUE, sizeof(struct form_choice));

	for (int i = 0; items[i] != NULL && out->len < FORM_MAX_CHOICES; i++) {
		struct form_choice c = { 0 };
		char course[32], block[16];
		if (sscanf(items[i], "%31s %15s", course, block) != 2 ||
		    strlen(course) >= sizeof c.course || strlen(block) >= sizeof c.block)
			continue;
		c.rank = (int)out->len + 1;
		g_strlcpy(c.course, course, sizeof c.course);
		g_strlcpy(c.block, block, sizeof c.block);
		g_array_append_val(out, c);
	}
	return out;
}

/* "MED-401 2027-03, SUR-512 2027-04" (or "none"), for the history. */
static char *
choices_line(GArray *choices)
{
	return choices->len ? choices_joined(choices, ", ") : g_strdup("none");
}

/* The choices, a line each, as the student reads them. */
static void
choices_text(const Rules *r, GString *out, GArray *choices)
{
	for (guint i = 0; i < choices->len; i++) {
		const struct form_choice *c = &g_array_index(choices, struct form_choice, i);
		g_autofree char *when = rules_block_words(r, c->block);
		g_string_append_printf(out, "  %u. %s in block %s%s\n", i + 1, c->course, when,
		    rules_closed(r, c->course, c->block) ? " (closed in this block: it has no seats)" : "");
	}
	if (choices->len == 0)
		g_string_append(out, "  (none)\n");
}

/* The blocks of the old and the new choices that are drawn (DESIGN: a
 * form changes choices at once only "before any of its blocks is drawn"):
 * those whose lottery has run into lottery, those where the application is
 * placed (rolling) into placed, ", " between them. FALSE on error. */
static gboolean
drawn_blocks(struct process_ctx *pc, gint64 app_id, GArray *old, GArray *new, GString *lottery,
    GString *placed, GError **err)
{
	g_autoptr(GPtrArray) blocks = blocks_of(old);
	g_autoptr(GPtrArray) more = blocks_of(new);

	for (guint i = 0; i < more->len; i++)
		add_block(blocks, g_ptr_array_index(more, i));
	g_ptr_array_sort(blocks, by_string);
	for (guint i = 0; i < blocks->len; i++) {
		const char *b = g_ptr_array_index(blocks, i);
		int drawn, mine;
		if ((drawn = lottery_drawn(pc->st, b, NULL, NULL, err)) < 0 ||
		    (mine = seats_placed(pc->st, app_id, b, err)) < 0)
			return FALSE;
		if (drawn > 0)
			g_string_append_printf(lottery, "%s%s", lottery->len ? ", " : "", b);
		else if (mine > 0)
			g_string_append_printf(placed, "%s%s", placed->len ? ", " : "", b);
	}
	return TRUE;
}

/* The blocks where an application holds a seat or a waitlist place and that
 * a new list of choices drops, each once, in order; NULL on error. */
static GPtrArray *
dropped_held(struct process_ctx *pc, gint64 app_id, GArray *new, GError **err)
{
	g_autoptr(GArray) seats = seats_of(pc->st, app_id, NULL, err);
	g_autoptr(GArray) places = NULL;
	g_autoptr(GPtrArray) keep = blocks_of(new);
	GPtrArray *out;

	if (seats == NULL || (places = waitlist_of(pc->st, app_id, err)) == NULL)
		return NULL;
	out = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < seats->len; i++) {
		const char *b = g_array_index(seats, struct seat, i).block;
		if (!g_ptr_array_find_with_equal_func(keep, b, g_str_equal, NULL))
			add_block(out, b);
	}
	for (guint i = 0; i < places->len; i++) {
		const char *b = g_array_index(places, struct waitlist_place, i).block;
		if (!g_ptr_array_find_with_equal_func(keep, b, g_str_equal, NULL))
			add_block(out, b);
	}
	g_ptr_array_sort(out, by_string);
	return out;
}

/* What giving up the blocks a new list drops means, in words: "You give up
 * a seat in MED-401 in block 2027-03 (...)." ("" if nothing); NULL on error. */
static char *
giving_up(struct process_ctx *pc, gint64 app_id, GPtrArray *dropped, const char *verb,
    GError **err)
{
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < dropped->len; i++) {
		const char *b = g_ptr_array_index(dropped, i);
		g_autofree char *held = placement_held_in(pc, app_id, b, err), *when = NULL;
		if (held == NULL) {
			g_string_free(out, TRUE);
			return NULL;
		}
		when = rules_block_words(pc->cfg->rules, b);
		wrappedf(out, "%s %s in block %s, because your new choices have no course in that "
		    "block.", verb, held, when);
	}
	return g_string_free(out, FALSE);
}

/* Seats in blocks that stay, in courses that the new list no longer names:
 * kept, and the student told how to move (a sentence each, "" if none);
 * NULL on error. */
static char *
seats_kept(struct process_ctx *pc, gint64 app_id, GArray *new, GError **err)
{
	g_autoptr(GArray) seats = seats_of(pc->st, app_id, NULL, err);
	GString *out;

	if (seats == NULL)
		return NULL;
	out = g_string_new(NULL);
	for (guint i = 0; i < seats->len; i++) {
		const struct seat *s = &g_array_index(seats, struct seat, i);
		gboolean block = FALSE, course = FALSE;
		for (guint j = 0; j < new->len; j++) {
			const struct form_choice *c = &g_array_index(new, struct form_choice, j);
			if (strcmp(c->block, s->block) == 0) {
				block = TRUE;
				course |= g_ascii_strcasecmp(c->course, s->course) == 0;
			}
		}
		if (block && !course)
			wrappedf(out, "You keep your seat in %s in block %s. To move to another course in "
			    "that block, write to us with \"change\" in the subject and the course code.",
			    s->course, s->block);
	}
	return g_string_free(out, FALSE);
}

/* Choice changes still waiting for a token are withdrawn: the newest list
 * the student sent is the one that counts. */
static gboolean
withdraw_waiting(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, GError **err)
{
	g_autoptr(GPtrArray) open = confirm_pending(pc->st, app_id, err);

	if (open == NULL)
		return FALSE;
	for (guint i = 0; i < open->len; i++) {
		const struct confirmation *c = g_ptr_array_index(open, i);
		if (strcmp(c->action, AMEND_ACTION) != 0)
			continue;
		if (!confirm_use(pc->st, c->token, err) ||
		    !dossier_event(pc->st, app_id, ledger_id, "an earlier change of choices, not "
		    "confirmed, was replaced by a newer one", err))
			return FALSE;
	}
	return TRUE;
}

/* ---- the form ---- */

/* The form as stored: every field of fields, in the blank form's order and
 * then by name, with the choices as given (choice_1, ...). */
static char *
form_json(GHashTable *fields, GArray *choices)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	g_autoptr(GList) keys = g_list_sort(g_hash_table_get_keys(fields), (GCompareFunc)strcmp);

	json_builder_begin_object(b);
	for (gsize i = 0; i < G_N_ELEMENTS(field_order); i++) {
		const char *v = g_hash_table_lookup(fields, field_order[i]);
		if (v == NULL)
			continue;
		json_builder_set_member_name(b, field_order[i]);
		json_builder_add_string_value(b, v);
	}
	for (GList *k = keys; k != NULL; k = k->next) {
		gboolean known = FALSE;
		for (gsize i = 0; i < G_N_ELEMENTS(field_order) && !known; i++)
			known = strcmp(k->data, field_order[i]) == 0;
		if (known || g_str_has_prefix(k->data, "choice_"))
			continue;
		json_builder_set_member_name(b, k->data);
		json_builder_add_string_value(b, g_hash_table_lookup(fields, k->data));
	}
	for (guint i = 0; i < choices->len; i++) {
		const struct form_choice *c = &g_array_index(choices, struct form_choice, i);
		g_autofree char *key = g_strdup_printf("choice_%d", c->rank);
		g_autofree char *v = g_strdup_printf("%s %s", c->course, c->block);
		json_builder_set_member_name(b, key);
		json_builder_add_string_value(b, v);
	}
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	return json_generator_to_data(gen, NULL);
}

/* The stored fields with the new form's over them (a field the new form
 * does not have stays as it was); each change recorded in the history and
 * told, "old" -> "new", in changes. */
static gboolean
merge_fields(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, GHashTable *fields,
    const Form *form, const char *registered, GString *changes, GError **err)
{
	for (guint i = 0; i < form_size(form); i++) {
		const char *key, *value, *was;
		form_field(form, i, &key, &value);
		if (g_str_has_prefix(key, "choice_"))
			continue;
		was = g_hash_table_lookup(fields, key);
		if (g_strcmp0(was ? was : "", value) == 0)
			continue;
		if (strcmp(key, "email") == 0) {
			/* The registered address written out, or left out: the same address. */
			g_autofree char *a = util_addr_normalize(was), *b = util_addr_normalize(value);
			if (g_strcmp0(a ? a : registered, b ? b : registered) == 0) {
				g_hash_table_insert(fields, g_strdup(key), g_strdup(value));
				continue;
			}
		}
		g_autofree char *label = field_label(key, TRUE), *lower = field_label(key, FALSE);
		g_autofree char *q_was = quoted(was), *q_now = quoted(value);
		g_autofree char *event = g_strdup_printf("form corrected: %s '%s' -> '%s'", lower, q_was,
		    q_now);
		g_string_append_printf(changes, "  - %s: \"%s\" -> \"%s\"\n", label,
		    *q_was ? q_was : "(empty)", *q_now ? q_now : "(empty)");
		if (!dossier_event(pc->st, app_id, ledger_id, event, err))
			return FALSE;
		g_hash_table_insert(fields, g_strdup(key), g_strdup(value));
	}
	return TRUE;
}

/* A new confirmation of a change of choices, its token and the last day it
 * may be used; the reply that carries it has the Message-ID msgid. */
static char *
open_confirmation(struct process_ctx *pc, gint64 app_id, const char *detail, const char *msgid,
    char expires[11], GError **err)
{
	g_autofree char *token = util_token_new(AMEND_TOKEN_LEN);
	const char *days = rules_setting(pc->cfg->rules, "confirmation_days");
	GDate exp;

	g_date_clear(&exp, 1);
	g_date_set_parse(&exp, pc->today);
	g_date_add_days(&exp, days ? CLAMP(atoi(days), 1, 365) : 14);
	g_date_strftime(expires, 11, "%Y-%m-%d", &exp);
	if (!confirm_add(pc->st, app_id, &(struct confirmation){ .token = token,
	    .action = (char *)AMEND_ACTION, .detail = (char *)detail, .expires = expires,
	    .message_id = (char *)msgid }, err))
		return NULL;
	return g_steal_pointer(&token);
}

typedef enum { CHOICES_SAME, CHOICES_UNREAD, CHOICES_NOW, CHOICES_WAIT } ChoicesOutcome;

gboolean
amend_form(struct process_ctx *pc, gint64 ledger_id, const struct facts *f, const char *sha256,
    const Form *form, const struct attachment *carrier, const char *note, gboolean *handled,
    GError **err)
{
	const Rules *r = pc->cfg->rules;
	g_autofree char *form_email = util_addr_normalize(form_get(form, "email"));
	g_autofree char *ref = NULL, *json = NULL, *name = NULL, *decision = NULL, *token = NULL;
	g_autofree char *msgid = NULL, *subject = NULL, *detail = NULL;
	g_autofree char *title = NULL;
	g_autoptr(Dossier) d = NULL;
	g_autoptr(GHashTable) fields = NULL;
	g_autoptr(GArray) asked = NULL, now = NULL;
	g_autoptr(GString) changes = g_string_new(NULL), choices = g_string_new(NULL);
	g_autoptr(GString) confirm = g_string_new(NULL), received = g_string_new(NULL);
	g_autoptr(GString) named = g_string_new(NULL), drawn = g_string_new(NULL);
	g_autoptr(GString) placed = g_string_new(NULL);
	g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
	ChoicesOutcome outcome = CHOICES_SAME;
	GError *lerr = NULL;
	char expires[11] = "";
	guint renamed = 0;
	int bad = 0;
	gint64 app_id;
	GHashTableIter it;
	gpointer k, v;

	*handled = FALSE;
	if (f->from_addr == NULL || *f->from_addr == '\0' ||
	    (form_email != NULL && strcmp(form_email, f->from_addr) != 0))
		return TRUE;	/* a form for someone else: a new application, flagged */
	if ((app_id = dossier_by_email(pc->st, f->from_addr, &ref, &lerr)) == 0) {
		if (lerr != NULL) {
			g_propagate_error(err, lerr);
			return FALSE;
		}
		return TRUE;
	}
	if ((d = dossier_load(pc->st, app_id, err)) == NULL)
		return FALSE;
	/* Its blocks have all started: a form now applies again. */
	if (app_status_is(d->status, APP_NOT_SCHEDULED))
		return TRUE;
	*handled = TRUE;
	if (!ledger_link_application(pc->st, ledger_id, app_id, err) ||
	    !dossier_event(pc->st, app_id, ledger_id, "application form received again from the "
	    "registered address: the application is updated, not a second one", err))
		return FALSE;

	/* The fields other than choices take effect at once. */
	fields = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_hash_table_iter_init(&it, d->form);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_hash_table_insert(fields, g_strdup(k), g_strdup(v));
	if (!merge_fields(pc, app_id, ledger_id, fields, form, d->email, changes, err))
		return FALSE;

	/* The choices: replaced at once, unless a block of theirs is drawn. */
	asked = form_choices(form, &bad);
	if (form_has_choices(form) && bad > 0)
		outcome = CHOICES_UNREAD;
	else if (form_has_choices(form) && !same_choices(d->choices, asked)) {
		if (!drawn_blocks(pc, app_id, d->choices, asked, drawn, placed, err))
			return FALSE;
		outcome = drawn->len > 0 || placed->len > 0 ? CHOICES_WAIT : CHOICES_NOW;
	}
	if (form_has_choices(form) && !withdraw_waiting(pc, app_id, ledger_id, err))
		return FALSE;
	now = renumbered(outcome == CHOICES_NOW ? asked : d->choices);
	if (outcome == CHOICES_NOW) {
		g_autofree char *was = choices_line(d->choices), *is = choices_line(now);
		g_autofree char *event = g_strdup_printf("choices replaced: %s -> %s", was, is);
		if (!dossier_set_choices(pc->st, app_id, now, err) ||
		    !dossier_event(pc->st, app_id, ledger_id, event, err))
			return FALSE;
		g_string_append_printf(changes, "  - Your choices: we replaced them with the new list "
		    "below. Before, they were: %s.\n", was);
	}
	name = util_utf8_clean(g_hash_table_lookup(fields, "full_name"), -1, 200);
	json = form_json(fields, now);
	if (!dossier_update_form(pc->st, app_id, name, g_hash_table_lookup(fields, "medical_school"),
	    g_hash_table_lookup(fields, "school_country"), json, err))
		return FALSE;
	msgid = reply_message_id(f->message_id, sha256, "form-updated", pc->cfg->from_addr);
	if (outcome == CHOICES_WAIT) {
		g_autoptr(GArray) want = renumbered(asked);
		g_autoptr(GPtrArray) dropped = dropped_held(pc, app_id, want, err);
		g_autofree char *lose = dropped ? giving_up(pc, app_id, dropped, "You would give up",
		    err) : NULL;
		g_autofree char *was = choices_line(d->choices), *is = choices_line(want);
		g_autofree char *event = g_strdup_printf("change of choices asked with the form, waiting "
		    "for confirmation (drawn: %s%s%s): %s -> %s", drawn->str, drawn->len && placed->len ?
		    ", " : "", placed->str, was, is);
		if (lose == NULL)
			return FALSE;
		detail = choices_joined(want, ";");
		if ((token = open_confirmation(pc, app_id, detail, msgid, expires, err)) == NULL ||
		    !dossier_event(pc->st, app_id, ledger_id, event, err))
			return FALSE;
		g_autofree char *until = words_date(expires);
		g_autoptr(GString) why = g_string_new("Your form also changes your course choices.");
		if (drawn->len > 0)
			g_string_append_printf(why, " The lottery for %s %s %s already run.",
			    strchr(drawn->str, ',') ? "blocks" : "block", drawn->str,
			    strchr(drawn->str, ',') ? "have" : "has");
		if (placed->len > 0)
			g_string_append_printf(why, " You already have a place in %s %s.",
			    strchr(placed->str, ',') ? "blocks" : "block", placed->str);
		g_string_append(why, " So we have not changed your choices yet. We change them only "
		    "when you confirm.");
		wrapped(confirm, why->str);
		g_string_append(confirm, "\nYour new choices would be, in this order:\n");
		choices_text(r, confirm, want);
		if (*lose)
			g_string_append_printf(confirm, "\n%s", lose);
		g_string_append(confirm, "\nTo confirm, reply to this message, or send us a message\n"
		    "whose subject or text says:\n\n");
		g_string_append_printf(confirm, "    confirm %s\n\n", token);
		wrappedf(confirm, "from %s. You can use this once, until %s. If you do not confirm, "
		    "your choices stay as they are now.", f->from_addr, until);
		g_string_append_c(confirm, '\n');
	}
	if (outcome == CHOICES_UNREAD) {
		wrappedf(confirm, "We did not change your choices: we could not read %d of your "
		    "choice lines. Write each one like this: \"Choice 2: MED-401 2027-03\" (the course "
		    "code, then the block). Your choices stay as they are.", bad);
		g_string_append_c(confirm, '\n');
	}

	/* Its attachments, filed as usual; then judged again. */
	if (!decide_file(pc, app_id, ledger_id, f, carrier, DOC_FILED, "applicant", received, err) ||
	    !decide_name_docs(pc, app_id, ledger_id, f, named, &renamed, err) ||
	    !decide_route_evaluations(pc, app_id, ledger_id, f, sha256, err))
		return FALSE;
	if ((decision = settle_text(pc, app_id, ledger_id, "form sent again", err)) == NULL)
		return FALSE;
	if (changes->len == 0 && outcome != CHOICES_WAIT && outcome != CHOICES_UNREAD &&
	    !dossier_event(pc->st, app_id, ledger_id, "form sent again: nothing changed", err))
		return FALSE;
	g_message("application %s: form sent again from <%s> (message <%s>): %s", ref, f->from_addr,
	    f->message_id ? f->message_id : "", changes->len ? "updated" : outcome == CHOICES_WAIT ?
	    "choices wait for confirmation" : "nothing changed");

	if (changes->len > 0)
		g_string_prepend(changes, "We changed these parts of your application (before -> now):\n");
	else
		g_string_append(changes, outcome == CHOICES_WAIT ? "We changed nothing else in your "
		    "application.\n" : outcome == CHOICES_UNREAD ? "We changed nothing in your "
		    "application.\n" : "Nothing changed: this form says the same as the application we "
		    "have.\n");
	if (note != NULL)	/* the file the form was read from */
		g_string_prepend(changes, note);
	choices_text(r, choices, now);
	if (f->attachments->len == 0)
		g_string_truncate(received, 0);	/* not "(no attachments)": nothing to say */
	else
		g_string_prepend(received, "Attachments received with this message:\n");
	if (named->len > 0)
		g_string_append_printf(received, "%s%s", received->len ? "\n" : "", named->str);
	if (received->len > 0)
		g_string_append_c(received, '\n');
	g_hash_table_insert(vars, "name", name);
	g_hash_table_insert(vars, "reference", ref);
	g_hash_table_insert(vars, "email", f->from_addr);
	g_hash_table_insert(vars, "changes", changes->str);
	g_hash_table_insert(vars, "choices", choices->str);
	g_hash_table_insert(vars, "confirm", confirm->str);
	g_hash_table_insert(vars, "attachments", received->str);
	g_hash_table_insert(vars, "decision", decision);
	/* The outcome as the subject, unless a token must be in it. */
	if (token == NULL && (title = decide_subject(pc, app_id, "Application updated", err)) == NULL)
		return FALSE;
	subject = token ? g_strdup_printf("%s (confirm %s)", f->subject, token) : NULL;
	effect_mail(pc, EFFECT_REPLY, ledger_id, app_id, &(struct mail_out){
	    .kind = "form-updated", .template = "form-updated", .to_addr = f->from_addr,
	    .to_name = f->from_name, .subject = subject,
	    .fallback_subject = title ? title : "Your application form", .reference = ref,
	    .in_reply_to = f->message_id, .references = f->references,
	    .seed_msgid = f->message_id, .seed_sha256 = sha256 }, vars);
	return TRUE;
}

/* ---- a change request ---- */

/* The reply to a change request that changes nothing: why, and where the
 * application stands. */
static gboolean
change_refused(struct process_ctx *pc, gint64 ledger_id, gint64 app_id, const char *ref,
    const struct facts *f, const char *sha256, const char *name, const char *why, GError **err)
{
	g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
	g_autofree char *decision = NULL;

	if (!dossier_event(pc->st, app_id, ledger_id, "change of choices asked: nothing to change",
	    err) || (decision = settle_text(pc, app_id, ledger_id, "change of choices asked",
	    err)) == NULL)
		return FALSE;
	g_hash_table_insert(vars, "name", (gpointer)name);
	g_hash_table_insert(vars, "reference", (gpointer)ref);
	g_hash_table_insert(vars, "what", (gpointer)why);
	g_hash_table_insert(vars, "decision", decision);
	effect_reply_titled(pc, ledger_id, app_id, f, sha256, "change-refused", ref, "request",
	    "Nothing changed in your choices", vars, NULL);
	return TRUE;
}

gboolean
amend_change_request(struct process_ctx *pc, gint64 ledger_id, gint64 app_id, const char *ref,
    const struct facts *f, const char *sha256, const char *text, gboolean *handled, GError **err)
{
	const Rules *r = pc->cfg->rules;
	int bad = 0;
	g_autoptr(GArray) asked = form_choice_lines(text, &bad), want = NULL;
	g_autoptr(Dossier) d = NULL;
	g_autoptr(GPtrArray) dropped = NULL;
	g_autoptr(GString) old = g_string_new(NULL), new = g_string_new(NULL);
	g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
	g_autofree char *lose = NULL, *detail = NULL, *token = NULL, *msgid = NULL, *until = NULL;
	g_autofree char *subject = NULL, *event = NULL, *was = NULL, *is = NULL, *why = NULL;
	char expires[11];

	*handled = FALSE;
	if (asked->len == 0 && bad == 0)
		return TRUE;
	*handled = TRUE;
	if ((d = dossier_load(pc->st, app_id, err)) == NULL)
		return FALSE;
	if (bad > 0) {
		why = g_strdup_printf("we could not read %d of your choice lines, so nothing was "
		    "changed. Write each one like this: \"Choice 2: MED-401 2027-03\" (the course code, "
		    "then the block), and send the whole list again.", bad);
		return change_refused(pc, ledger_id, app_id, ref, f, sha256, d->name, why, err);
	}
	want = renumbered(asked);
	choices_text(r, old, d->choices);
	if (same_choices(d->choices, want)) {
		why = g_strdup_printf("the choices you sent are the same as the choices we have, so "
		    "nothing was changed. Your choices, in this order:\n%s", old->str);
		return change_refused(pc, ledger_id, app_id, ref, f, sha256, d->name, why, err);
	}
	msgid = reply_message_id(f->message_id, sha256, "confirm", pc->cfg->from_addr);
	detail = choices_joined(want, ";");
	was = choices_line(d->choices);
	is = choices_line(want);
	event = g_strdup_printf("change of choices asked, waiting for confirmation: %s -> %s", was, is);
	if (!withdraw_waiting(pc, app_id, ledger_id, err) ||
	    (dropped = dropped_held(pc, app_id, want, err)) == NULL ||
	    (lose = giving_up(pc, app_id, dropped, "With this change you give up", err)) == NULL ||
	    (token = open_confirmation(pc, app_id, detail, msgid, expires, err)) == NULL ||
	    !dossier_event(pc->st, app_id, ledger_id, event, err))
		return FALSE;
	choices_text(r, new, want);
	until = words_date(expires);
	g_hash_table_insert(vars, "name", d->name);
	g_hash_table_insert(vars, "reference", (gpointer)ref);
	g_hash_table_insert(vars, "email", f->from_addr);
	g_hash_table_insert(vars, "old", old->str);
	g_hash_table_insert(vars, "new", new->str);
	g_hash_table_insert(vars, "lose", lose);
	g_hash_table_insert(vars, "token", token);
	g_hash_table_insert(vars, "expires", until);
	subject = g_strdup_printf("%s (confirm %s)", f->subject, token);
	g_message("application %s: change of choices asked, confirmation %s sent", ref, token);
	effect_mail(pc, EFFECT_REPLY, ledger_id, app_id, &(struct mail_out){
	    .kind = "confirm", .template = "change-choices", .to_addr = f->from_addr,
	    .to_name = f->from_name, .subject = subject,
	    .fallback_subject = "Your change of choices", .reference = ref,
	    .in_reply_to = f->message_id, .references = f->references,
	    .seed_msgid = f->message_id, .seed_sha256 = sha256 }, vars);
	return TRUE;
}

gboolean
amend_choices_confirmed(struct process_ctx *pc, gint64 ledger_id, gint64 app_id,
    const char *detail, GString *what, GError **err)
{
	const Rules *r = pc->cfg->rules;
	g_autoptr(GArray) want = choices_from_detail(detail);
	g_autoptr(Dossier) d = dossier_load(pc->st, app_id, err);
	g_autoptr(GPtrArray) dropped = NULL;
	g_autoptr(GHashTable) fields = NULL;
	g_autofree char *lose = NULL, *kept = NULL, *json = NULL, *was = NULL, *is = NULL;
	g_autofree char *event = NULL;
	GHashTableIter it;
	gpointer k, v;

	if (d == NULL)
		return FALSE;
	if (want->len == 0) {
		g_string_append(what, "we could not read the change of choices you confirmed, so "
		    "nothing was changed.");
		return dossier_event(pc->st, app_id, ledger_id, "change of choices confirmed: "
		    "unreadable, nothing changed", err);
	}
	if (same_choices(d->choices, want)) {
		g_string_append(what, "your choices were already these, so nothing was changed.");
		return dossier_event(pc->st, app_id, ledger_id, "change of choices confirmed: "
		    "already so, nothing changed", err);
	}
	if ((dropped = dropped_held(pc, app_id, want, err)) == NULL ||
	    (lose = giving_up(pc, app_id, dropped, "You gave up", err)) == NULL)
		return FALSE;
	was = choices_line(d->choices);
	is = choices_line(want);
	event = g_strdup_printf("change of choices confirmed: %s -> %s", was, is);
	fields = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_hash_table_iter_init(&it, d->form);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_hash_table_insert(fields, g_strdup(k), g_strdup(v));
	json = form_json(fields, want);
	if (!dossier_set_choices(pc->st, app_id, want, err) ||
	    !dossier_update_form(pc->st, app_id, d->name, d->school, d->country, json, err) ||
	    !dossier_event(pc->st, app_id, ledger_id, event, err))
		return FALSE;
	/* Blocks given up: their seats go to the waitlist, as in a cancel. */
	for (guint i = 0; i < dropped->len; i++)
		if (!placement_cancel_block(pc, app_id, ledger_id, g_ptr_array_index(dropped, i), err))
			return FALSE;
	if ((kept = seats_kept(pc, app_id, want, err)) == NULL)
		return FALSE;
	g_string_append(what, "your choices are changed.\n\nBefore:\n");
	choices_text(r, what, d->choices);
	g_string_append(what, "\nNow, in this order:\n");
	choices_text(r, what, want);
	if (*lose)
		g_string_append_printf(what, "\n%sA seat you gave up goes to the next student on its "
		    "waitlist.\n", lose);
	if (*kept)
		g_string_append_printf(what, "\n%s", kept);
	/* The template goes on with a blank line. */
	while (what->len > 0 && what->str[what->len - 1] == '\n')
		g_string_truncate(what, what->len - 1);
	return TRUE;
}
