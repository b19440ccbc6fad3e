/* offers.c: seats offered from the waitlists (offers.h): made, answered,
 * lapsed, withdrawn and closed. The rows are offersdb.c's and the tokens
 * confirm.c's; no SQL is written here. */
#include "offers.h"
#include "confirm.h"
#include "dossier.h"
#include "effects.h"
#include "offersdb.h"
#include "reply.h"
#include "rules.h"
#include "seats.h"
#include "standing.h"
#include "util.h"
#include "words.h"

#include <stdlib.h>
#include <string.h>

int
offers_free_seats(struct process_ctx *pc, const char *course, const char *block, GError **err)
{
	const struct course_info *c = rules_course(pc->cfg->rules, course);
	gint64 taken, offered;

	if (c == NULL || rules_block_start(pc->cfg->rules, block) == NULL)
		return 0;
	/* A seat offered and not yet answered is held for its student. */
	if ((taken = seats_taken(pc->st, c->code, block, err)) < 0 ||
	    (offered = offersdb_open(pc->st, c->code, block, err)) < 0)
		return -1;
	return MAX(rules_seats(pc->cfg->rules, c->code, block) - (int)(taken + offered), 0);
}

/* A block's dates as students read them: "5-30 April 2027". */
static char *
block_dates(const Rules *r, const char *block)
{
	return words_date_range(rules_block_start(r, block) ?: "?", rules_block_end(r, block) ?: "?");
}

/* Has the block started (or is it unknown)? */
static gboolean
block_started(struct process_ctx *pc, const char *block)
{
	const char *start = rules_block_start(pc->cfg->rules, block);

	return start == NULL || strcmp(start, pc->today) <= 0;
}

/* The last day to answer an offer made today: offer_days later (3 unless
 * set), but never later than the day before the block starts. */
static void
offer_deadline(struct process_ctx *pc, const char *block, char out[11])
{
	const char *days = rules_setting(pc->cfg->rules, "offer_days");
	GDate by, last;

	g_date_clear(&by, 1);
	g_date_clear(&last, 1);
	g_date_set_parse(&by, pc->today);
	g_date_set_parse(&last, rules_block_start(pc->cfg->rules, block));
	g_strlcpy(out, pc->today, 11);
	if (!g_date_valid(&by))
		return;
	g_date_add_days(&by, days != NULL && *days != '\0' ? CLAMP(atoi(days), 1, 365) : 3);
	if (g_date_valid(&last)) {
		g_date_subtract_days(&last, 1);
		if (g_date_compare(&by, &last) > 0)
			by = last;
	}
	g_date_strftime(out, 11, "%Y-%m-%d", &by);
}

/* Offer a freed seat to the application at a waitlist place: the seat is held
 * for it until its deadline, and it is asked to accept or decline (a mail
 * carrying `confirm TOKEN`, answered like a cancel's confirmation). */
