/* requests.c: what students ask by mail: to cancel or change (always
 * confirmed with a one-time token first), other dates (refused with the
 * policy), free seats, and the FAQ. */
#include "requests.h"
#include "amend.h"
#include "classify.h"
#include "confirm.h"
#include "effects.h"
#include "settle.h"
#include "decide.h"
#include "dossier.h"
#include "form.h"
#include "offers.h"
#include "offersdb.h"
#include "placement.h"
#include "reply.h"
#include "rules.h"
#include "seats.h"
#include "util.h"
#include "words.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_LEN CONFIRM_TOKEN_LEN

/* ---- confirmations ---- */

/* The words of s that could be tokens (TOKEN_LEN letters and digits between
 * other characters, as util_has_word() sees words), upper-cased, into set.
 * One pass: a message is then checked against any number of open
 * confirmations in time linear in its size, not its size times their number. */
static void
token_words(const char *s, GHashTable *set)
{
	const char *p = s;

	while (p != NULL && *p != '\0') {
		const char *q = p;
		while (g_ascii_isalnum(*q))
			q++;
		if (q == p) {
			p++;
			continue;
		}
		if (q - p == TOKEN_LEN)
			g_hash_table_add(set, g_ascii_strup(p, TOKEN_LEN));
		p = q;
	}
}

/* The confirmation of list that this message answers: by In-Reply-To, or its
 * token in the subject or the text; NULL if none (else stolen from list). */
static struct confirmation *
match_confirmation(GPtrArray *list, const struct facts *f)
{
	g_autoptr(GHashTable) words = NULL;

	if (list->len == 0)
		return NULL;
	/* Tokens are secrets: compared in constant time. */
	words = g_hash_table_new_full(g_str_hash, util_token_equal, g_free, NULL);
	token_words(f->subject, words);
	token_words(f->text, words);
	for (guint i = 0; i < list->len; i++) {
		struct confirmation *c = g_ptr_array_index(list, i);
		g_autofree char *up = g_ascii_strup(c->token ? c->token : "", -1);
		if ((f->in_reply_to != NULL && g_strcmp0(f->in_reply_to, c->message_id) == 0) ||
		    (*up != '\0' && g_hash_table_contains(words, up)))
			return g_ptr_array_steal_index(list, i);
	}
	return NULL;
}

/* The open confirmation this message answers: 1 found (*out set, the
 * caller's to free); 2 none open, but it answers an offer already ended or
 * answered (*out set: a late answer); 0 none, -1 on error. */
static int
find_confirmation(struct process_ctx *pc, gint64 app_id, const struct facts *f,
    struct confirmation **out, GError **err)
{
	g_autoptr(GPtrArray) open = confirm_pending(pc->st, app_id, err);
	g_autoptr(GPtrArray) spent = NULL;

	if (open == NULL)
		return -1;
	if ((*out = match_confirmation(open, f)) != NULL)
		return 1;
	if ((spent = confirm_spent(pc->st, app_id, "offer", err)) == NULL)
		return -1;
	return (*out = match_confirmation(spent, f)) != NULL ? 2 : 0;
}

static void
seat_copy_clear(gpointer p)
{
	struct seat *x = p;

	g_free(x->course);
	g_free(x->block);
}

/* The seats of a that b does not hold (by id), copied. */
static GArray *
seats_minus(GArray *a, GArray *b)
{
	GArray *out = g_array_new(FALSE, TRUE, sizeof(struct seat));

	g_array_set_clear_func(out, seat_copy_clear);
	for (guint i = 0; i < a->len; i++) {
		const struct seat *x = &g_array_index(a, struct seat, i);
		gboolean kept = FALSE;
		for (guint j = 0; j < b->len && !kept; j++)
			kept = g_array_index(b, struct seat, j).id == x->id;
		if (!kept) {
			struct seat c = { x->id, g_strdup(x->course), g_strdup(x->block) };
			g_array_append_val(out, c);
		}
	}
	return out;
}

static gboolean reply_with_attached(struct process_ctx *pc, gint64 ledger_id, gint64 app_id,
    const char *ref, const struct facts *f, const char *sha256, const char *kind,
    const char *title, const char *what, GPtrArray *attachments, GError **err);

static gboolean
reply_with(struct process_ctx *pc, gint64 ledger_id, gint64 app_id, const char *ref,
    const struct facts *f, const char *sha256, const char *kind, const char *title,
    const char *what, GError **err)
{
	return reply_with_attached(pc, ledger_id, app_id, ref, f, sha256, kind, title, what, NULL,
	    err);
}

/* The same, with files attached (or NULL). */
static gboolean
reply_with_attached(struct process_ctx *pc, gint64 ledger_id, gint64 app_id, const char *ref,
    const struct facts *f, const char *sha256, const char *kind, const char *title,
    const char *what, GPtrArray *attachments, GError **err)
{
	g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(Dossier) d = dossier_load(pc->st, app_id, err);
	g_autofree char *decision = NULL;
	struct decision dc;
	gboolean changed, ok;

	if (d == NULL)
		return FALSE;
	ok = settle(pc, app_id, ledger_id, kind, &dc, &changed, err) &&
	    (decision = decide_text(pc, app_id, &dc, err)) != NULL;
	decision_clear(&dc);
	if (!ok)
		return FALSE;
	g_hash_table_insert(vars, "name", d->name);
	g_hash_table_insert(vars, "reference", (gpointer)ref);
	g_hash_table_insert(vars, "what", (gpointer)what);
	g_hash_table_insert(vars, "decision", decision);
	effect_reply_titled(pc, ledger_id, app_id, f, sha256, kind, ref, "request", title, vars,
	    attachments);
	return TRUE;
}

static char *own_text(const struct facts *f, gboolean no_signature);

/* What clerkd cannot act on goes to staff with the writer's own words, is
 * recorded, and the student is told that a coordinator has it. */
