/* guide.c: dates, choices and the catalog in words for students (guide.h). */
#include "guide.h"
#include "appstatus.h"
#include "dossier.h"
#include "form.h"
#include "rules.h"
#include "seats.h"
#include "util.h"
#include "words.h"

#include <stdlib.h>
#include <string.h>

#define GUIDE_MAX_BLOCKS 36	/* rows of the blocks table */
#define GUIDE_TITLE_WIDTH 48	/* a longer title is not padded */
#define GUIDE_CODE_MAX 32	/* longest code compared by edit distance */
#define GUIDE_MAX_EXCEPTIONS 20	/* lines of seats.csv's changes under the catalog */

static gboolean
parse_iso(const char *s, GDate *d)
{
	g_date_clear(d, 1);
	if (s == NULL)
		return FALSE;
	g_date_set_parse(d, s);
	return g_date_valid(d);
}

static gboolean
rolling(const Rules *r)
{
	return g_strcmp0(rules_setting(r, "scheduling"), "rolling") == 0;
}

gboolean
guide_block_dates(const Rules *r, const char *block, GDate *lottery, GDate *due)
{
	const char *lead = rules_setting(r, "lead_days");
	int days = lead != NULL && *lead ? atoi(lead) : 45;
	GDate start;

	if (rolling(r) || !parse_iso(rules_block_start(r, block), &start))
		return FALSE;
	if (days > 0)
		g_date_subtract_days(&start, days);
	if (lottery != NULL)
		*lottery = start;
	if (due != NULL)
		(void)guide_block_due(r, block, due);
	return TRUE;
}

gboolean
guide_block_due(const Rules *r, const char *block, GDate *due)
{
	const char *set = rules_setting(r, "documents_due_days");
	int days = set != NULL && *set ? atoi(set) : 60;

	if (!parse_iso(rules_block_start(r, block), due))
		return FALSE;
	if (days > 0)
		g_date_subtract_days(due, days);
	return TRUE;
}

gboolean
guide_too_late(const Rules *r, const char *block, const char *day)
{
	GDate when, due;

	return parse_iso(day, &when) && guide_block_due(r, block, &due) &&
	    g_date_compare(&when, &due) > 0;
}

/* "2027-03", "2027-03 and 2027-04", "2027-01, 2027-03 and 2027-04" */
static char *
and_list(GPtrArray *items)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < items->len; i++) {
		if (i > 0)
			g_string_append(s, i + 1 == items->len ? " and " : ", ");
		g_string_append(s, g_ptr_array_index(items, i));
	}
	return g_string_free(s, FALSE);
}

/* "block 2027-01 (2 November 2026)", with its documents due date. */
static char *
block_due_words(const Rules *r, const char *block)
{
	GDate due;
	g_autofree char *when = NULL;

	if (!guide_block_due(r, block, &due))
		return g_strdup(block);
	when = words_gdate(&due);
	return g_strdup_printf("%s (%s)", block, when);
}

static GPtrArray *open_blocks(const Rules *r, GArray *choices, const GDate *today);

