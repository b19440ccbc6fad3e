/* placement.c: who gets a seat, and when (placement.h): the lottery drawn
 * and recorded, rolling placement, cancels and changes (a freed seat is
 * passed on to offers.c, which offers it to the first waiting), and blocks
 * closed when they start. The logic only: the rows of seats, waitlists and
 * lotteries are seats.c's, and no SQL is written here. */
#include "placement.h"
#include "appstatus.h"
#include "dossier.h"
#include "form.h"
#include "effects.h"
#include "guide.h"
#include "lotterymail.h"
#include "offers.h"
#include "offersdb.h"
#include "rules.h"
#include "schedule.h"
#include "seats.h"
#include "standing.h"
#include "util.h"
#include "words.h"

#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

int
placement_free_seats(struct process_ctx *pc, const char *course, const char *block, GError **err)
{
	return offers_free_seats(pc, course, block, err);
}


/* ---- telling students ---- */

static gint
by_block(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(((const struct seat *)a)->block, ((const struct seat *)b)->block);
}

/* What an application holds in a block, in words ("a seat in MED-401", "a
 * place on the waitlist of SUR-512"), or "" if only its choices; NULL on error. */
char *
placement_held_in(struct process_ctx *pc, gint64 app_id, const char *block, GError **err)
{
	g_autoptr(GArray) seats = seats_of(pc->st, app_id, block, err);
	g_autoptr(GArray) places = NULL;
	GString *out;

	if (seats == NULL || (places = waitlist_of(pc->st, app_id, err)) == NULL)
		return NULL;
	out = g_string_new(NULL);
	for (guint i = 0; i < seats->len; i++)
		g_string_append_printf(out, "%sa seat in %s", out->len ? " and " : "",
		    g_array_index(seats, struct seat, i).course);
	for (guint i = 0; i < places->len; i++) {
		const struct waitlist_place *w = &g_array_index(places, struct waitlist_place, i);
		if (strcmp(w->block, block) == 0)
			g_string_append_printf(out, "%sa place on the waitlist of %s", out->len ? " and " :
			    "", w->course);
	}
	return g_string_free(out, FALSE);
}

char *
placement_describe(struct process_ctx *pc, gint64 app_id, GError **err)
{
	g_autoptr(GArray) seats = seats_of(pc->st, app_id, NULL, err);
	g_autoptr(GArray) places = NULL, offers = NULL;
	GString *out;

	if (seats == NULL || (places = waitlist_of(pc->st, app_id, err)) == NULL ||
	    (offers = offersdb_of(pc->st, app_id, err)) == NULL)
		return NULL;
	g_array_sort(seats, by_block);	/* stable: in the order taken within a block */
	out = g_string_new(NULL);
	for (guint i = 0; i < seats->len; i++) {
		const struct seat *x = &g_array_index(seats, struct seat, i);
		const struct course_info *c = rules_course(pc->cfg->rules, x->course);
		g_autofree char *span = words_date_range(rules_block_start(pc->cfg->rules, x->block),
		    rules_block_end(pc->cfg->rules, x->block));
		g_string_append_printf(out, "  - %s %s, %s (%s), block %s: %s\n", x->course,
		    c ? c->title : "", c ? c->hospital : "", c ? c->department : "", x->block, span);
	}
	/* Positions now: among those still waiting, in draw order. */
	for (guint i = 0; i < places->len; i++) {
		const struct waitlist_place *w = &g_array_index(places, struct waitlist_place, i);
		g_string_append_printf(out, "  - waitlisted for %s in block %s: position %d\n",
		    w->course, w->block, w->position);
	}
	for (guint i = 0; i < offers->len; i++) {
		const struct offer *o = &g_array_index(offers, struct offer, i);
		g_autofree char *by = words_date(o->expires);
		/* Not the token: a reply that quotes this text must not accept the seat. */
		g_string_append_printf(out, "  - a seat in %s in block %s is offered to you: please "
		    "answer our offer mail by %s\n", o->course, o->block, by);
	}
	return g_string_free(out, FALSE);
}

/* ---- the lottery ---- */