static gboolean
pass_to_staff(struct process_ctx *pc, gint64 ledger_id, gint64 app_id, const char *ref,
    const struct facts *f, const char *sha256, const char *kind, const char *for_staff,
    const char *why, GError **err)
{
	g_autofree char *text = own_text(f, FALSE);
	g_autofree char *details = g_strdup_printf("Subject: %s\n\n%s\nAnswer the student by "
	    "replying to them; their reference is %s.\n", f->subject, text, ref);
	g_autofree char *what = g_strdup_printf("%s We have sent your message to a coordinator of "
	    "the program. A coordinator will read it and write to you by email. You do not need "
	    "to send it again.", why);

	if (!dossier_event(pc->st, app_id, ledger_id, "message passed to staff", err))
		return FALSE;
	effect_notify_staff(pc, ledger_id, app_id, f, sha256, ref, for_staff, details);
	return reply_with(pc, ledger_id, app_id, ref, f, sha256, kind,
	    "Your message is with a coordinator", what, err);
}

/* Ask the student to confirm: nothing changes until they do. */
static gboolean
ask_confirmation(struct process_ctx *pc, gint64 ledger_id, gint64 app_id, const char *ref,
    const struct facts *f, const char *sha256, const char *action, const char *detail,
    const char *what, GError **err)
{
	g_autofree char *token = util_token_new(TOKEN_LEN);
	g_autofree char *msgid = reply_message_id(f->message_id, sha256, "confirm", pc->cfg->from_addr);
	g_autofree char *subject = g_strdup_printf("%s (confirm %s)", f->subject, token);
	const char *days = rules_setting(pc->cfg->rules, "confirmation_days");
	g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(Dossier) d = dossier_load(pc->st, app_id, err);
	gboolean cancel = strcmp(action, "cancel") == 0;
	g_autofree char *event = cancel && detail != NULL ?
	    g_strdup_printf("cancellation of block %s asked, waiting for confirmation", detail) :
	    g_strdup(cancel ? "cancellation asked, waiting for confirmation" :
	    "change asked, waiting for confirmation");
	GDate exp;
	char expires[11];
	struct mail_out m = { 0 };

	if (d == NULL)
		return FALSE;
	g_date_clear(&exp, 1);
	g_date_set_parse(&exp, pc->today);
	g_date_add_days(&exp, days ? CLAMP(atoi(days), 1, 365) : 14);
	g_date_strftime(expires, sizeof expires, "%Y-%m-%d", &exp);
	if (!confirm_add(pc->st, app_id, &(struct confirmation){ .token = token,
	    .action = (char *)action, .detail = (char *)detail, .expires = expires,
	    .message_id = msgid }, err) ||
	    !dossier_event(pc->st, app_id, ledger_id, event, err))
		return FALSE;
	g_hash_table_insert(vars, "name", d->name);
	g_hash_table_insert(vars, "reference", (gpointer)ref);
	g_hash_table_insert(vars, "what", (gpointer)what);
	g_hash_table_insert(vars, "token", token);
	g_autofree char *expires_words = words_date(expires);	/* "3 November 2026" */
	g_hash_table_insert(vars, "expires", expires_words);
	m.kind = "confirm";
	m.template = "confirm";
	m.to_addr = f->from_addr;
	m.to_name = f->from_name;
	m.subject = subject;
	m.reference = ref;
	m.in_reply_to = f->message_id;
	m.references = f->references;
	m.seed_msgid = f->message_id;
	m.seed_sha256 = sha256;
	g_message("application %s: %s asked, confirmation %s sent", ref, action, token);
	effect_mail(pc, EFFECT_REPLY, ledger_id, app_id, &m, vars);
	return TRUE;
}

/* ---- one block of several ---- */

static gint
by_string(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The blocks an application is in (its choices, seats and places still
 * waiting), each once, in order; NULL on error. */
static GPtrArray *
app_blocks(struct process_ctx *pc, gint64 app_id, GError **err)
{
	g_autoptr(Dossier) d = dossier_load(pc->st, app_id, err);
	g_autoptr(GArray) seats = NULL, places = NULL;
	GPtrArray *out;

	if (d == NULL || (seats = seats_of(pc->st, app_id, NULL, err)) == NULL ||
	    (places = waitlist_of(pc->st, app_id, err)) == NULL)
		return NULL;
	out = g_ptr_array_new_with_free_func(g_free);
#define ADD_BLOCK(b) do { \
		if (!g_ptr_array_find_with_equal_func(out, (b), g_str_equal, NULL)) \
			g_ptr_array_add(out, g_strdup(b)); \
	} while (0)
	for (guint i = 0; i < d->choices->len; i++)
		ADD_BLOCK(g_array_index(d->choices, struct form_choice, i).block);
	for (guint i = 0; i < seats->len; i++)
		ADD_BLOCK(g_array_index(seats, struct seat, i).block);
	for (guint i = 0; i < places->len; i++)
		ADD_BLOCK(g_array_index(places, struct waitlist_place, i).block);
#undef ADD_BLOCK
	g_ptr_array_sort(out, by_string);
	return out;
}

static gboolean
has_block(GPtrArray *blocks, const char *block)
{
	return g_ptr_array_find_with_equal_func(blocks, block, g_str_equal, NULL);
}

/* The blocks other than one, in words: "2027-03 (1 March 2027 to 26 March 2027)". */
static char *
other_blocks(const Rules *r, GPtrArray *blocks, const char *block)
{
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < blocks->len; i++) {
		const char *b = g_ptr_array_index(blocks, i);
		g_autofree char *w = NULL;
		if (strcmp(b, block) == 0)
			continue;
		w = rules_block_words(r, b);
		g_string_append_printf(out, "%s%s", out->len ? "; " : "", w);
	}
	return g_string_free(out, FALSE);
}

