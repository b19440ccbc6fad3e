/* requests.c: what students ask by mail: to cancel or change (always
 * confirmed with a one-time token first), other dates (refused with the
 * policy), free seats, and the FAQ. */
#include "requests.h"
#include "confirm.h"
#include "effects.h"
#include "settle.h"
#include "decide.h"
#include "dossier.h"
#include "placement.h"
#include "reply.h"
#include "rules.h"
#include "seats.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define TOKEN_LEN 10

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

/* The open confirmation this message answers: by In-Reply-To, or its token in
 * the subject or the text. 1 found (*out set, the caller's to free), 0 none,
 * -1 on error. */
static int
find_confirmation(struct process_ctx *pc, gint64 app_id, const struct facts *f,
    struct confirmation **out, GError **err)
{
	g_autoptr(GPtrArray) open = confirm_pending(pc->st, app_id, err);
	g_autoptr(GHashTable) words = NULL;

	*out = NULL;
	if (open == NULL)
		return -1;
	if (open->len == 0)
		return 0;
	/* Tokens are secrets: compared in constant time. */
	words = g_hash_table_new_full(g_str_hash, util_token_equal, g_free, NULL);
	token_words(f->subject, words);
	token_words(f->text, words);
	for (guint i = 0; i < open->len; i++) {
		struct confirmation *c = g_ptr_array_index(open, i);
		g_autofree char *up = g_ascii_strup(c->token ? c->token : "", -1);
		if ((f->in_reply_to != NULL && g_strcmp0(f->in_reply_to, c->message_id) == 0) ||
		    (*up != '\0' && g_hash_table_contains(words, up))) {
			*out = g_ptr_array_steal_index(open, i);
			return 1;
		}
	}
	return 0;
}

static gboolean
reply_with(struct process_ctx *pc, gint64 ledger_id, gint64 app_id, const char *ref,
    const struct facts *f, const char *sha256, const char *kind, const char *what, GError **err)
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
	effect_reply(pc, ledger_id, app_id, f, sha256, kind, ref, "request", vars);
	return TRUE;
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
	    !dossier_event(pc->st, app_id, ledger_id, action[0] == 'c' && action[1] == 'a' ?
	    "cancellation asked, waiting for confirmation" : "change asked, waiting for confirmation",
	    err))
		return FALSE;
	g_hash_table_insert(vars, "name", d->name);
	g_hash_table_insert(vars, "reference", (gpointer)ref);
	g_hash_table_insert(vars, "what", (gpointer)what);
	g_hash_table_insert(vars, "token", token);
	g_hash_table_insert(vars, "expires", expires);
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