char *
guide_deadlines(const Rules *r, GArray *choices, const char *complete_on, const char *today,
    gboolean seated)
{
	g_autoptr(GPtrArray) blocks = NULL, late = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) ok = g_ptr_array_new();
	g_autoptr(GPtrArray) all = NULL;
	g_autofree char *late_words = NULL, *ok_words = NULL;
	GString *out;
	GDate now;

	if (r == NULL || choices == NULL || !parse_iso(today, &now))
		return g_strdup("");
	blocks = open_blocks(r, choices, &now);
	for (guint i = 0; i < blocks->len; i++) {
		const char *b = g_ptr_array_index(blocks, i);
		if (guide_too_late(r, b, complete_on != NULL ? complete_on : today))
			g_ptr_array_add(late, block_due_words(r, b));
		else
			g_ptr_array_add(ok, (gpointer)b);
	}
	if (late->len == 0)
		return g_strdup("");
	late_words = and_list(late);
	out = g_string_new(NULL);
	if (complete_on != NULL)
		g_string_append_printf(out, "Your documents arrived after the deadline for %s %s, so we"
		    " cannot place you in %s.", late->len == 1 ? "block" : "blocks", late_words,
		    late->len == 1 ? "that block" : "those blocks");
	else
		g_string_append_printf(out, "The deadline for documents has passed for %s %s, so we"
		    " cannot place you in %s, even if you send the missing documents now.",
		    late->len == 1 ? "block" : "blocks", late_words,
		    late->len == 1 ? "that block" : "those blocks");
	if (seated) {
		/* Placed in another block: that is said with the seat. */
		g_string_append_c(out, '\n');
		return g_string_free(out, FALSE);
	}
	if (ok->len > 0) {
		ok_words = and_list(ok);
		g_string_append_printf(out, " You can still get a seat in %s%s.\n", ok_words,
		    complete_on != NULL ? "" : " if your application is complete in time");
		return g_string_free(out, FALSE);
	}
	g_string_append(out, " You cannot get a seat in any of the blocks you chose.");
	/* The first block whose deadline has not passed: what they can do. */
	all = rules_blocks(r);
	for (guint i = 0; i < all->len; i++) {
		const char *b = g_ptr_array_index(all, i);
		GDate start, due;
		if (!parse_iso(rules_block_start(r, b), &start) || g_date_compare(&start, &now) <= 0 ||
		    guide_too_late(r, b, today) || !guide_block_due(r, b, &due))
			continue;
		g_autofree char *span = rules_block_words(r, b);
		g_autofree char *by = words_gdate(&due);
		g_string_append_printf(out, " If you want a place in a later block, send the"
		    " application form again with new choices. The first block you can still choose"
		    " is %s.", span);
		if (complete_on == NULL)
			g_string_append_printf(out, " For it, your application must be complete by %s.",
			    by);
		g_string_append_c(out, '\n');
		return g_string_free(out, FALSE);
	}
	g_string_append(out, " There is no later block you can still choose at the moment.\n");
	return g_string_free(out, FALSE);
}

/* "Block 2027-03 (1-26 March 2027)" */
static char *
block_label(const Rules *r, const char *block)
{
	g_autofree char *words = rules_block_words(r, block);
	return g_strdup_printf("Block %s", words);
}

/* The blocks of choices, each once, in the student's order, known and not started. */
static GPtrArray *
open_blocks(const Rules *r, GArray *choices, const GDate *today)
{
	GPtrArray *out = g_ptr_array_new();

	for (guint i = 0; choices != NULL && i < choices->len; i++) {
		const struct form_choice *c = &g_array_index(choices, struct form_choice, i);
		GDate start;
		if (!parse_iso(rules_block_start(r, c->block), &start) ||
		    g_date_compare(&start, today) <= 0)
			continue;
		if (!g_ptr_array_find_with_equal_func(out, c->block, g_str_equal, NULL))
			g_ptr_array_add(out, (gpointer)c->block);
	}
	return out;
}