/* A confirmed cancel of one block: only that block is given up. */
static gboolean
cancel_block_confirmed(struct process_ctx *pc, gint64 ledger_id, gint64 app_id,
    const char *block, GString *what, GError **err)
{
	const Rules *r = pc->cfg->rules;
	g_autoptr(GPtrArray) blocks = app_blocks(pc, app_id, err);
	g_autofree char *words = rules_block_words(r, block), *held = NULL, *others = NULL, *event = NULL;

	if (blocks == NULL)
		return FALSE;
	if (!has_block(blocks, block)) {
		g_string_printf(what, "block %s is no longer in your application, so nothing was "
		    "changed.", words);
		return dossier_event(pc->st, app_id, ledger_id, "cancellation of a block confirmed: "
		    "block no longer in the application, nothing changed", err);
	}
	if (blocks->len == 1) {
		/* Its last block: the application itself goes. */
		if (!dossier_event(pc->st, app_id, ledger_id, "cancellation confirmed (its only block)",
		    err) || !placement_cancel(pc, app_id, ledger_id, err))
			return FALSE;
		g_string_printf(what, "your cancellation is confirmed. Block %s was the only block in "
		    "your application, so your whole application is cancelled.", words);
		return TRUE;
	}
	if ((held = placement_held_in(pc, app_id, block, err)) == NULL)
		return FALSE;
	others = other_blocks(r, blocks, block);
	event = g_strdup_printf("cancellation of block %s confirmed%s%s", block,
	    *held ? ": gave up " : "", held);
	if (!dossier_event(pc->st, app_id, ledger_id, event, err) ||
	    !placement_cancel_block(pc, app_id, ledger_id, block, err))
		return FALSE;
	g_string_printf(what, "your cancellation of block %s is confirmed.", words);
	if (*held)
		g_string_append_printf(what, " You gave up %s in that block.%s", held,
		    g_str_has_prefix(held, "a seat") ? " We offer the seat to the next student on "
		    "the waitlist." : "");
	g_string_append_printf(what, " Your application stays open for %s%s. Nothing changes "
	    "there.", strchr(others, ';') ? "these blocks: " : "block ", others);
	return TRUE;
}

/* ---- seats offered from a waitlist ---- */

static char *own_words(const struct facts *f);
static gboolean asks(const struct facts *f);

/* Does the writer decline an offered seat? Their own words say "decline"
 * (declined, declining); the offer's own instruction (reply with the word
 * "decline"), should a client quote it without marks, does not count. */
static gboolean
says_decline(const struct facts *f)
{
	static const char instruction[] = "the word \"decline\"";
	g_autofree char *own = own_words(f);
	GString *flat = g_string_sized_new(strlen(own));
	g_autofree char *text = NULL;
	char *p;

	/* Lower case, each run of white space one space (a quoted line may break anywhere). */
	for (const char *q = own; *q != '\0'; q++) {
		if (!g_ascii_isspace(*q))
			g_string_append_c(flat, g_ascii_tolower(*q));
		else if (flat->len > 0 && flat->str[flat->len - 1] != ' ')
			g_string_append_c(flat, ' ');
	}
	text = g_string_free(flat, FALSE);
	while ((p = strstr(text, instruction)) != NULL)
		memset(p, ' ', sizeof instruction - 1);
	return util_has_word(text, "decline") || util_has_word(text, "declined") ||
	    util_has_word(text, "declining");
}

/* Is a message that answers an offer no longer open a late answer (1) to be
 * told what became of the offer, or (0) a follow-up to an offer accepted
 * that does not decline it, read like any other message? -1 on error. */
static int
late_answer(struct process_ctx *pc, const struct facts *f, const struct confirmation *p,
    GError **err)
{
	struct offer o;
	int found = offersdb_get(pc->st, g_ascii_strtoll(p->detail ? p->detail : "0", NULL, 10), &o,
	    err);
	int late;

	if (found <= 0)
		return found;
	late = strcmp(o.state, "accepted") != 0 || says_decline(f);
	offer_clear(&o);
	return late;
}