struct part {
	gint64 id;
	char *reference;
	gboolean priority, full;
	GArray *courses;	/* char[SCHEDULE_CODE] */
};

static void
part_clear(gpointer p)
{
	struct part *x = p;

	g_free(x->reference);
	g_array_unref(x->courses);
}

/* Are seats still held for home students (more than home_hold_days before
 * the block, with home_school and home_seats set)? */
static gboolean
hold_active(struct process_ctx *pc, const char *block)
{
	const Rules *r = pc->cfg->rules;
	const char *hold = rules_setting(r, "home_hold_days"), *seats = rules_setting(r, "home_seats");
	const char *home = rules_setting(r, "home_school");
	GDate today, start;

	if (home == NULL || *home == '\0' || seats == NULL || atoi(seats) <= 0)
		return FALSE;
	g_date_clear(&today, 1);
	g_date_clear(&start, 1);
	g_date_set_parse(&today, pc->today);
	g_date_set_parse(&start, rules_block_start(r, block));
	return g_date_valid(&today) && g_date_valid(&start) &&
	    g_date_days_between(&today, &start) > (hold ? atoi(hold) : 90);
}

/* Held seats of a course in a block not yet taken by home students; -1 on error. */
static int
home_seats_left(struct process_ctx *pc, const char *course, const char *block, GError **err)
{
	const Rules *r = pc->cfg->rules;
	int held = atoi(rules_setting(r, "home_seats") ?: "0"), home = 0;
	g_autoptr(GPtrArray) schools = seats_schools(pc->st, course, block, err);

	if (schools == NULL)
		return -1;
	for (guint i = 0; i < schools->len; i++)
		home += rules_is_home_school(r, g_ptr_array_index(schools, i));
	return MAX(held - home, 0);
}

/* Complete applications that chose the block and hold no seat in it, and
 * were complete by its documents deadline (documents_due_days). */
static GArray *
participants(struct process_ctx *pc, const char *block, GError **err)
{
	const Rules *r = pc->cfg->rules;
	const char *start = rules_block_start(r, block);
	const char *hold = rules_setting(r, "home_hold_days");
	const char *maxb = rules_setting(r, "max_blocks");
	g_autoptr(GArray) entries = lottery_entries(pc->st, block, err);
	GArray *parts;
	GDate today, first;
	gboolean held = FALSE;

	if (entries == NULL)
		return NULL;
	parts = g_array_new(FALSE, TRUE, sizeof(struct part));
	g_array_set_clear_func(parts, part_clear);
	g_date_clear(&today, 1);
	g_date_clear(&first, 1);
	g_date_set_parse(&today, pc->today);
	g_date_set_parse(&first, start);
	if (g_date_valid(&today) && g_date_valid(&first))
		held = g_date_days_between(&today, &first) > (hold ? atoi(hold) : 90);
	for (guint i = 0; i < entries->len; i++) {
		const struct lottery_entry *e = &g_array_index(entries, struct lottery_entry, i);
		struct part *p = parts->len ? &g_array_index(parts, struct part, parts->len - 1) : NULL;
		char c[SCHEDULE_CODE] = "";
		if (guide_too_late(r, block, e->complete_on))
			continue;	/* complete after the deadline: not in this draw */
		if (p == NULL || p->id != e->app) {
			struct part np = { 0 };
			np.id = e->app;
			np.reference = g_strdup(e->reference);
			np.priority = held && rules_is_home_school(r, e->school);
			np.full = e->blocks >= (maxb ? atoi(maxb) : 3);
			np.courses = g_array_new(FALSE, TRUE, SCHEDULE_CODE);
			g_array_append_val(parts, np);
			p = &g_array_index(parts, struct part, parts->len - 1);
		}
		/* A course closed in this block (seats.csv: 0) is neither drawn nor waitlisted. */
		if (!rules_prerequisites_met(r, e->course, e->core) || rules_seats(r, e->course, block) == 0)
			continue;
		g_strlcpy(c, rules_course(r, e->course)->code, sizeof c);
		g_array_append_vals(p->courses, c, 1);
	}
	return parts;
}