/* One block's line for an incomplete or complete application. */
static gboolean
block_line(struct process_ctx *pc, const char *block, gboolean complete, const GDate *today,
    GString *out, GError **err)
{
	const Rules *r = pc->cfg->rules;
	g_autofree char *label = block_label(r, block);
	g_autofree char *starts = words_date(rules_block_start(r, block));
	g_autofree char *lday = NULL, *dday = NULL;
	GDate lottery, due;
	int drawn;

	if (!guide_block_dates(r, block, &lottery, &due)) {
		/* rolling */
		if (complete)
			g_string_append_printf(out, "  - %s: there is no lottery. You get a free seat if"
			    " there is one, or a place on the waitlist until the block starts on %s.\n",
			    label, starts);
		else {
			g_autofree char *by = guide_block_due(r, block, &due) ? words_gdate(&due) :
			    g_strdup(starts);
			g_string_append_printf(out, "  - %s: send the missing documents by %s. There is"
			    " no lottery: when your application is complete, you get a free seat at once"
			    " if there is one, or a place on the waitlist until the block starts on %s.\n",
			    label, by, starts);
		}
		return TRUE;
	}
	if ((drawn = lottery_drawn(pc->st, block, NULL, NULL, err)) < 0)
		return FALSE;
	lday = words_gdate(&lottery);
	dday = words_gdate(&due);
	if (!drawn && g_date_compare(&lottery, today) > 0) {
		if (complete)
			g_string_append_printf(out, "  - %s: the lottery is on %s. We will write to you"
			    " with the result. If there is no seat for you, you stay on the waitlist"
			    " until the block starts on %s.\n", label, lday, starts);
		else
			g_string_append_printf(out, "  - %s: send the missing documents by %s. The"
			    " lottery is on %s. If there is no seat for you, you stay on the waitlist"
			    " until the block starts on %s.\n", label, dday, lday, starts);
	} else if (!drawn && g_date_compare(&lottery, today) == 0)
		g_string_append_printf(out, "  - %s: the lottery is today, %s.%s After the lottery, %s"
		    " a free seat if one is left, or a place on the waitlist, until the block starts"
		    " on %s.\n", label, lday, complete ? "" : " Please send the missing documents at once.",
		    complete ? "you can still get" : "a complete application can still get", starts);
	else {
		/* Drawn, or its day has passed (drawn early by staff: no date to give). */
		g_autofree char *when = g_date_compare(&lottery, today) < 0 ?
		    g_strdup_printf("was on %s", lday) : g_strdup("has already been drawn");
		g_string_append_printf(out, "  - %s: the lottery %s. %s a free seat if one is left,"
		    " or a place on the waitlist, until the block starts on %s.\n", label, when,
		    complete ? "You can still get" : "If you complete your application, you can still get",
		    starts);
	}
	return TRUE;
}

char *
guide_dates(struct process_ctx *pc, gint64 app_id, GArray *choices, const char *status,
    GError **err)
{
	const Rules *r = pc->cfg->rules;
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(GPtrArray) blocks = NULL;
	gboolean complete = app_status_is(status, APP_COMPLETE);
	g_autofree char *complete_on = NULL, *late = NULL;
	GDate today;

	if (r == NULL || !parse_iso(pc->today, &today))
		return g_strdup("");
	/* Blocks whose documents deadline passed before the application was
	 * complete (or, while it is not, before today): said apart, and no
	 * dates for them. */
	if (app_status_is(status, APP_INCOMPLETE))
		late = guide_deadlines(r, choices, NULL, pc->today, FALSE);
	else if (complete || app_status_is(status, APP_WAITLISTED) ||
	    app_status_is(status, APP_SCHEDULED)) {
		if (!dossier_complete_on(pc->st, app_id, &complete_on, err))
			return NULL;
		late = complete_on != NULL ? guide_deadlines(r, choices, complete_on, pc->today,
		    app_status_is(status, APP_SCHEDULED)) : g_strdup("");
	} else
		late = g_strdup("");
	if (app_status_is(status, APP_SCHEDULED))
		return *late != '\0' ? g_strdup_printf("\n%s", late) : g_strdup("");
	if (app_status_is(status, APP_WAITLISTED)) {
		g_autoptr(GArray) places = waitlist_of(pc->st, app_id, err);
		g_autoptr(GPtrArray) seen = g_ptr_array_new();
		if (places == NULL)
			return NULL;
		for (guint i = 0; i < places->len; i++) {
			const struct waitlist_place *w = &g_array_index(places, struct waitlist_place, i);
			if (g_ptr_array_find_with_equal_func(seen, w->block, g_str_equal, NULL))
				continue;
			g_ptr_array_add(seen, w->block);
			g_autofree char *label = block_label(r, w->block);
			g_autofree char *starts = words_date(rules_block_start(r, w->block));
			g_string_append_printf(out, "  - %s: you stay on the waitlist until the block"
			    " starts on %s.\n", label, starts);
		}
		if (*late != '\0')
			g_string_append_printf(out, "\n%s", late);
		return g_string_free(g_steal_pointer(&out), FALSE);
	}
	if (!complete && !app_status_is(status, APP_INCOMPLETE))
		return g_strdup("");
	blocks = open_blocks(r, choices, &today);
	for (guint i = blocks->len; i-- > 0;)
		if (guide_too_late(r, g_ptr_array_index(blocks, i),
		    complete ? complete_on : pc->today))
			g_ptr_array_remove_index(blocks, i);
	if (*late != '\0')
		g_string_append_printf(out, "\n%s", late);
	if (blocks->len == 0)
		return g_string_free(g_steal_pointer(&out), FALSE);
	g_string_append_c(out, '\n');
	if (rolling(r))
		g_string_append(out, "Places are given in the order applications become complete,"
		    " while seats last.\n");
	else if (complete)
		g_string_append(out, "Places are given by a random lottery among complete"
		    " applications, not in the order they arrive.\n");
	g_string_append(out, *late != '\0' ? "What happens next, for the other blocks you chose:\n" :
	    "What happens next, for each block you chose:\n");
	for (guint i = 0; i < blocks->len; i++)
		if (!block_line(pc, g_ptr_array_index(blocks, i), complete, &today, out, err))
			return NULL;
	return g_string_free(g_steal_pointer(&out), FALSE);
}