/* The subject of the reply to an answer to an offer, by what came of it. */
static const char *
offer_title(const char *kind)
{
	static const char *const titles[][2] = {
		{ "offer-declined", "Seat declined" },
		{ "offer-lapsed", "The offer has ended" }, { "offer-closed", "The offer has ended" },
		{ "offer-answered", "Your offer was answered before" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(titles); i++)
		if (strcmp(kind, titles[i][0]) == 0)
			return titles[i][1];
	return "About the seat we offered";
}

/* An answer to a seat offered from a waitlist: accepted unless it declines. */
static gboolean
offer_answered(struct process_ctx *pc, gint64 ledger_id, gint64 app_id, const char *ref,
    const struct facts *f, const char *sha256, const struct confirmation *p, GError **err)
{
	g_autoptr(GString) what = g_string_new(NULL);
	const char *kind = "offer";
	gint64 id = g_ascii_strtoll(p->detail ? p->detail : "0", NULL, 10);
	g_autofree char *title = NULL;

	if (!offers_answer(pc, app_id, ledger_id, id, !says_decline(f), what, &kind, err))
		return FALSE;
	g_message("application %s: answer to offer #%" G_GINT64_FORMAT " (%s)", ref, id, kind);
	/* Accepted: the subject says where and when ("Scheduled: ..."). */
	if (strcmp(kind, "offer-accepted") == 0 &&
	    (title = decide_subject(pc, app_id, NULL, err)) == NULL)
		return FALSE;
	return reply_with(pc, ledger_id, app_id, ref, f, sha256, kind,
	    title ? title : offer_title(kind), what->str, err);
}

static gboolean
confirmed(struct process_ctx *pc, gint64 ledger_id, gint64 app_id, const char *ref,
    const struct facts *f, const char *sha256, const struct confirmation *p, GError **err)
{
	g_autoptr(GString) what = g_string_new(NULL);
	g_autofree char *title = NULL;

	if (strcmp(p->action, "offer") == 0)
		return offer_answered(pc, ledger_id, app_id, ref, f, sha256, p, err);
	if (strcmp(p->expires, pc->today) < 0) {
		g_autofree char *when = words_date(p->expires);
		g_string_printf(what, "the confirmation %s expired on %s, so we changed nothing. "
		    "If you still want this, please write to us again.", p->token, when);
		return reply_with(pc, ledger_id, app_id, ref, f, sha256, "confirm-expired",
		    "Nothing changed: the confirmation expired", what->str, err);
	}
	if (!confirm_use(pc->st, p->token, err))
		return FALSE;
	/* The seats held before: one given up gets a CANCEL, one taken (a change) a PUBLISH. */
	g_autoptr(GArray) seats_before = seats_of(pc->st, app_id, NULL, err);
	if (seats_before == NULL)
		return FALSE;
	if (strcmp(p->action, "cancel") == 0 && p->detail != NULL && *p->detail != '\0') {
		if (!cancel_block_confirmed(pc, ledger_id, app_id, p->detail, what, err))
			return FALSE;
		title = g_strdup_printf("Cancellation confirmed: block %s", p->detail);
	} else if (strcmp(p->action, AMEND_ACTION) == 0) {
		if (!amend_choices_confirmed(pc, ledger_id, app_id, p->detail, what, err))
			return FALSE;
		title = g_strdup("Change of choices confirmed");
	} else if (strcmp(p->action, "cancel") == 0) {
		if (!dossier_event(pc->st, app_id, ledger_id, "cancellation confirmed", err) ||
		    !placement_cancel(pc, app_id, ledger_id, err))
			return FALSE;
		g_string_printf(what, "your cancellation is confirmed.");
		title = g_strdup("Application cancelled");
	} else {
		/* detail: "COURSE BLOCK" */
		g_auto(GStrv) cb = g_strsplit(p->detail ? p->detail : "", " ", 2);
		gboolean done = FALSE;
		if (cb[0] == NULL || cb[1] == NULL)
			g_string_printf(what, "we could not read the change you asked for.");
		else if (!placement_change(pc, app_id, ledger_id, cb[0], cb[1], &done, what, err))
			return FALSE;
		else if (!dossier_event(pc->st, app_id, ledger_id, done ? "course change confirmed and made" :
		    "course change confirmed, not possible", err))
			return FALSE;
		g_string_prepend(what, "about the change you confirmed: ");
		title = g_strdup(done ? "Change made" : "Change not possible");
	}
	g_message("application %s: %s confirmed (%s)", ref, p->action, p->token);
	g_autoptr(GArray) seats_after = seats_of(pc->st, app_id, NULL, err);
	g_autoptr(GArray) gone = NULL, taken = NULL;
	g_autoptr(GPtrArray) ics = g_ptr_array_new_with_free_func(effects_attachment_free);
	if (seats_after == NULL)
		return FALSE;
	gone = seats_minus(seats_before, seats_after);
	taken = seats_minus(seats_after, seats_before);
	if (!effects_calendar(pc, app_id, gone, TRUE, ics, err) ||
	    !effects_calendar(pc, app_id, taken, FALSE, ics, err))
		return FALSE;
	return reply_with_attached(pc, ledger_id, app_id, ref, f, sha256, "confirmed", title,
	    what->str, ics->len > 0 ? ics : NULL, err);
}

/* ---- change requests ---- */

/* The first catalog course named in text, as its code; NULL if none. */
static const char *course_other(const Rules *r, const char *text, GPtrArray *held);

static const char *
course_in(const Rules *r, const char *text)
{
	return course_other(r, text, NULL);
}

/* The first catalog course named in text that is not among held (codes). */
static const char *
course_other(const Rules *r, const char *text, GPtrArray *held)
{
	g_auto(GStrv) w = g_strsplit_set(text ? text : "", " \t\n\r,.;:()[]?!\"'/", 4096);

	for (int i = 0; w[i] != NULL; i++) {
		const struct course_info *c = *w[i] && strlen(w[i]) < 16 ? rules_course(r, w[i]) : NULL;
		if (c != NULL && (held == NULL ||
		    !g_ptr_array_find_with_equal_func(held, c->code, g_str_equal, NULL)))
			return c->code;
	}
	return NULL;
}

/* The courses an application holds seats in. */
static GPtrArray *
held_courses(struct process_ctx *pc, gint64 app_id, GError **err)
{
	g_autoptr(GArray) seats = seats_of(pc->st, app_id, NULL, err);
	GPtrArray *out;

	if (seats == NULL)
		return NULL;
	out = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < seats->len; i++)
		g_ptr_array_add(out, g_strdup(g_array_index(seats, struct seat, i).course));
	return out;
}

/* One pass: each position looks at most 7 bytes ahead (never strlen of the
 * rest, which made a body of digits cost its length squared). */
char *
requests_block_named(const Rules *r, const char *text)
{
	for (const char *p = text; p && *p; p++)
		if (g_ascii_isdigit(p[0]) && strnlen(p, 7) == 7 && p[4] == '-') {
			char id[8];
			memcpy(id, p, 7);
			id[7] = '\0';
			if (rules_block_start(r, id) != NULL)
				return g_strdup(id);
		}
	return NULL;
}

/* The block a change is about: one named (YYYY-MM), else the first one held
 * (NULL with err unset if none). */
static char *
block_for(struct process_ctx *pc, gint64 app_id, const char *text, GError **err)
{
	g_autoptr(GArray) seats = NULL;
	const char *first = NULL;
	char *b = requests_block_named(pc->cfg->rules, text);

	if (b != NULL)
		return b;
	if ((seats = seats_of(pc->st, app_id, NULL, err)) == NULL)
		return NULL;
	for (guint i = 0; i < seats->len; i++) {
		const char *block = g_array_index(seats, struct seat, i).block;
		if (first == NULL || strcmp(block, first) < 0)
			first = block;
	}
	return g_strdup(first);
}

static char *own_words(const struct facts *f);