static const char *
ref_of(GArray *parts, gint64 id)
{
	for (guint i = 0; i < parts->len; i++)
		if (g_array_index(parts, struct part, i).id == id)
			return g_array_index(parts, struct part, i).reference;
	return "?";
}

static void
describe_draw(GString *report, const char *block, guint64 seed, GArray *parts,
    const struct sched_result *res)
{
	g_string_append_printf(report, "block %s: lottery, seed %" G_GUINT64_FORMAT ", %u applicant%s\n",
	    block, seed, parts->len, parts->len == 1 ? "" : "s");
	g_string_append(report, "draw order:\n");
	for (guint i = 0; i < res->order->len; i++)
		g_string_append_printf(report, "  %u. %s\n", i + 1,
		    ref_of(parts, g_array_index(res->order, gint64, i)));
	g_string_append(report, "seated:\n");
	for (guint i = 0; i < res->seated->len; i++) {
		const struct sched_seat *s = &g_array_index(res->seated, struct sched_seat, i);
		g_string_append_printf(report, "  %s %s\n", ref_of(parts, s->app), s->course);
	}
	g_string_append(report, "waitlisted:\n");
	for (guint i = 0; i < res->waitlist->len; i++) {
		const struct sched_seat *s = &g_array_index(res->waitlist, struct sched_seat, i);
		g_string_append_printf(report, "  %s %d. %s\n", s->course, s->position,
		    ref_of(parts, s->app));
	}
}

static char *
draw_json(GArray *parts, const struct sched_result *res)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_array(b);
	for (guint i = 0; i < res->order->len; i++)
		json_builder_add_string_value(b, ref_of(parts, g_array_index(res->order, gint64, i)));
	json_builder_end_array(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	return json_generator_to_data(gen, NULL);
}

/* Record the draw: seats, waitlists, statuses, and one mail to each; then
 * staff and coordinators told (lotterymail.c), once with the draw. */
static gboolean
record_draw(struct process_ctx *pc, const char *block, guint64 seed, GArray *parts,
    const struct sched_result *res, GString *report, GError **err)
{
	g_autofree char *draw = draw_json(parts, res);
	g_autofree char *cause = g_strdup_printf("lottery %s, seed %" G_GUINT64_FORMAT, block, seed);

	if (!lottery_record(pc->st, block, (gint64)seed, "lottery", draw, err))
		return FALSE;
	for (guint i = 0; i < res->seated->len; i++) {
		const struct sched_seat *st = &g_array_index(res->seated, struct sched_seat, i);
		if (seats_take(pc->st, st->app, st->course, block, "lottery", err) == 0)
			return FALSE;
	}
	for (guint i = 0; i < res->waitlist->len; i++) {
		const struct sched_seat *w = &g_array_index(res->waitlist, struct sched_seat, i);
		if (!waitlist_add(pc->st, w->app, w->course, block, w->position, err))
			return FALSE;
	}
	for (guint i = 0; i < res->order->len; i++) {
		gint64 id = g_array_index(res->order, gint64, i);
		g_autofree char *msgseed = NULL, *what = NULL;
		if (!standing_update(pc, id, 0, cause, NULL, err))
			return FALSE;
		msgseed = g_strdup_printf("lottery.%s.%" G_GINT64_FORMAT, block, id);
		what = g_strdup_printf("the lottery for block %s has been drawn.", block);
		effect_placement(pc, 0, id, msgseed, NULL, what);	/* subject: the outcome */
	}
	g_message("lottery %s drawn with seed %" G_GUINT64_FORMAT ": %u applicants, %u seated, "
	    "%u waitlist places", block, seed, res->order->len, res->seated->len, res->waitlist->len);
	return lotterymail_drawn(pc, block, seed, res, report, err);
}