/* ---- choices ---- */

static char *catalog_text(const Rules *r, const char *today, GArray *choices);

/* Edit distance with adjacent swaps (optimal string alignment), ASCII case
 * folded; G_MAXUINT for strings longer than GUIDE_CODE_MAX. */
static guint
distance(const char *a, const char *b)
{
	gsize n = strlen(a), m = strlen(b);
	guint d[GUIDE_CODE_MAX + 1][GUIDE_CODE_MAX + 1];

	if (n > GUIDE_CODE_MAX || m > GUIDE_CODE_MAX)
		return G_MAXUINT;
	for (gsize i = 0; i <= n; i++)
		d[i][0] = i;
	for (gsize j = 0; j <= m; j++)
		d[0][j] = j;
	for (gsize i = 1; i <= n; i++)
		for (gsize j = 1; j <= m; j++) {
			guint cost = g_ascii_toupper(a[i - 1]) != g_ascii_toupper(b[j - 1]);
			guint v = MIN(d[i - 1][j] + 1, d[i][j - 1] + 1);
			v = MIN(v, d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && g_ascii_toupper(a[i - 1]) == g_ascii_toupper(b[j - 2]) &&
			    g_ascii_toupper(a[i - 2]) == g_ascii_toupper(b[j - 1]))
				v = MIN(v, d[i - 2][j - 2] + 1);
			d[i][j] = v;
		}
	return d[n][m];
}

/* "A", "A or B", "A, B or C" */
static char *
or_list(GPtrArray *items)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < items->len; i++) {
		if (i > 0)
			g_string_append(s, i + 1 == items->len ? " or " : ", ");
		g_string_append(s, g_ptr_array_index(items, i));
	}
	return g_string_free(s, FALSE);
}