static gboolean
make_offer(struct process_ctx *pc, gint64 app, gint64 place, const char *course,
    const char *block, GError **err)
{
	const Rules *r = pc->cfg->rules;
	const struct course_info *c = rules_course(r, course);
	g_autoptr(Dossier) d = dossier_load(pc->st, app, err);
	g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
	g_autofree char *token = util_token_new(CONFIRM_TOKEN_LEN);
	g_autofree char *seed = NULL, *msgid = NULL, *detail = NULL, *event = NULL;
	g_autofree char *deadline = NULL, *start = NULL, *end = NULL, *dates = NULL, *subject = NULL;
	struct mail_out m = { 0 };
	char expires[11];
	gint64 id;

	if (d == NULL)
		return FALSE;
	offer_deadline(pc, block, expires);
	if ((id = offersdb_add(pc->st, app, place, course, block, token, expires, err)) == 0)
		return FALSE;
	/* The token in it too: a database restored from a backup reuses ids. */
	seed = g_strdup_printf("offer.%" G_GINT64_FORMAT ".%s", id, token);
	msgid = reply_message_id(seed, "", "offer", pc->cfg->from_addr);
	detail = g_strdup_printf("%" G_GINT64_FORMAT, id);
	event = g_strdup_printf("offered the freed seat in %s, block %s (first on its waitlist); "
	    "answer due by %s", course, block, expires);
	if (!confirm_add(pc->st, app, &(struct confirmation){ .token = token, .action = "offer",
	    .detail = detail, .expires = expires, .message_id = msgid }, err) ||
	    !dossier_event(pc->st, app, 0, event, err))
		return FALSE;
	g_message("waitlist: application %s offered the freed seat in %s %s until %s",
	    d->reference, course, block, expires);
	if (d->email == NULL || *d->email == '\0')
		return TRUE;	/* nobody to ask: it lapses at its deadline */
	deadline = words_date(expires);
	start = words_date(rules_block_start(r, block));
	end = words_date(rules_block_end(r, block) ?: "?");
	dates = block_dates(r, block);
	subject = g_strdup_printf("Seat offered: %s, %s. Please answer by %s (confirm %s)",
	    course, dates, deadline, token);
	g_hash_table_insert(vars, "name", d->name);
	g_hash_table_insert(vars, "reference", d->reference);
	g_hash_table_insert(vars, "email", d->email);
	g_hash_table_insert(vars, "course", (gpointer)course);
	g_hash_table_insert(vars, "title", (gpointer)(c ? c->title : course));
	g_hash_table_insert(vars, "hospital", (gpointer)(c ? c->hospital : ""));
	g_hash_table_insert(vars, "block", (gpointer)block);
	g_hash_table_insert(vars, "start", start);
	g_hash_table_insert(vars, "end", end);
	g_hash_table_insert(vars, "deadline", deadline);
	g_hash_table_insert(vars, "token", token);
	m.kind = "offer";
	m.template = "offer";
	m.to_addr = d->email;
	m.to_name = d->name;
	m.fallback_subject = subject;
	m.reference = d->reference;
	m.seed_msgid = seed;
	m.seed_sha256 = "";
	effect_mail(pc, EFFECT_NOTIFY_APPLICANT, 0, app, &m, vars);
	return TRUE;
}

gboolean
offers_pass_on(struct process_ctx *pc, const char *course, const char *block, GError **err)
{
	if (block_started(pc, block))
		return TRUE;
	for (;;) {
		gint64 place = 0, app = 0;
		int first, free_now;
		if ((free_now = offers_free_seats(pc, course, block, err)) < 0)
			return FALSE;
		if (free_now == 0)
			return TRUE;
		if ((first = waitlist_first(pc->st, course, block, &place, &app, err)) < 0)
			return FALSE;
		if (first == 0)
			return TRUE;
		if (!make_offer(pc, app, place, course, block, err))
			return FALSE;
	}
}

/* After an offer ended without a seat: a sentence for the student if they now
 * hold nothing at all (no seat, no place on a waitlist). */
static gboolean
nothing_left(struct process_ctx *pc, gint64 app, GString *words, GError **err)
{
	struct seats_tally t = { 0 };

	if (!seats_tally(pc->st, app, &t, err))
		return FALSE;
	if (t.seats == 0 && t.waiting == 0)
		g_string_append(words, " You now hold no seat and no place on a waitlist.");
	return TRUE;
}

/* An open offer ends without a seat taken (state: declined, lapsed,
 * withdrawn, closed): its token is spent; declined or lapsed, its student
 * leaves that waitlist. 1 ended, 0 it was not open, -1 on error. */
static int
end_offer(struct process_ctx *pc, const struct offer *o, const char *state, GError **err)
{
	int ended = offersdb_end(pc->st, o->id, state, err);

	if (ended <= 0)
		return ended;
	if (!confirm_use(pc->st, o->token, err))
		return -1;
	if ((strcmp(state, "declined") == 0 || strcmp(state, "lapsed") == 0) &&
	    !waitlist_leave(pc->st, o->place, state, err))
		return -1;
	return 1;
}

gboolean
offers_withdraw(struct process_ctx *pc, gint64 app, const char *block, GError **err)
{
	g_autoptr(GArray) ids = offersdb_find(pc->st, app, block, NULL, err);

	if (ids == NULL)
		return FALSE;
	for (guint i = 0; i < ids->len; i++) {
		struct offer o;
		int found = offersdb_get(pc->st, g_array_index(ids, gint64, i), &o, err), ended = 0;
		gboolean ok = found >= 0 && (found == 0 || (ended = end_offer(pc, &o, "withdrawn", err)) >= 0) &&
		    (ended == 0 || offers_pass_on(pc, o.course, o.block, err));
		if (found > 0)
			offer_clear(&o);
		if (!ok)
			return FALSE;
	}
	return TRUE;
}