gboolean
placement_lottery(struct process_ctx *pc, const char *block, gboolean seeded, guint64 seed,
    gboolean dry_run, GString *report, GError **err)
{
	const Rules *r = pc->cfg->rules;
	g_autoptr(GArray) parts = NULL;
	g_autoptr(GHashTable) seats = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GHashTable) held = NULL;
	g_autofree struct sched_app *apps = NULL;
	struct sched_result res;
	g_autofree char *order = NULL;
	gint64 was = 0;
	int drawn;

	if (rules_block_start(r, block) == NULL) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_FINAL, "no block %s in blocks.csv", block);
		return FALSE;
	}
	if ((drawn = lottery_drawn(pc->st, block, &was, &order, err)) < 0)
		return FALSE;
	if (drawn) {
		if (!seeded || (guint64)was != seed) {
			g_set_error(err, CLERK_ERROR, CLERK_ERROR_FINAL, "block %s was drawn already, with "
			    "seed %" G_GINT64_FORMAT " (draw order %s)", block, was, order ? order : "?");
			return FALSE;
		}
		g_string_append_printf(report, "block %s: drawn already with seed %" G_GINT64_FORMAT
		    "; draw order %s\n", block, was, order ? order : "?");
		return TRUE;
	}
	if (!seeded)
		util_random_bytes(&seed, sizeof seed);
	seed &= G_MAXINT64;	/* it is stored as an SQLite integer */
	if ((parts = participants(pc, block, err)) == NULL)
		return FALSE;
	apps = g_new0(struct sched_app, parts->len + 1);
	if (hold_active(pc, block))
		held = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; i < parts->len; i++) {
		const struct part *p = &g_array_index(parts, struct part, i);
		apps[i].id = p->id;
		apps[i].priority = p->priority;
		apps[i].full = p->full;
		apps[i].ncourses = p->courses->len;
		apps[i].courses = (const char (*)[SCHEDULE_CODE])p->courses->data;
		for (guint c = 0; c < p->courses->len; c++) {
			const char *code = (const char *)p->courses->data + c * SCHEDULE_CODE;
			if (!g_hash_table_contains(seats, code)) {
				int n = placement_free_seats(pc, code, block, err);
				if (n < 0)
					return FALSE;
				g_hash_table_insert(seats, (gpointer)code, GINT_TO_POINTER(n));
				if (held != NULL) {
					int kept = home_seats_left(pc, code, block, err);
					if (kept < 0)
						return FALSE;
					g_hash_table_insert(held, (gpointer)code, GINT_TO_POINTER(kept));
				}
			}
		}
	}
	schedule_result_init(&res);
	schedule_draw(apps, parts->len, seats, held, seed, &res);
	describe_draw(report, block, seed, parts, &res);
	gboolean ok = dry_run || record_draw(pc, block, seed, parts, &res, report, err);
	schedule_result_clear(&res);
	return ok;
}

/* ---- seats freed and taken ---- */


/* Give up one seat (state: cancelled or changed) and pass it on. */
static gboolean
free_seat(struct process_ctx *pc, gint64 app_id, gint64 seat, const char *state, GError **err)
{
	g_autofree char *course = NULL, *block = NULL;
	int freed = seats_free(pc->st, seat, state, &course, &block, err);

	if (freed > 0)
		effects_seat_freed(pc, app_id, course, block);	/* a CANCEL to the student */
	return freed == 0 || (freed > 0 && offers_pass_on(pc, course, block, err));
}

gboolean
placement_cancel(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, GError **err)
{
	g_autoptr(GArray) seats = seats_of(pc->st, app_id, NULL, err);

	if (seats == NULL || !waitlist_withdraw(pc->st, app_id, err) ||
	    !dossier_set_status(pc->st, app_id, ledger_id, APP_CANCELLED, "cancelled", err) ||
	    !offers_withdraw(pc, app_id, NULL, err))
		return FALSE;
	for (guint i = 0; i < seats->len; i++)
		if (!free_seat(pc, app_id, g_array_index(seats, struct seat, i).id, "cancelled", err))
			return FALSE;
	return TRUE;
}