char *
guide_nearest_courses(const Rules *r, const char *code, guint n)
{
	g_autoptr(GPtrArray) all = rules_courses(r);
	g_autoptr(GPtrArray) near = g_ptr_array_new();
	g_autofree char *prefix = NULL;
	guint best = 3;	/* at most 2 edits away */
	gsize letters = 0;

	for (guint i = 0; i < all->len; i++)
		best = MIN(best, distance(code, ((const struct course_info *)all->pdata[i])->code));
	for (guint i = 0; best < 3 && i < all->len && near->len < n; i++) {
		const struct course_info *c = all->pdata[i];
		if (distance(code, c->code) == best)
			g_ptr_array_add(near, (gpointer)c->code);
	}
	/* Nothing near: the courses of the same department prefix ("MED"). */
	while (g_ascii_isalpha(code[letters]))
		letters++;
	if (near->len == 0 && letters >= 2) {
		prefix = g_ascii_strup(code, letters);
		for (guint i = 0; i < all->len && near->len < n; i++) {
			const struct course_info *c = all->pdata[i];
			if (g_str_has_prefix(c->code, prefix) && !g_ascii_isalpha(c->code[letters]))
				g_ptr_array_add(near, (gpointer)c->code);
		}
	}
	return near->len > 0 ? or_list(near) : NULL;
}

char *
guide_choices(const Rules *r, GArray *choices, const char *today)
{
	g_autoptr(GString) out = g_string_new(NULL);
	g_autofree char *catalog = NULL;
	GDate now, start;

	if (r == NULL || choices == NULL || !parse_iso(today, &now))
		return g_strdup("");
	for (guint i = 0; i < choices->len; i++) {
		const struct form_choice *c = &g_array_index(choices, struct form_choice, i);
		gboolean course = rules_course_exists(r, c->course);
		const char *s = rules_block_start(r, c->block);
		gboolean started = s != NULL && parse_iso(s, &start) && g_date_compare(&start, &now) <= 0;
		gboolean closed = rules_closed(r, c->course, c->block);
		if (course && s != NULL && !started && !closed)
			continue;
		g_string_append_printf(out, "  - Choice %d (%s %s):", c->rank, c->course, c->block);
		if (!course) {
			g_autofree char *near = guide_nearest_courses(r, c->course, 3);
			g_string_append_printf(out, " %s is not a course we offer.", c->course);
			if (near != NULL)
				g_string_append_printf(out, " Did you mean %s?", near);
		}
		if (s == NULL)
			g_string_append_printf(out, " %s is not one of our blocks.", c->block);
		else if (started) {
			g_autofree char *when = words_date(s);
			g_string_append_printf(out, " Block %s started on %s, so we cannot place you"
			    " in it.", c->block, when);
		} else if (closed)
			g_string_append_printf(out, " %s is closed in block %s: it has no seats in that"
			    " block, so we cannot place you in it.", rules_course(r, c->course)->code,
			    c->block);
		g_string_append_c(out, '\n');
	}
	if (out->len == 0)
		return g_strdup("");
	g_string_prepend(out, "What is wrong with your choices:\n");
	catalog = catalog_text(r, today, choices);
	g_string_append_printf(out, "Please send your application form again with the choices"
	    " corrected, from the courses and blocks below.\n\n%s", catalog);
	return g_string_free(g_steal_pointer(&out), FALSE);
}

char *
guide_prerequisites(const Rules *r, GArray *choices, const char *completed)
{
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(GPtrArray) said = g_ptr_array_new();

	if (r == NULL || choices == NULL)
		return g_strdup("");
	for (guint i = 0; i < choices->len; i++) {
		const struct course_info *c = rules_course(r,
		    g_array_index(choices, struct form_choice, i).course);
		g_autoptr(GPtrArray) missing = NULL;
		g_auto(GStrv) need = NULL;
		g_autoptr(GPtrArray) all = g_ptr_array_new();
		g_autofree char *need_words = NULL, *missing_words = NULL;

		if (c == NULL || g_ptr_array_find(said, c, NULL))
			continue;
		g_ptr_array_add(said, (gpointer)c);
		missing = rules_prerequisites_missing(r, c->code, completed);
		if (missing->len == 0)
			continue;
		need = g_strsplit(c->prerequisites, ";", 32);
		for (int j = 0; need[j] != NULL; j++)
			if (*g_strstrip(need[j]) != '\0')
				g_ptr_array_add(all, need[j]);
		need_words = and_list(all);
		missing_words = and_list(missing);
		g_string_append_printf(out, "  - %s (%s) needs %s in %s. Your form does not list %s in"
		    " \"Core clerkships completed\", so we cannot place you in %s. If you have finished"
		    " %s, send the form again with %s listed.\n", c->code, c->title,
		    all->len == 1 ? "a finished clerkship" : "finished clerkships", need_words,
		    missing_words, c->code, missing->len == 1 ? "it" : "them",
		    missing->len == 1 ? "it" : "them");
	}
	if (out->len == 0)
		return g_strdup("");
	g_string_prepend(out, "Choices we cannot place you in:\n");
	return g_string_free(g_steal_pointer(&out), FALSE);
}