static gboolean
change_request(struct process_ctx *pc, gint64 ledger_id, gint64 app_id, const char *ref,
    const struct facts *f, const char *sha256, GError **err)
{
	g_autoptr(GPtrArray) held = held_courses(pc, app_id, err);
	g_autofree char *block = NULL, *detail = NULL, *what = NULL;
	const char *course;

	if (held == NULL)
		return FALSE;
	/* New "Choice N:" lines: the whole list replaced, once confirmed (amend.c). */
	{
		g_autofree char *own = own_words(f);
		gboolean lines;
		if (!amend_change_request(pc, ledger_id, app_id, ref, f, sha256, own, &lines, err))
			return FALSE;
		if (lines)
			return TRUE;
	}
	/* A course other than the one held ("the dates of my MED-401" names no other). */
	if ((course = course_other(pc->cfg->rules, f->subject, held)) == NULL)
		course = course_other(pc->cfg->rules, f->text, held);
	if (course == NULL) {
		/* Not a course: dates. The program's blocks only. */
		if (!dossier_event(pc->st, app_id, ledger_id, "date change asked: refused by policy", err))
			return FALSE;
		return reply_with(pc, ledger_id, app_id, ref, f, sha256, "dates",
		    "Dates cannot be changed",
		    "we cannot change the dates of a clerkship. Clerkships run only in the program's "
		    "4-week blocks, on fixed dates. If you want another course in the same block, write "
		    "to us with \"change\" and the course code in the subject, for example \"change to "
		    "SUR-512\". If you want to give up your place, write to us with \"cancel\" in the "
		    "subject.",
		    err);
	}
	GError *lerr = NULL;
	if ((block = block_for(pc, app_id, f->text, &lerr)) == NULL) {
		if (lerr != NULL) {
			g_propagate_error(err, lerr);
			return FALSE;
		}
		return reply_with(pc, ledger_id, app_id, ref, f, sha256, "change-refused",
		    "Nothing to change: you do not have a place yet",
		    "you do not have a place yet, so there is nothing to change. Your choices stay as "
		    "you sent them.", err);
	}
	detail = g_strdup_printf("%s %s", course, block);
	what = g_strdup_printf("change your place in block %s to %s (if a seat is free then)",
	    block, course);
	return ask_confirmation(pc, ledger_id, app_id, ref, f, sha256, "change", detail, what, err);
}

/* ---- questions ---- */

/* The text above a quoted reply (and above a signature, with no_signature). */
static char *
own_text(const struct facts *f, gboolean no_signature)
{
	GString *out = g_string_new(NULL);
	g_auto(GStrv) lines = g_strsplit(f->text, "\n", 2000);

	for (int i = 0; lines[i] != NULL; i++) {
		const char *l = lines[i];
		while (*l == ' ')
			l++;
		if (*l == '>' || g_str_has_prefix(l, "-----Original Message") ||
		    g_str_has_prefix(l, "________________") || g_str_has_prefix(l, "From: ") ||
		    g_str_has_prefix(l, "---------- Forwarded") ||
		    (g_str_has_prefix(l, "On ") && strstr(l, "wrote:") != NULL) ||
		    (no_signature && strcmp(lines[i], "-- ") == 0))
			break;
		g_string_append_printf(out, "%s\n", l);
	}
	return g_string_free(out, FALSE);
}

/* The writer's own words: the subject, and the text above a quoted reply. */
static char *
own_words(const struct facts *f)
{
	g_autofree char *text = own_text(f, FALSE);
	return g_strdup_printf("%s\n%s", f->subject, text);
}

static const char *const months[] = { "january", "february", "march", "april", "may", "june",
	"july", "august", "september", "october", "november", "december" };

/* Blocks a question names ("in April", "2027-04"), else the next six. */
static GPtrArray *
blocks_asked(struct process_ctx *pc, const char *text)
{
	g_autoptr(GPtrArray) all = rules_blocks(pc->cfg->rules);
	GPtrArray *out = g_ptr_array_new();
	int month = 0;

	for (int m = 0; m < 12 && month == 0; m++) {
		g_autofree char *abbr = g_strndup(months[m], 3);
		if (util_has_word(text, months[m]) || (m != 4 && util_has_word(text, abbr)))
			month = m + 1;
	}
	for (guint i = 0; i < all->len; i++) {
		const char *b = g_ptr_array_index(all, i);
		const char *start = rules_block_start(pc->cfg->rules, b);
		if (strcmp(start, pc->today) <= 0)
			continue;
		if (strstr(text, b) != NULL) {
			g_ptr_array_set_size(out, 0);
			g_ptr_array_add(out, (gpointer)b);
			return out;
		}
		if (month ? atoi(b + 5) == month && out->len == 0 : out->len < 6)
			g_ptr_array_add(out, (gpointer)b);
	}
	return out;
}