gboolean
placement_cancel_block(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, const char *block,
    GError **err)
{
	g_autoptr(GArray) seats = seats_of(pc->st, app_id, block, err);
	g_autofree char *cause = g_strdup_printf("block %s cancelled", block);

	if (seats == NULL || dossier_drop_block(pc->st, app_id, block, err) < 0 ||
	    !waitlist_withdraw_block(pc->st, app_id, block, err) ||
	    !offers_withdraw(pc, app_id, block, err))
		return FALSE;
	for (guint i = 0; i < seats->len; i++)
		if (!free_seat(pc, app_id, g_array_index(seats, struct seat, i).id, "cancelled", err))
			return FALSE;
	return standing_update(pc, app_id, ledger_id, cause, NULL, err);
}

gboolean
placement_change(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, const char *course,
    const char *block, gboolean *done, GString *what, GError **err)
{
	const struct course_info *c = rules_course(pc->cfg->rules, course);
	g_autoptr(Dossier) d = dossier_load(pc->st, app_id, err);
	g_autoptr(GArray) held = NULL;
	int free_now;

	*done = FALSE;
	if (d == NULL)
		return FALSE;
	held = seats_of(pc->st, app_id, block, err);
	if (held == NULL || (free_now = placement_free_seats(pc, c ? c->code : course, block, err)) < 0)
		return FALSE;
	if (c == NULL) {
		g_string_append_printf(what, "%s is not a course of our catalog.", course);
		return TRUE;
	}
	if (held->len == 0) {
		g_string_append_printf(what, "you hold no place in block %s to change.", block);
		return TRUE;
	}
	if (!rules_prerequisites_met(pc->cfg->rules, c->code,
	    g_hash_table_lookup(d->form, "core_clerkships_completed"))) {
		g_string_append_printf(what, "%s requires a completed %s clerkship.", c->code,
		    c->prerequisites);
		return TRUE;
	}
	if (free_now <= 0) {
		g_string_append_printf(what, "%s has no free seat in block %s, so your place is "
		    "unchanged.", c->code, block);
		return TRUE;
	}
	effects_seat_given(pc, app_id);
	if (seats_take(pc->st, app_id, c->code, block, "change", err) == 0 ||
	    !free_seat(pc, app_id, g_array_index(held, struct seat, 0).id, "changed", err) ||
	    !standing_update(pc, app_id, ledger_id, "course changed", NULL, err))
		return FALSE;
	g_string_append_printf(what, "your place in block %s is now in %s (%s).", block, c->code,
	    c->title);
	*done = TRUE;
	return TRUE;
}

gboolean
placement_place(struct process_ctx *pc, gint64 app_id, gint64 ledger_id, char **status,
    GError **err)
{
	const Rules *r = pc->cfg->rules;
	gboolean rolling = g_strcmp0(rules_setting(r, "scheduling"), "rolling") == 0;
	g_autoptr(Dossier) d = dossier_load(pc->st, app_id, err);
	g_autoptr(GHashTable) done = g_hash_table_new(g_str_hash, g_str_equal);
	g_autofree char *complete_on = NULL;
	gboolean placed_any = FALSE;
	AppStatus now;

	*status = NULL;
	if (d == NULL || !dossier_complete_on(pc->st, app_id, &complete_on, err))
		return FALSE;
	for (guint i = 0; i < d->choices->len; i++) {
		const struct form_choice *ch = &g_array_index(d->choices, struct form_choice, i);
		const char *start = rules_block_start(r, ch->block);
		int open, mine;
		if (start == NULL || strcmp(start, pc->today) <= 0 ||
		    g_hash_table_contains(done, ch->block))
			continue;
		if ((open = lottery_open(pc->st, ch->block, err)) < 0 ||
		    (mine = seats_placed(pc->st, app_id, ch->block, err)) < 0)
			return FALSE;
		g_hash_table_add(done, (gpointer)ch->block);
		/* Complete after the block's documents deadline: no seat in it. */
		if ((!rolling && !open) || mine || guide_too_late(r, ch->block, complete_on))
			continue;
		/* Placement is open for this block: a free seat in rank order, else the waitlists. */
		gboolean seated = FALSE;
		for (guint j = i; j < d->choices->len && !seated; j++) {
			const struct form_choice *c = &g_array_index(d->choices, struct form_choice, j);
			int n;
			if (strcmp(c->block, ch->block) != 0 || !rules_prerequisites_met(r, c->course,
			    g_hash_table_lookup(d->form, "core_clerkships_completed")))
				continue;
			if ((n = placement_free_seats(pc, c->course, c->block, err)) < 0)
				return FALSE;
			/* Seats held for home students are not for the others yet. */
			if (n > 0 && !rules_is_home_school(r, d->school) && hold_active(pc, c->block)) {
				int kept = home_seats_left(pc, rules_course(r, c->course)->code, c->block, err);
				if (kept < 0)
					return FALSE;
				n -= kept;
			}
			if (n > 0 && seats_take(pc->st, app_id, rules_course(r, c->course)->code, c->block,
			    rolling ? "rolling" : "late", err) == 0)
				return FALSE;
			if (n > 0)
				effects_seat_given(pc, app_id);	/* its files with the reply */
			seated = n > 0;
		}
		for (guint j = i; j < d->choices->len && !seated; j++) {
			const struct form_choice *c = &g_array_index(d->choices, struct form_choice, j);
			if (strcmp(c->block, ch->block) == 0 && rules_seats(r, c->course, c->block) > 0 &&
			    !waitlist_add(pc->st, app_id, rules_course(r, c->course)->code, c->block, 0, err))
				return FALSE;
		}
		placed_any = TRUE;
	}
	if (!placed_any)
		return TRUE;
	if (!standing_update(pc, app_id, ledger_id, rolling ? "placed (rolling)" : "placed after the lottery",
	    &now, err))
		return FALSE;
	*status = g_strdup(app_status_str(now));
	return TRUE;
}