/* ---- tables ---- */

static void
cell(GString *out, const char *text, gsize width)
{
	glong n = g_utf8_validate(text, -1, NULL) ? g_utf8_strlen(text, -1) : (glong)strlen(text);

	g_string_append(out, text);
	for (glong i = n; i < (glong)width; i++)
		g_string_append_c(out, ' ');
}

/* Leading letters of a course code, upper case ("MED"). */
static char *
code_prefix(const char *code)
{
	gsize n = 0;

	while (g_ascii_isalpha(code[n]))
		n++;
	return g_ascii_strup(code, n);
}

/* A course shown to one whose choices are these (NULL: every course): in a
 * long catalog, those with the letters of a code they chose. */
static gboolean
shown_for(const struct course_info *c, GArray *choices)
{
	g_autofree char *mine = NULL;

	if (choices == NULL)
		return TRUE;
	mine = code_prefix(c->code);
	for (guint i = 0; i < choices->len; i++) {
		g_autofree char *theirs = code_prefix(g_array_index(choices, struct form_choice, i).course);
		if (*theirs != '\0' && strcmp(mine, theirs) == 0)
			return TRUE;
	}
	return FALSE;
}

/* The course table (all, or for a long catalog with choices those near
 * them; a long one without choices: the attachment named), then the open
 * blocks. */
/* The courses whose seats in a block not yet started differ from the table's
 * (rules/seats.csv): "NEU-301 is closed in block 2027-04.", at most
 * GUIDE_MAX_EXCEPTIONS lines. */
static void
seats_exceptions(const Rules *r, GPtrArray *courses, const GDate *now, GString *out)
{
	g_autoptr(GPtrArray) blocks = rules_blocks(r);
	guint n = 0;
	GDate start;

	for (guint i = 0; i < courses->len; i++) {
		const struct course_info *c = courses->pdata[i];
		for (guint j = 0; j < blocks->len; j++) {
			const char *b = blocks->pdata[j];
			int seats = rules_seats(r, c->code, b);
			if (seats == c->seats || !parse_iso(rules_block_start(r, b), &start) ||
			    g_date_compare(&start, now) <= 0)
				continue;
			if (n++ == 0)
				g_string_append(out, "Except:\n");
			if (n > GUIDE_MAX_EXCEPTIONS)
				continue;
			if (seats == 0)
				g_string_append_printf(out, "  %s is closed in block %s (no seats).\n",
				    c->code, b);
			else
				g_string_append_printf(out, "  %s has %d seat%s in block %s.\n", c->code,
				    seats, seats == 1 ? "" : "s", b);
		}
	}
	if (n > GUIDE_MAX_EXCEPTIONS)
		g_string_append_printf(out, "  (and %u more)\n", n - GUIDE_MAX_EXCEPTIONS);
}