char *
requests_answer(struct process_ctx *pc, const struct facts *f, GError **err)
{
	const Rules *r = pc->cfg->rules;
	g_autofree char *text = own_words(f);
	const char *code = course_in(r, text), *question = NULL, *faq;
	GString *out = g_string_new(NULL);

	static const char *const seat_words[] = { "open", "available", "availability", "seat",
		"seats", "space", "spaces", "full", "spot", "spots", "place", "places", "room", NULL };
	gboolean about_seats = FALSE;

	for (int i = 0; seat_words[i] != NULL; i++)
		about_seats |= util_has_word(text, seat_words[i]);
	if (code != NULL && about_seats) {
		const struct course_info *c = rules_course(r, code);
		g_autoptr(GPtrArray) blocks = blocks_asked(pc, text);
		gboolean differs = FALSE;	/* seats.csv changes one of these blocks */
		for (guint i = 0; i < blocks->len; i++)
			differs |= rules_seats(r, c->code, g_ptr_array_index(blocks, i)) != c->seats;
		g_string_append_printf(out, "%s, %s (%s, %s), %shas %d seat%s per block. Free seats now:\n",
		    c->code, c->title, c->hospital, c->department, differs ? "usually " : "", c->seats,
		    c->seats == 1 ? "" : "s");
		for (guint i = 0; i < blocks->len; i++) {
			const char *b = g_ptr_array_index(blocks, i);
			int n = placement_free_seats(pc, c->code, b, err);
			if (n < 0) {
				g_string_free(out, TRUE);
				return NULL;
			}
			g_autofree char *bw = rules_block_words(r, b);
			int all = rules_seats(r, c->code, b);
			g_string_append_printf(out, "  - block %s: ", bw);
			if (all == 0)
				g_string_append(out, "closed, no seats in this block (please choose another"
				    " block or course)\n");
			else if (n > 0)
				g_string_append_printf(out, "open, %d of %d seat%s available\n", n, all,
				    all == 1 ? "" : "s");
			else
				g_string_append(out, "full, no seat available (a complete application is "
				    "waitlisted)\n");
		}
		if (blocks->len == 0)
			g_string_append(out, "  (no block of the program is open for that date)\n");
		g_autofree char *how = rules_expand(r, "requests.c", "{{#lottery}}Seats are given by a "
		    "lottery among the complete applications, {{setting:lead_days}} days before each block "
		    "starts. So a free seat today is not a promise.{{/lottery}}{{#rolling}}Seats are given "
		    "in the order in which applications become complete. So a free seat today is not a "
		    "promise.{{/rolling}}", err);
		if (how == NULL) {
			g_string_free(out, TRUE);
			return NULL;
		}
		g_string_append(out, how);
	}
	/* And what the FAQ says, when the question is also one of those. */
	if ((faq = rules_faq(r, text, &question)) != NULL)
		g_string_append_printf(out, "%sYou asked: %s\n%s", out->len ? "\n\n" : "", question, faq);
	if (out->len == 0) {
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}

/* A question: is there one in the text? */
static gboolean
asks(const struct facts *f)
{
	g_autofree char *own = own_words(f);
	return strchr(own, '?') != NULL;
}

/* A question from an applicant: answered from the seats or the FAQ, else
 * passed to staff (and the student told so). */
static gboolean
answer_question(struct process_ctx *pc, gint64 ledger_id, gint64 app_id, const char *ref,
    const struct facts *f, const char *sha256, GError **err)
{
	g_autofree char *answer = requests_answer(pc, f, err);

	if (err != NULL && *err != NULL)
		return FALSE;
	if (answer != NULL)
		return reply_with(pc, ledger_id, app_id, ref, f, sha256, "answer",
		    "Answer to your question", answer, err);
	/* No good answer: a coordinator's question. */
	return pass_to_staff(pc, ledger_id, app_id, ref, f, sha256, "question-forwarded",
	    "a question from an applicant that clerkd could not answer",
	    "we could not answer your question automatically.", err);
}

/* Words only a person can act on: a dispute, a correction, a sentence that
 * is not a request. Mail with documents, lines that name files, a status
 * request, an empty body or a bare thank-you is not one of those. */
static gboolean
for_a_person(const struct facts *f)
{
	g_autofree char *text = NULL, *w = NULL;
	g_autoptr(GPtrArray) named = NULL;
	guint words = 0;

	if (f->attachments->len > 0 || util_has_word(f->subject, "status"))
		return FALSE;
	named = form_documents(f->text);
	if (named->len > 0)
		return FALSE;
	text = own_text(f, TRUE);
	w = words_of(text, -1);
	for (const char *p = w; *p != '\0'; p++)
		if (p == w || p[-1] == ' ')
			words++;
	if (words == 0)
		return FALSE;
	return !(words <= 8 && (util_has_word(w, "thanks") || util_has_word(w, "thank")));
}

/* ---- cancel: a request, or a question about cancelling ---- */

static const char *const question_words[] = { "what", "how", "can", "could", "is", "are", "do",
	"does", "did", "will", "would", "should", "shall", "may", "might", "when", "why", "where",
	"which", "who", "whom", "whose", "if", "am", "question", "questions", "query", "inquiry",
	"enquiry", NULL };

static gboolean
in_list(const char *const *list, const char *w)
{
	for (int i = 0; list[i] != NULL; i++)
		if (g_ascii_strcasecmp(list[i], w) == 0)
			return TRUE;
	return FALSE;
}

/* The words of a sentence, lower-case (at most 64). */
static GPtrArray *
sentence_words(const char *s, gsize len)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	const char *p = s, *end = s + len;

	while (p < end && out->len < 64) {
		const char *q;
		while (p < end && !g_ascii_isalnum(*p) && *p != '\'')
			p++;
		for (q = p; q < end && (g_ascii_isalnum(*q) || *q == '\'' || *q == '-'); q++)
			;
		if (q > p)
			g_ptr_array_add(out, g_ascii_strdown(p, q - p));
		p = q;
	}
	return out;
}

static gboolean
is_cancel_word(const char *w)
{
	return strcmp(w, "cancel") == 0 || strcmp(w, "cancellation") == 0 ||
	    strcmp(w, "cancelation") == 0 || strcmp(w, "cancelling") == 0 ||
	    strcmp(w, "canceling") == 0;
}

typedef enum { SENTENCE_OTHER, SENTENCE_ASKS, SENTENCE_QUESTION } SentenceKind;

/* One sentence that names cancelling: a request ("Please cancel my
 * application", "Cancel", "I want to cancel my 2027-04 block", "Could you
 * cancel my place?"), a question ("What happens if I cancel?", "Question
 * about cancellation fees"), or neither (not about cancelling, "do not
 * cancel", "I cancelled my flight"). in_body: a sentence of the text, which
 * must be about the program to count as a request. */