/* ---- what is due ---- */

gboolean
placement_due(struct process_ctx *pc, GString *log, GError **err)
{
	const Rules *r = pc->cfg->rules;
	gboolean lottery = g_strcmp0(rules_setting(r, "scheduling"), "rolling") != 0;
	const char *lead = rules_setting(r, "lead_days");
	g_autoptr(GPtrArray) blocks = rules_blocks(r);
	GDate today;

	if (!offers_due(pc, log, err))
		return FALSE;
	g_date_clear(&today, 1);
	g_date_set_parse(&today, pc->today);
	for (guint i = 0; i < blocks->len; i++) {
		const char *b = g_ptr_array_index(blocks, i);
		GDate start;
		int days;
		g_date_clear(&start, 1);
		g_date_set_parse(&start, rules_block_start(r, b));
		if (!g_date_valid(&start) || !g_date_valid(&today))
			continue;
		days = g_date_days_between(&today, &start);
		int drawn = lottery_drawn(pc->st, b, NULL, NULL, err);
		if (drawn < 0)
			return FALSE;
		if (lottery && drawn == 0 && days > 0 && days <= (lead ? atoi(lead) : 45)) {
			if (!placement_lottery(pc, b, FALSE, 0, FALSE, log, err))
				return FALSE;
			continue;
		}
		if (days > 0)
			continue;
		/* The block has started: offers still open end, and who is only
		 * waitlisted for it is not scheduled. */
		if (!offers_close_block(pc, b, err))
			return FALSE;
		g_autoptr(GArray) waiting = waitlist_waiting(pc->st, b, err);
		if (waiting == NULL || !waitlist_close_block(pc->st, b, err) ||
		    !lottery_close(pc->st, b, err))
			return FALSE;
		for (guint j = 0; j < waiting->len; j++) {
			gint64 app = g_array_index(waiting, gint64, j);
			g_autofree char *seed = NULL, *what = NULL;
			AppStatus status;
			if (!standing_update(pc, app, 0, "block started", &status, err))
				return FALSE;
			if (status != APP_NOT_SCHEDULED)
				continue;
			seed = g_strdup_printf("not-scheduled.%s.%" G_GINT64_FORMAT, b, app);
			what = g_strdup_printf("block %s has started, and no seat became free for you.", b);
			effect_placement(pc, 0, app, seed, NULL, what);	/* "Not scheduled" */
		}
		if (waiting->len > 0)
			g_string_append_printf(log, "block %s started: %u waitlisted applicant%s closed\n", b,
			    waiting->len, waiting->len == 1 ? "" : "s");
	}
	return TRUE;
}