static char *
catalog_text(const Rules *r, const char *today, GArray *choices)
{
	g_autoptr(GPtrArray) all = rules_courses(r);
	g_autoptr(GPtrArray) courses = g_ptr_array_new();
	g_autoptr(GPtrArray) blocks = rules_blocks(r);
	GString *out = g_string_new(NULL);
	gsize wcode = 4, wtitle = 5, whosp = 8;
	guint shown = 0;
	GDate now, start;

	if (!parse_iso(today, &now))
		g_date_set_dmy(&now, 1, 1, 1);
	for (guint i = 0; i < all->len; i++)
		if (all->len <= GUIDE_TABLE_MAX || shown_for(all->pdata[i], choices))
			g_ptr_array_add(courses, all->pdata[i]);
	if (courses->len > GUIDE_TABLE_MAX)
		g_ptr_array_set_size(courses, GUIDE_TABLE_MAX);
	if (all->len > GUIDE_TABLE_MAX && choices == NULL)
		g_string_append_printf(out, "Our %u courses (code, title, hospital, and seats in each"
		    " block) are in the attached file courses.csv.\n", all->len);
	else {
		for (guint i = 0; i < courses->len; i++) {
			const struct course_info *c = courses->pdata[i];
			wcode = MAX(wcode, strlen(c->code));
			if (g_utf8_validate(c->title, -1, NULL))
				wtitle = MAX(wtitle, MIN((gsize)g_utf8_strlen(c->title, -1), GUIDE_TITLE_WIDTH));
			if (g_utf8_validate(c->hospital, -1, NULL))
				whosp = MAX(whosp, MIN((gsize)g_utf8_strlen(c->hospital, -1), GUIDE_TITLE_WIDTH));
		}
		if (courses->len < all->len)
			g_string_append_printf(out, "We offer %u courses. These are the ones whose code"
			    " starts like yours (seats: places in each block):\n  ", all->len);
		else
			g_string_append(out, "Our courses (seats: places in each block):\n  ");
		cell(out, "Code", wcode + 2);
		cell(out, "Title", wtitle + 2);
		cell(out, "Hospital", whosp + 2);
		g_string_append(out, "Seats\n");
		for (guint i = 0; i < courses->len; i++) {
			const struct course_info *c = courses->pdata[i];
			g_string_append(out, "  ");
			cell(out, c->code, wcode + 2);
			cell(out, c->title, wtitle + 2);
			cell(out, c->hospital, whosp + 2);
			g_string_append_printf(out, "%d\n", c->seats);
		}
		seats_exceptions(r, courses, &now, out);
	}
	g_string_append(out, "\nBlocks you can still choose:\n");
	for (guint i = 0; i < blocks->len; i++) {
		const char *b = blocks->pdata[i];
		if (!parse_iso(rules_block_start(r, b), &start) || g_date_compare(&start, &now) <= 0)
			continue;
		if (shown++ >= GUIDE_MAX_BLOCKS)
			continue;
		g_autofree char *span = words_date_range(rules_block_start(r, b), rules_block_end(r, b));
		g_string_append_printf(out, "  %s  %s\n", b, span);
	}
	if (shown == 0)
		g_string_append(out, "  (none at the moment)\n");
	else if (shown > GUIDE_MAX_BLOCKS)
		g_string_append_printf(out, "  (and %u more blocks)\n", shown - GUIDE_MAX_BLOCKS);
	return g_string_free(out, FALSE);
}

char *
guide_catalog(const Rules *r, const char *today)
{
	return catalog_text(r, today, NULL);
}

GBytes *
guide_courses_csv(const Rules *r)
{
	g_autoptr(GPtrArray) all = rules_courses(r);
	GString *out;

	if (all->len <= GUIDE_TABLE_MAX)
		return NULL;
	out = g_string_new("code,title,hospital,seats\r\n");
	for (guint i = 0; i < all->len; i++) {
		const struct course_info *c = all->pdata[i];
		g_autofree char *seats = g_strdup_printf("%d", c->seats);
		util_csv_field(out, c->code, FALSE);
		util_csv_field(out, c->title, FALSE);
		util_csv_field(out, c->hospital, FALSE);
		util_csv_field(out, seats, TRUE);
	}
	return g_string_free_to_bytes(out);
}