static SentenceKind
sentence_kind(const char *s, gsize len, gboolean in_body)
{
	static const char *const negations[] = { "not", "don't", "dont", "never", "no", "nor",
		"won't", "didn't", "doesn't", NULL };
	static const char *const fees[] = { "fee", "fees", "policy", "refund", "refunds", "penalty",
		"charge", "charges", "cost", "costs", NULL };
	static const char *const program[] = { "application", "block", "place", "seat",
		"clerkship", "rotation", "elective", "registration", "participation", "assignment",
		"enrollment", "enrolment", NULL };
	g_autoptr(GPtrArray) w = sentence_words(s, len);
	gboolean cancel = FALSE, about = FALSE, polite = FALSE;
	guint first = 0;

	for (guint i = 0; i < w->len; i++)
		cancel |= is_cancel_word(g_ptr_array_index(w, i));
	if (!cancel)
		return SENTENCE_OTHER;
	/* A greeting first ("Hello, what happens ...") does not decide. */
	while (first < w->len && in_list((const char *const[]){ "hello", "hi", "dear", "sir",
	    "madam", "thanks", "thank", "you", NULL }, g_ptr_array_index(w, first)))
		first++;
	for (guint i = first; i < w->len; i++) {
		const char *x = g_ptr_array_index(w, i);
		if (in_list(negations, x))
			return SENTENCE_OTHER;
		if (in_list(fees, x))
			return SENTENCE_QUESTION;	/* about what cancelling costs */
		about |= in_list(program, x) || (strlen(x) == 7 && x[4] == '-' && g_ascii_isdigit(x[0]) && g_ascii_isdigit(x[6]));
	}
	/* "Can you (please) cancel ...": a request, however it ends. */
	if (first + 2 < w->len && in_list((const char *const[]){ "can", "could", "would", "will",
	    NULL }, g_ptr_array_index(w, first)) && strcmp(g_ptr_array_index(w, first + 1), "you") == 0) {
		guint v = first + 2;
		if (v < w->len && in_list((const char *const[]){ "please", "kindly", NULL },
		    g_ptr_array_index(w, v)))
			v++;
		polite = v < w->len && is_cancel_word(g_ptr_array_index(w, v));
	}
	if (!polite && ((len > 0 && memchr(s, '?', len) != NULL) ||
	    (first < w->len && in_list(question_words, g_ptr_array_index(w, first)))))
		return SENTENCE_QUESTION;
	if (in_body && !about && w->len - first > 4)
		return SENTENCE_OTHER;	/* "I had to cancel my flight" */
	return SENTENCE_ASKS;
}

typedef enum { CANCEL_NONE, CANCEL_ASKED, CANCEL_QUESTION } CancelIntent;

/* Does the message ask to cancel, or ask about cancelling? The subject
 * decides when it names cancelling; else a sentence of the writer's own
 * text (never of a quoted message) that asks for it, with no attachment
 * (documents sent with it are filed, not taken for a cancel). */
static CancelIntent
cancel_intent(const struct facts *f)
{
	const char *subject = words_subject_core(f->subject, 4, NULL);
	g_autofree char *own = own_words(f);
	const char *body = strchr(own, '\n');
	int asks_n = 0, questions = 0;

	body = body ? body + 1 : "";
	for (const char *p = body; *p != '\0';) {
		gsize n = strcspn(p, ".!?\n");
		if (p[n] == '?')
			n++;
		switch (sentence_kind(p, n, TRUE)) {
		case SENTENCE_ASKS: asks_n++; break;
		case SENTENCE_QUESTION: questions++; break;
		case SENTENCE_OTHER: break;
		}
		p += n;
		if (*p != '\0')
			p++;
	}
	switch (sentence_kind(subject, strlen(subject), FALSE)) {
	case SENTENCE_QUESTION:
		return CANCEL_QUESTION;
	case SENTENCE_ASKS:
		/* "Cancellation" over a text that only asks about it: a question. */
		if (!util_has_word(subject, "cancel") && questions > 0 && asks_n == 0)
			return CANCEL_QUESTION;
		return CANCEL_ASKED;
	case SENTENCE_OTHER:
		break;
	}
	if (asks_n > 0 && f->attachments->len == 0)
		return CANCEL_ASKED;
	if (questions > 0)
		return CANCEL_QUESTION;
	return CANCEL_NONE;
}

/* A cancel: of one block when the subject or the text names one of the
 * application's several blocks, else of the whole application. Nothing
 * changes until it is confirmed. */
static gboolean
cancel_request(struct process_ctx *pc, gint64 ledger_id, gint64 app_id, const char *ref,
    const struct facts *f, const char *sha256, GError **err)
{
	const Rules *r = pc->cfg->rules;
	g_autofree char *own = own_words(f);
	const char *body = strchr(own, '\n');
	g_autofree char *block = requests_block_named(r, body ? body : "");
	g_autoptr(GPtrArray) blocks = NULL;
	g_autofree char *words = NULL, *others = NULL, *what = NULL;

	/* A block in the subject counts when the subject is about cancelling (not
	 * "Re: Scheduling result for block 2027-03"). */
	if (block == NULL && (util_has_word(f->subject, "cancel") ||
	    util_has_word(f->subject, "cancellation")))
		block = requests_block_named(r, f->subject);
	if (block == NULL)
		return ask_confirmation(pc, ledger_id, app_id, ref, f, sha256, "cancel", NULL,
		    "cancel your application and give up any place you hold", err);
	if ((blocks = app_blocks(pc, app_id, err)) == NULL)
		return FALSE;
	words = rules_block_words(r, block);
	if (!has_block(blocks, block)) {
		g_autofree char *mine = other_blocks(r, blocks, "");
		if (!dossier_event(pc->st, app_id, ledger_id, "cancellation of a block not in the "
		    "application asked: nothing to cancel", err))
			return FALSE;
		gboolean several = strchr(mine, ';') != NULL;
		what = *mine ? g_strdup_printf("you asked us to cancel block %s. Your application has no "
		    "choice and no place in that block, so nothing was changed. Your %s: %s. "
		    "To cancel %s, write again with \"cancel\" and the block (for example "
		    "\"cancel my %s block\") in the subject.", words, several ? "blocks are" :
		    "block is", mine, several ? "one of them" : "it",
		    (char *)g_ptr_array_index(blocks, 0)) :
		    g_strdup_printf("you asked us to cancel block %s. Your application has no choice "
		    "and no place in that block, so nothing was changed.", words);
		g_autofree char *title = g_strdup_printf("Nothing cancelled: block %s is not in your "
		    "application", block);
		return reply_with(pc, ledger_id, app_id, ref, f, sha256, "cancel-refused", title, what,
		    err);
	}
	if (blocks->len == 1) {
		what = g_strdup_printf("cancel your application and give up any place you hold. "
		    "Block %s is the only block in your application, so this cancels the whole "
		    "application", words);
		return ask_confirmation(pc, ledger_id, app_id, ref, f, sha256, "cancel", NULL, what, err);
	}
	g_autofree char *held = placement_held_in(pc, app_id, block, err);
	if (held == NULL)
		return FALSE;
	others = other_blocks(r, blocks, block);
	what = g_strdup_printf("cancel only block %s. You give up %s in that block. You keep %s%s",
	    words, *held ? held : "your choices", strchr(others, ';') ? "these blocks: " : "block ",
	    others);
	return ask_confirmation(pc, ledger_id, app_id, ref, f, sha256, "cancel", block, what, err);
}