/* An offer not answered by its deadline lapses: its student leaves that
 * waitlist and is told (unless told_in_reply: the reply to their late answer
 * says so), and the seat is offered to the next. what (may be NULL) gets the
 * words. */
static gboolean
lapse_offer(struct process_ctx *pc, const struct offer *o, gint64 ledger_id, gboolean told_in_reply,
    GString *what, GError **err)
{
	const Rules *r = pc->cfg->rules;
	g_autofree char *dates = block_dates(r, o->block), *by = words_date(o->expires);
	g_autofree char *event = g_strdup_printf("offer of the seat in %s, block %s lapsed: no "
	    "answer by %s", o->course, o->block, o->expires);
	g_autoptr(GString) words = g_string_new(NULL);
	gboolean started = block_started(pc, o->block);
	int ended = end_offer(pc, o, "lapsed", err);

	if (ended <= 0)
		return ended == 0;
	g_string_printf(words, "we offered you a seat in %s, block %s (%s). We did not receive "
	    "your answer by %s, so the offer has ended.", o->course, o->block, dates, by);
	if (started)
		g_string_append(words, " The block has now started.");
	else
		g_string_append_printf(words, " The seat goes to the next student on the waitlist. "
		    "You are no longer on the waitlist of %s for this block.", o->course);
	if (!dossier_event(pc->st, o->app, ledger_id, event, err) ||
	    !standing_update(pc, o->app, ledger_id, "offer lapsed", NULL, err) ||
	    !nothing_left(pc, o->app, words, err))
		return FALSE;
	g_message("waitlist: application #%" G_GINT64_FORMAT ": offer of %s %s lapsed (%s)", o->app,
	    o->course, o->block, o->expires);
	if (!told_in_reply) {
		g_autofree char *seed = g_strdup_printf("offer-lapsed.%" G_GINT64_FORMAT, o->id);
		g_autofree char *subject = g_strdup_printf("Offer ended: %s, %s", o->course, dates);
		effect_placement(pc, 0, o->app, seed, subject, words->str);
	}
	if (what != NULL)
		g_string_assign(what, words->str);
	return offers_pass_on(pc, o->course, o->block, err);
}