static gboolean
confirmed(struct process_ctx *pc, gint64 ledger_id, gint64 app_id, const char *ref,
    const struct facts *f, const char *sha256, const struct confirmation *p, GError **err)
{
	g_autoptr(GString) what = g_string_new(NULL);

	if (strcmp(p->expires, pc->today) < 0) {
		g_string_printf(what, "the confirmation %s expired on %s, so nothing was changed. "
		    "Please write again if you still want this.", p->token, p->expires);
		return reply_with(pc, ledger_id, app_id, ref, f, sha256, "confirm-expired", what->str, err);
	}
	if (!confirm_use(pc->st, p->token, err))
		return FALSE;
	if (strcmp(p->action, "cancel") == 0) {
		if (!dossier_event(pc->st, app_id, ledger_id, "cancellation confirmed", err) ||
		    !placement_cancel(pc, app_id, ledger_id, err))
			return FALSE;
		g_string_printf(what, "your cancellation is confirmed.");
	} else {
		/* detail: "COURSE BLOCK" */
		g_auto(GStrv) cb = g_strsplit(p->detail ? p->detail : "", " ", 2);
		gboolean done;
		if (cb[0] == NULL || cb[1] == NULL)
			g_string_printf(what, "we could not read the change you asked for.");
		else if (!placement_change(pc, app_id, ledger_id, cb[0], cb[1], &done, what, err))
			return FALSE;
		else if (!dossier_event(pc->st, app_id, ledger_id, done ? "course change confirmed and made" :
		    "course change confirmed, not possible", err))
			return FALSE;
		g_string_prepend(what, "about the change you confirmed: ");
	}
	g_message("application %s: %s confirmed (%s)", ref, p->action, p->token);
	return reply_with(pc, ledger_id, app_id, ref, f, sha256, "confirmed", what->str, err);
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

static gboolean
change_request(struct process_ctx *pc, gint64 ledger_id, gint64 app_id, const char *ref,
    const struct facts *f, const char *sha256, GError **err)
{
	g_autoptr(GPtrArray) held = held_courses(pc, app_id, err);
	g_autofree char *block = NULL, *detail = NULL, *what = NULL;
	const char *course;

	if (held == NULL)
		return FALSE;
	/* A course other than the one held ("the dates of my MED-401" names no other). */
	if ((course = course_other(pc->cfg->rules, f->subject, held)) == NULL)
		course = course_other(pc->cfg->rules, f->text, held);
	if (course == NULL) {
		/* Not a course: dates. The program's blocks only. */
		if (!dossier_event(pc->st, app_id, ledger_id, "date change asked: refused by policy", err))
			return FALSE;
		return reply_with(pc, ledger_id, app_id, ref, f, sha256, "dates",
		    "we cannot change the dates of a clerkship. Clerkships run only in the program's "
		    "4-week blocks, on the program's dates; custom dates are not possible. If you want "
		    "another course in the same block, write with \"change\" in the subject and the "
		    "course code (for example SUR-512); to give up your place, write with \"cancel\".",
		    err);
	}
	GError *lerr = NULL;
	if ((block = block_for(pc, app_id, f->text, &lerr)) == NULL) {
		if (lerr != NULL) {
			g_propagate_error(err, lerr);
			return FALSE;
		}
		return reply_with(pc, ledger_id, app_id, ref, f, sha256, "change-refused",
		    "you do not hold a place yet, so there is nothing to change; your choices stand as "
		    "you sent them.", err);
	}
	detail = g_strdup_printf("%s %s", course, block);
	what = g_strdup_printf("change your place in block %s to %s (if a seat is free then)",
	    block, course);
	return ask_confirmation(pc, ledger_id, app_id, ref, f, sha256, "change", detail, what, err);
}

/* ---- questions ---- */

/* The writer's own words: the subject, and the text above a quoted reply. */
static char *
own_words(const struct facts *f)
{
	GString *out = g_string_new(f->subject);
	g_auto(GStrv) lines = g_strsplit(f->text, "\n", 2000);

	g_string_append_c(out, '\n');
	for (int i = 0; lines[i] != NULL; i++) {
		const char *l = lines[i];
		while (*l == ' ')
			l++;
		if (*l == '>' || g_str_has_prefix(l, "-----Original Message") ||
		    g_str_has_prefix(l, "________________") || g_str_has_prefix(l, "From: ") ||
		    g_str_has_prefix(l, "---------- Forwarded") ||
		    (g_str_has_prefix(l, "On ") && strstr(l, "wrote:") != NULL))
			break;
		g_string_append_printf(out, "%s\n", l);
	}
	return g_string_free(out, FALSE);
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
		g_string_append_printf(out, "%s, %s (%s, %s), has %d seat%s per block. Free seats now:\n",
		    c->code, c->title, c->hospital, c->department, c->seats, c->seats == 1 ? "" : "s");
		for (guint i = 0; i < blocks->len; i++) {
			const char *b = g_ptr_array_index(blocks, i);
			int n = placement_free_seats(pc, c->code, b, err);
			if (n < 0) {
				g_string_free(out, TRUE);
				return NULL;
			}
			g_string_append_printf(out, "  - block %s (%s to %s): ", b, rules_block_start(r, b),
			    rules_block_end(r, b));
			if (n > 0)
				g_string_append_printf(out, "open, %d of %d seat%s available\n", n, c->seats,
				    c->seats == 1 ? "" : "s");
			else
				g_string_append(out, "full, no seat available (a complete application is "
				    "waitlisted)\n");
		}
		if (blocks->len == 0)
			g_string_append(out, "  (no block of the program is open for that date)\n");
		g_string_append(out, "Seats are given by lottery among complete applications about 30 to "
		    "60 days before each block, so a free seat today is not a promise.");
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
	}
	if (util_has_word(f->subject, "cancel") || util_has_word(f->subject, "cancellation"))
		return ask_confirmation(pc, ledger_id, app_id, ref, f, sha256, "cancel", NULL,
		    "cancel your application and give up any place you hold", err);
	if (util_has_word(f->subject, "change"))
		return change_request(pc, ledger_id, app_id, ref, f, sha256, err);
	if (f->attachments->len == 0 && asks(f) && !util_has_word(f->subject, "status")) {
		g_autofree char *answer = requests_answer(pc, f, err);
		if (err != NULL && *err != NULL)
			return FALSE;
		if (answer != NULL)
			return reply_with(pc, ledger_id, app_id, ref, f, sha256, "answer", answer, err);
		/* No good answer: a coordinator's question. */
		if (!dossier_event(pc->st, app_id, ledger_id, "question forwarded to staff", err))
			return FALSE;
		effect_notify_staff(pc, ledger_id, app_id, f, sha256, ref,
		    "a question from an applicant that clerkd could not answer", f->text);
		return reply_with(pc, ledger_id, app_id, ref, f, sha256, "question-forwarded",
		    "we could not answer your question automatically, so we have passed it to a "
		    "coordinator, who will reply to you.", err);
	}
	*handled = FALSE;
	return TRUE;
}