/* ---- the acceptance letter on request ---- */

/* "letter" in the subject, from the registered address (only that address
 * comes here: letters carry personal data): one reply with the letter and
 * the calendar entry of each seat held, the same files as first sent; with
 * no seat, a short reply saying when the letter comes. */
static gboolean
letter_request(struct process_ctx *pc, gint64 ledger_id, gint64 app_id, const char *ref,
    const struct facts *f, const char *sha256, GError **err)
{
	const Rules *r = pc->cfg->rules;
	g_autoptr(GArray) seats = seats_of(pc->st, app_id, NULL, err);
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(effects_attachment_free);
	g_autoptr(GString) what = g_string_new(NULL);

	if (seats == NULL || !effects_seat_files(pc, app_id, seats, FALSE, files, err) ||
	    !dossier_event(pc->st, app_id, ledger_id, seats->len ? "acceptance letter asked for "
	    "and sent" : "acceptance letter asked for: no seat yet", err))
		return FALSE;
	if (files->len == 0) {
		g_string_assign(what, "you asked for your acceptance letter. We send this letter when "
		    "you have a place in a clerkship. You do not have a place yet, so there is no "
		    "letter to send now. When you get a place, the letter comes with our mail about "
		    "it. After that, you can ask for it again at any time: write \"letter\" in the "
		    "subject.\n\nWhere your application stands now:");
		g_message("application %s: acceptance letter asked for, no seat yet", ref);
		return reply_with(pc, ledger_id, app_id, ref, f, sha256, "letter",
		    "Acceptance letter: not yet", what->str, err);
	}
	g_string_assign(what, "here is your acceptance letter (a PDF file) for each place you "
	    "hold:\n");
	for (guint i = 0; i < seats->len; i++) {
		const struct seat *st = &g_array_index(seats, struct seat, i);
		const struct course_info *c = rules_course(r, st->course);
		g_autofree char *dates = NULL;
		if (c == NULL || rules_block_start(r, st->block) == NULL ||
		    rules_block_end(r, st->block) == NULL)
			continue;
		dates = words_date_range(rules_block_start(r, st->block), rules_block_end(r, st->block));
		g_string_append_printf(what, "  - %s (%s), %s\n", c->code, c->title ? c->title : "",
		    dates);
	}
	g_string_append(what, "We also attach a calendar file (.ics) with the dates of each place. "
	    "These are the same files we sent when you got your place.\n");
	g_message("application %s: acceptance letter sent again (%u file%s)", ref, files->len,
	    files->len == 1 ? "" : "s");
	return reply_with_attached(pc, ledger_id, app_id, ref, f, sha256, "letter",
	    "Your acceptance letter", what->str, files, err);
}

gboolean
requests_handle(struct process_ctx *pc, gint64 ledger_id, gint64 app_id, const char *ref,
    const struct facts *f, const char *sha256, gboolean *handled, GError **err)
{
	struct confirmation *p;
	gboolean ok;

	*handled = TRUE;
	switch (find_confirmation(pc, app_id, f, &p, err)) {
	case -1:
		return FALSE;
	case 1:
		ok = confirmed(pc, ledger_id, app_id, ref, f, sha256, p, err);
		confirmation_free(p);
		return ok;
	case 2:
		/* A late answer to an offer (not a question, no documents, and not a
		 * mere follow-up to one accepted): said what became of it. Anything
		 * else is read like any other message. */
		if (f->attachments->len == 0 && !asks(f)) {
			int late = late_answer(pc, f, p, err);
			ok = late < 0 ? FALSE : late == 0 ||
			    offer_answered(pc, ledger_id, app_id, ref, f, sha256, p, err);
			confirmation_free(p);
			if (late != 0)
				return ok;
			break;
		}
		confirmation_free(p);
		break;
	}
	switch (cancel_intent(f)) {
	case CANCEL_ASKED:
		return cancel_request(pc, ledger_id, app_id, ref, f, sha256, err);
	case CANCEL_QUESTION:
		/* "What happens if I cancel?": a question, answered like the others. */
		if (f->attachments->len == 0)
			return answer_question(pc, ledger_id, app_id, ref, f, sha256, err);
		break;
	case CANCEL_NONE:
		break;
	}
	if (util_has_word(f->subject, "change"))
		return change_request(pc, ledger_id, app_id, ref, f, sha256, err);
	if (classify_letter_request(f))
		return letter_request(pc, ledger_id, app_id, ref, f, sha256, err);
	if (f->attachments->len == 0 && asks(f) && !util_has_word(f->subject, "status"))
		return answer_question(pc, ledger_id, app_id, ref, f, sha256, err);
	if (for_a_person(f))
		return pass_to_staff(pc, ledger_id, app_id, ref, f, sha256, "passed-to-staff",
		    "a message from an applicant that clerkd cannot act on (a dispute, a correction "
		    "or a request)", "your message needs an answer from a person.", err);
	*handled = FALSE;
	return TRUE;
}