gboolean
offers_answer(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, gint64 offer_id,
    gboolean accept, GString *what, const char **kind, GError **err)
{
	const Rules *r = pc->cfg->rules;
	const struct course_info *c;
	g_autofree char *dates = NULL, *by = NULL, *event = NULL;
	struct offer o;
	int found = offersdb_get(pc->st, offer_id, &o, err);
	gboolean ok = TRUE;

	if (found < 0)
		return FALSE;
	if (found == 0 || o.app != app_id) {
		*kind = "offer-unknown";
		g_string_printf(what, "we could not find the offer you answered, so nothing was "
		    "changed.");
		if (found > 0)
			offer_clear(&o);
		return TRUE;
	}
	c = rules_course(r, o.course);
	dates = block_dates(r, o.block);
	by = words_date(o.expires);
	if (strcmp(o.state, "open") != 0) {
		*kind = "offer-answered";
		if (strcmp(o.state, "accepted") == 0 && accept)
			g_string_printf(what, "you accepted the seat in %s, block %s (%s), already. It is "
			    "yours. Nothing else was changed.", o.course, o.block, dates);
		else if (strcmp(o.state, "accepted") == 0)
			g_string_printf(what, "you accepted the seat in %s, block %s (%s), before, so it "
			    "is yours, and nothing was changed. If you do not want it now, write to us "
			    "with \"cancel my %s block\" in the subject.", o.course, o.block, dates,
			    o.block);
		else if (strcmp(o.state, "declined") == 0)
			g_string_printf(what, "you declined the seat in %s, block %s (%s), before, so "
			    "nothing was changed.", o.course, o.block, dates);
		else if (strcmp(o.state, "lapsed") == 0)
			g_string_printf(what, "the offer of a seat in %s, block %s (%s), ended on %s, "
			    "because we did not receive your answer by then. The seat went to the next "
			    "student on the waitlist, so we cannot give it to you now.", o.course, o.block,
			    dates, by);
		else if (strcmp(o.state, "closed") == 0)
			g_string_printf(what, "the offer of a seat in %s, block %s (%s), ended when the "
			    "block started.", o.course, o.block, dates);
		else
			g_string_printf(what, "the offer of a seat in %s, block %s (%s), ended when you "
			    "cancelled that block, so nothing was changed.", o.course, o.block, dates);
	} else if (block_started(pc, o.block)) {
		*kind = "offer-closed";
		ok = end_offer(pc, &o, "closed", err) >= 0;
		g_string_printf(what, "block %s (%s) has started, so the offer of a seat in %s has "
		    "ended.", o.block, dates, o.course);
	} else if (strcmp(o.expires, pc->today) < 0) {
		*kind = "offer-lapsed";
		ok = lapse_offer(pc, &o, ledger_id, TRUE, what, err);
	} else if (accept) {
		*kind = "offer-accepted";
		event = g_strdup_printf("offer of the seat in %s, block %s accepted", o.course, o.block);
		ok = offersdb_end(pc->st, o.id, "accepted", err) >= 0 &&
		    confirm_use(pc->st, o.token, err) && waitlist_promote(pc->st, o.place, err) &&
		    seats_take(pc->st, app_id, o.course, o.block, "offer", err) != 0 &&
		    (effects_seat_given(pc, app_id), TRUE) &&
		    dossier_event(pc->st, app_id, ledger_id, event, err) &&
		    standing_update(pc, app_id, ledger_id, "offer accepted", NULL, err);
		g_string_printf(what, "thank you. You accepted the seat in %s%s%s%s, block %s (%s). "
		    "The seat is yours now. If you cannot come after all, please tell us soon: write "
		    "to us with \"cancel my %s block\" in the subject.", o.course, c ? " (" : "",
		    c ? c->title : "", c ? ")" : "", o.block, dates, o.block);
		g_message("waitlist: application #%" G_GINT64_FORMAT " accepted the seat in %s %s",
		    app_id, o.course, o.block);
	} else {
		*kind = "offer-declined";
		event = g_strdup_printf("offer of the seat in %s, block %s declined; left its waitlist",
		    o.course, o.block);
		g_string_printf(what, "you declined the seat in %s, block %s (%s). We offer it to the "
		    "next student on the waitlist. You are no longer on the waitlist of %s for this "
		    "block. Your other choices do not change.", o.course, o.block, dates, o.course);
		ok = end_offer(pc, &o, "declined", err) >= 0 &&
		    dossier_event(pc->st, app_id, ledger_id, event, err) &&
		    standing_update(pc, app_id, ledger_id, "offer declined", NULL, err) &&
		    nothing_left(pc, app_id, what, err) && offers_pass_on(pc, o.course, o.block, err);
		g_message("waitlist: application #%" G_GINT64_FORMAT " declined the seat in %s %s",
		    app_id, o.course, o.block);
	}
	offer_clear(&o);
	return ok;
}

gboolean
offers_due(struct process_ctx *pc, GString *log, GError **err)
{
	g_autoptr(GArray) ids = offersdb_find(pc->st, 0, NULL, pc->today, err);

	if (ids == NULL)
		return FALSE;
	for (guint i = 0; i < ids->len; i++) {
		struct offer o;
		int found = offersdb_get(pc->st, g_array_index(ids, gint64, i), &o, err);
		gboolean ok = found >= 0 && (found == 0 || lapse_offer(pc, &o, 0, FALSE, NULL, err));
		if (ok && found > 0)
			g_string_append_printf(log, "offer of %s %s to application #%" G_GINT64_FORMAT
			    " lapsed (deadline %s)\n", o.course, o.block, o.app, o.expires);
		if (found > 0)
			offer_clear(&o);
		if (!ok)
			return FALSE;
	}
	return TRUE;
}

gboolean
offers_close_block(struct process_ctx *pc, const char *block, GError **err)
{
	g_autoptr(GArray) open = offersdb_find(pc->st, 0, block, NULL, err);

	if (open == NULL)
		return FALSE;
	for (guint i = 0; i < open->len; i++) {
		struct offer o;
		int found = offersdb_get(pc->st, g_array_index(open, gint64, i), &o, err);
		gboolean ok = found >= 0 && (found == 0 || end_offer(pc, &o, "closed", err) >= 0);
		if (found > 0)
			offer_clear(&o);
		if (!ok)
			return FALSE;
	}
	return TRUE;
}
