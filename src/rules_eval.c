/* rules_eval.c: one application judged: its row in the in-memory table,
 * the SQL functions its conditions call, and the decision. */
#include "rules_p.h"
#include "appstatus.h"
#include "dossier.h"
#include "form.h"
#include "util.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* YYYY-MM-DD, as g_date_strftime(out, 11, "%Y-%m-%d", d) writes it, without
 * its trip through the locale (2 % of judging an application). */
static void
iso_day(const GDate *d, char out[11])
{
	if (g_date_get_year(d) > 9999)
		g_date_strftime(out, 11, "%Y-%m-%d", d);
	else
		g_snprintf(out, 11, "%d-%02d-%02d", g_date_get_year(d), g_date_get_month(d),
		    g_date_get_day(d));
}

/* ---- SQL functions: they read r->cur, the application being judged ---- */

static gboolean
counts(const Rules *r, const struct dossier_doc *doc)
{
	if (doc->pending || doc->state == DOC_REJECTED || doc->state == DOC_HELD)
		return FALSE;
	return doc->state == DOC_ACCEPTED || !rules_setting_bool(r, "require_staff_check");
}

/* Can a document of kind doc_kind stand for kind k (itself, or documents.ini
 * `covers`)? A pending one keeps k pending. */
static gboolean
stands_for(const Rules *r, const char *doc_kind, const char *k)
{
	if (doc_kind == NULL || strcmp(doc_kind, k) == 0)
		return doc_kind != NULL;
	for (guint i = 0; i < r->kinds->len; i++) {
		const struct kind *dk = g_ptr_array_index(r->kinds, i);
		if (strcmp(dk->id, doc_kind) == 0)
			return dk->covers != NULL && g_strv_contains((const char *const *)dk->covers, k);
	}
	return FALSE;
}

/* The kind named by the first argument; NULL (and the error set) if unknown. */
static const char *
kind_arg(const Rules *r, sqlite3_context *ctx, sqlite3_value **argv)
{
	const char *k = (const char *)sqlite3_value_text(argv[0]);

	if (!rules_is_kind(r, k)) {
		g_autofree char *msg = g_strdup_printf("unknown document kind '%s'", k ? k : "");
		sqlite3_result_error(ctx, msg, -1);
		return NULL;
	}
	return k;
}


static void
fn_docs(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct fnctx *fc = sqlite3_user_data(ctx);
	Rules *r = fc->r;
	enum doc_fn fn = fc->fn;
	const char *k = kind_arg(r, ctx, argv);
	int n = 0;
	GDate first, last, cut;

	(void)argc;
	if (k == NULL || r->cur == NULL)
		return;
	g_date_clear(&first, 1);
	g_date_clear(&last, 1);
	cut = r->today;
	if (fn == FN_WITHIN)
		g_date_subtract_months(&cut, CLAMP(sqlite3_value_int(argv[1]), 0, 1200));
	if (fn == FN_SINCE && !words_parse_date((const char *)sqlite3_value_text(argv[1]), &cut)) {
		sqlite3_result_null(ctx);	/* no date to count from: cannot tell */
		return;
	}
	for (guint i = 0; i < r->cur->docs->len; i++) {
		const struct dossier_doc *doc = g_ptr_array_index(r->cur->docs, i);
		GDate d;
		if (g_strcmp0(doc->kind, k) != 0)
			continue;
		if (fn == FN_PENDING) {
			n += doc->pending && doc->state != DOC_REJECTED && doc->state != DOC_HELD;
			continue;
		}
		if (!counts(r, doc))
			continue;
		if (fn == FN_POSITIVE) {
			n += doc->positive;
			continue;
		}
		gboolean dated = doc->date != NULL && words_parse_date(doc->date, &d);
		if ((fn == FN_WITHIN || fn == FN_SINCE) && (!dated || g_date_compare(&d, &cut) < 0))
			continue;
		if (fn == FN_SPAN) {
			if (!doc->dated || !dated)
				continue;
			if (!g_date_valid(&first) || g_date_compare(&d, &first) < 0)
				first = d;
			if (!g_date_valid(&last) || g_date_compare(&d, &last) > 0)
				last = d;
		}
		n++;
	}
	if (fn == FN_SPAN) {
		/* Days from the first dated result to the last; NULL with fewer than two. */
		if (n < 2)
			sqlite3_result_null(ctx);
		else
			sqlite3_result_int(ctx, g_date_days_between(&first, &last));
		return;
	}
	sqlite3_result_int(ctx, n);
}

/* last_date(k, ...): the latest date (YYYY-MM-DD: as given, else the date
 * received) of the documents of these kinds that count; NULL if none. */
static void
fn_last_date(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct fnctx *fc = sqlite3_user_data(ctx);
	Rules *r = fc->r;
	const char *last = NULL;

	if (argc < 1) {
		sqlite3_result_error(ctx, "last_date(): name a kind", -1);
		return;
	}
	for (int a = 0; a < argc; a++) {
		const char *k = kind_arg(r, ctx, argv + a);
		if (k == NULL)
			return;
		for (guint i = 0; r->cur != NULL && i < r->cur->docs->len; i++) {
			const struct dossier_doc *doc = g_ptr_array_index(r->cur->docs, i);
			GDate d;
			if (g_strcmp0(doc->kind, k) != 0 || !counts(r, doc) || doc->date == NULL ||
			    !words_parse_date(doc->date, &d) || strlen(doc->date) != 10)
				continue;
			if (last == NULL || strcmp(doc->date, last) > 0)
				last = doc->date;
		}
	}
	if (last == NULL)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_text(ctx, last, -1, SQLITE_TRANSIENT);
}

/* season_start(month): the 1st of that month (1 to 12) in the latest year
 * where it is not after today ("2026-08-01" from 2026-10-20 or 2027-03-01
 * with 8). */
static void
fn_season_start(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	Rules *r = sqlite3_user_data(ctx);
	int m = sqlite3_value_int(argv[0]), y;
	char out[11];

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL || m < 1 || m > 12) {
		sqlite3_result_error(ctx, "season_start(): the month is a number from 1 to 12", -1);
		return;
	}
	if (!g_date_valid(&r->today)) {
		sqlite3_result_null(ctx);
		return;
	}
	y = g_date_get_year(&r->today);
	if ((int)g_date_get_month(&r->today) < m)
		y--;
	g_snprintf(out, sizeof out, "%04d-%02d-01", y, m);
	sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

/* date_words('2026-03-10'): "10 March 2026"; NULL if not a date. */
static void
fn_date_words(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *iso = (const char *)sqlite3_value_text(argv[0]);
	GDate d;

	(void)argc;
	if (iso == NULL || !words_parse_date(iso, &d)) {
		sqlite3_result_null(ctx);
		return;
	}
	sqlite3_result_text(ctx, words_gdate(&d), -1, g_free);
}

static void
fn_months_until(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	Rules *r = sqlite3_user_data(ctx);
	GDate d;

	(void)argc;
	if (!words_parse_date((const char *)sqlite3_value_text(argv[0]), &d)) {
		sqlite3_result_null(ctx);
		return;
	}
	sqlite3_result_double(ctx, g_date_days_between(&r->today, &d) / 30.44);
}

/* months_before(date, n): the day n calendar months before date (YYYY-MM-DD;
 * a day that the month lacks is its last: 31 August - 6 months is 28
 * February); NULL for a date it cannot read or n outside 0-1200. */
static void
fn_months_before(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	GDate d;
	char out[11];
	int n = sqlite3_value_int(argv[1]);

	(void)argc;
	if (sqlite3_value_type(argv[1]) == SQLITE_NULL || n < 0 || n > 1200 ||
	    !words_parse_date((const char *)sqlite3_value_text(argv[0]), &d)) {
		sqlite3_result_null(ctx);
		return;
	}
	g_date_subtract_months(&d, n);
	iso_day(&d, out);
	sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

/* matches(text, 'a, b c') : 1 if any phrase stands in text as whole words;
 * has_all(text, 'a|b; c') : 1 if every ;-group has one of its |-phrases. */
static gboolean
any_phrase(const char *text, const char *list, const char *sep)
{
	g_auto(GStrv) alts = g_strsplit_set(list, sep, 64);

	for (int i = 0; alts[i] != NULL; i++) {
		g_autofree char *w = words_of(alts[i], -1);
		if (words_has_phrase(text, w))
			return TRUE;
	}
	return FALSE;
}

/* A list argument in words: groups (;-separated for has_all) of alternative
 * phrases. Parsed once per list and kept with the rules (SQLite's auxiliary
 * data lasts only one run of a statement, and each application is one run):
 * lists are the rules' own constants, but one could come from a column, so
 * no more than MATCH_LISTS are kept, none longer than a condition can be
 * (MATCH_LIST_MAX); the others are parsed each time. A list is split into at
 * most 64 groups of 64 phrases, each of at most RULES_MAX_FIELD bytes, and
 * the text is cut to RULES_MAX_FIELD: one call costs at most a bounded
 * amount, whatever the sizes of its arguments. */
#define MATCH_LISTS 256
#define MATCH_LIST_MAX 4096

static void
groups_free(void *p)
{
	GPtrArray *g = p;
	g_ptr_array_free(g, TRUE);
}

static GPtrArray *
parse_groups(const char *list, gboolean all)
{
	GPtrArray *groups = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	g_auto(GStrv) parts = all ? g_strsplit(list, ";", 64) : g_strsplit(list, "\x01", 1);

	for (int i = 0; parts[i] != NULL; i++) {
		g_auto(GStrv) alts = g_strsplit_set(parts[i], all ? "|" : ",", 64);
		GPtrArray *g = g_ptr_array_new();
		for (int j = 0; alts[j] != NULL; j++)
			g_ptr_array_add(g, words_of(alts[j], -1));
		g_ptr_array_add(g, NULL);
		g_ptr_array_add(groups, g_ptr_array_free(g, FALSE));
	}
	return groups;
}

static void
fn_matches(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *text = (const char *)sqlite3_value_text(argv[0]);
	const char *list = (const char *)sqlite3_value_text(argv[1]);
	struct matcher *m = sqlite3_user_data(ctx);
	GPtrArray *groups, *owned = NULL;
	g_autofree char *w = NULL;
	gboolean ok = TRUE;

	(void)argc;
	if (list == NULL) {
		sqlite3_result_error(ctx, "matches()/has_all(): no list", -1);
		return;
	}
	if ((groups = g_hash_table_lookup(m->parsed, list)) == NULL) {
		groups = parse_groups(list, m->all);
		if (g_hash_table_size(m->parsed) < MATCH_LISTS && strlen(list) <= MATCH_LIST_MAX)
			g_hash_table_insert(m->parsed, g_strdup(list), groups);
		else
			owned = groups;
	}
	w = words_of(text ? text : "", -1);
	for (guint i = 0; i < groups->len && ok; i++) {
		char **alts = g_ptr_array_index(groups, i);
		gboolean any = FALSE;
		for (int j = 0; alts[j] != NULL && !any; j++)
			any = words_has_phrase(w, alts[j]);
		ok = any;
	}
	sqlite3_result_int(ctx, ok);
	if (owned != NULL)
		groups_free(owned);
}

static void
result_value(sqlite3_context *ctx, const char *v)
{
	char *end;
	double d;

	if (v == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	d = g_ascii_strtod(v, &end);
	if (*v != '\0' && *end == '\0')
		sqlite3_result_double(ctx, d);
	else
		sqlite3_result_text(ctx, v, -1, SQLITE_TRANSIENT);
}

static void
fn_setting(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	Rules *r = sqlite3_user_data(ctx);
	const char *name = (const char *)sqlite3_value_text(argv[0]);

	(void)argc;
	if (name == NULL || !g_hash_table_contains(r->settings, name)) {
		g_autofree char *msg = g_strdup_printf("no setting '%s' in policy.ini", name ? name : "");
		sqlite3_result_error(ctx, msg, -1);
		return;
	}
	result_value(ctx, rules_setting(r, name));
}

static void
fn_field(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	Rules *r = sqlite3_user_data(ctx);
	const char *name = (const char *)sqlite3_value_text(argv[0]);

	(void)argc;
	sqlite3_result_text(ctx, r->cur && r->cur->form && name ?
	    g_hash_table_lookup(r->cur->form, name) : NULL, -1, SQLITE_TRANSIENT);
}

void
rules_register_functions(Rules *r)
{
	/* Not SQLITE_DETERMINISTIC: the answers depend on the application judged. */
	const int f = SQLITE_UTF8;

	static const struct {
		const char *name;
		int argc;
	} docfns[FN_COUNT] = {
		[FN_DOCS] = { "docs", 1 }, [FN_WITHIN] = { "docs_within", 2 },
		[FN_PENDING] = { "pending", 1 }, [FN_POSITIVE] = { "positive", 1 },
		[FN_SPAN] = { "span_days", 1 }, [FN_SINCE] = { "docs_since", 2 },
		[FN_LAST] = { "last_date", -1 },
	};

	for (int i = 0; i < FN_COUNT; i++) {
		r->fns[i].r = r;
		r->fns[i].fn = i;
		sqlite3_create_function(r->db, docfns[i].name, docfns[i].argc, f, &r->fns[i],
		    i == FN_LAST ? fn_last_date : fn_docs, NULL, NULL);
	}
	sqlite3_create_function(r->db, "season_start", 1, f, r, fn_season_start, NULL, NULL);
	sqlite3_create_function(r->db, "date_words", 1, f | SQLITE_DETERMINISTIC, NULL,
	    fn_date_words, NULL, NULL);
	sqlite3_create_function(r->db, "months_until", 1, f, r, fn_months_until, NULL, NULL);
	sqlite3_create_function(r->db, "months_before", 2, f, r, fn_months_before, NULL, NULL);
	r->any.all = FALSE;
	r->all.all = TRUE;
	r->any.parsed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, groups_free);
	r->all.parsed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, groups_free);
	sqlite3_create_function(r->db, "matches", 2, f, &r->any, fn_matches, NULL, NULL);
	sqlite3_create_function(r->db, "has_all", 2, f, &r->all, fn_matches, NULL, NULL);
	sqlite3_create_function(r->db, "setting", 1, f, r, fn_setting, NULL, NULL);
	sqlite3_create_function(r->db, "field", 1, f, r, fn_field, NULL, NULL);
}

/* ---- the application row ---- */

/* "6th", "sixth", "year 6 of 6", "final (6th of a 6-year program)". */
static void
read_year(const char *text, int *year, int *program, gboolean *final)
{
	static const char *const ordinals[] = { "first", "second", "third", "fourth", "fifth",
		"sixth", "seventh" };
	g_autofree char *w = words_of(text ? text : "", -1);
	g_auto(GStrv) t = g_strsplit(w, " ", 32);

	*year = *program = 0;
	*final = words_has_phrase(w, "final") || words_has_phrase(w, "last");
	for (int i = 0; t[i] != NULL; i++) {
		int n = g_ascii_isdigit(t[i][0]) ? atoi(t[i]) : 0;
		for (int k = 0; n == 0 && k < (int)G_N_ELEMENTS(ordinals); k++)
			if (strcmp(t[i], ordinals[k]) == 0)
				n = k + 1;
		if (n < 1 || n > 9)
			continue;
		if ((i > 0 && strcmp(t[i - 1], "of") == 0) ||
		    (t[i + 1] != NULL && strcmp(t[i + 1], "year") == 0 && *year != 0))
			*program = n;
		else if (*year == 0)
			*year = n;
	}
	if (*year > 0 && *program > 0 && *year == *program)
		*final = TRUE;
}

static const char *
form_value(const struct dossier *d, const char *key)
{
	return d->form ? g_hash_table_lookup(d->form, key) : NULL;
}

/* The day a student graduates: the date written, or, when the form gives a
 * month only ("2027-05", "May 2027"), the last day of that month (a year
 * alone stands for June, as in words_parse_date). "" if unreadable. */
static void
graduation_day(const char *text, char out[11])
{
	int y, m, dd;
	GDate d;

	out[0] = '\0';
	if (!words_parse_date(text, &d))
		return;
	if (!(sscanf(text, "%4d-%2d-%2d", &y, &m, &dd) == 3 ||
	    sscanf(text, "%4d/%2d/%2d", &y, &m, &dd) == 3))
		g_date_set_day(&d, g_date_get_days_in_month(g_date_get_month(&d), g_date_get_year(&d)));
	iso_day(&d, out);
}

/* The number after IELTS in the English field ("IELTS 7.5", "IELTS
 * Academic: overall band 7.0"): the first one within a few words; 0 if none. */
static double
ielts_score(const char *english)
{
	const char *p = NULL;

	for (const char *q = english ? english : ""; p == NULL && *q; q++)
		if (g_ascii_strncasecmp(q, "ielts", 5) == 0)
			p = q;
	if (p == NULL)
		return 0;
	/* A band is 0 to 9, in halves; a year or a date before it is skipped,
	 * and "7,5" is 7.5. */
	for (const char *end = p + 5 + MIN(strlen(p + 5), 40); p < end; p++) {
		char *after;
		double v;
		if (!g_ascii_isdigit(*p) || g_ascii_isdigit(p[-1]) || p[-1] == '-' || p[-1] == '/')
			continue;
		v = g_ascii_strtod(p, &after);
		if (*after == ',' && g_ascii_isdigit(after[1]) && !g_ascii_isdigit(after[2]))
			v += (after[1] - '0') / 10.0;
		if (v > 0 && v <= 9)
			return v;
		p = after - 1;
	}
	return 0;
}

static gboolean
fill_row(Rules *r, const struct dossier *d, GError **err)
{
	const char *school = d->school ? d->school : form_value(d, "medical_school");
	const char *list = rules_school_list(r, school);
	const char *country = d->country ? d->country : form_value(d, "school_country");
	const char *home = rules_setting(r, "home_countries");
	const char *english = form_value(d, "english_proficiency");
	const char *first = NULL, *last_end = NULL;
	double ielts = ielts_score(english);
	g_autofree char *cw = words_of(country ? country : "", -1);
	g_autofree char *ew = words_of(english ? english : "", -1);
	g_autoptr(GHashTable) blocks = g_hash_table_new(g_str_hash, g_str_equal);
	int year, program, toefl = 0, unknown_courses = 0, unknown_blocks = 0, past = 0;
	gboolean final, international;
	char today[11];
	sqlite3_stmt *s = r->fill;

	r->last_block = NULL;
	read_year(form_value(d, "year_of_study"), &year, &program, &final);
	if (list != NULL)
		international = strcmp(list, "international") == 0;
	else
		international = *cw != '\0' && !any_phrase(cw, home ? home : "united states, canada", ",");
	if (words_has_phrase(ew, "toefl"))
		for (const char *p = ew; *p && toefl == 0; p++)
			if (g_ascii_isdigit(*p) && (p == ew || p[-1] == ' '))
				toefl = atoi(p);
	for (guint i = 0; d->choices != NULL && i < d->choices->len; i++) {
		const struct form_choice *c = &g_array_index(d->choices, struct form_choice, i);
		const char *start = rules_block_start(r, c->block);
		GDate sd;
		unknown_courses += !rules_course_exists(r, c->course);
		if (start == NULL) {
			unknown_blocks++;
			continue;
		}
		g_hash_table_add(blocks, (gpointer)c->block);
		if (words_parse_date(start, &sd) && g_date_compare(&sd, &r->today) <= 0)
			past++;
		else {
			const char *end = rules_block_end(r, c->block);
			if (first == NULL || strcmp(start, first) < 0)
				first = start;
			if (end != NULL && (last_end == NULL || strcmp(end, last_end) > 0)) {
				last_end = end;
				r->last_block = c->block;
			}
		}
	}
	graduation_day(form_value(d, "expected_graduation"), r->graduation);
	iso_day(&r->today, today);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	sqlite3_bind_text(s, 1, d->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, d->email, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, school, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, country, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, list, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 6, international);
	sqlite3_bind_text(s, 7, form_value(d, "year_of_study"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 8, year);
	sqlite3_bind_int(s, 9, program);
	sqlite3_bind_int(s, 10, final);
	sqlite3_bind_text(s, 11, form_value(d, "expected_graduation"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 12, form_value(d, "degree_held"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 13, form_value(d, "core_clerkships_completed"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 14, form_value(d, "request_type"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 15, english, -1, SQLITE_TRANSIENT);
	if (toefl > 0)
		sqlite3_bind_int(s, 16, toefl);
	sqlite3_bind_int(s, 17, d->choices ? d->choices->len : 0);
	sqlite3_bind_int(s, 18, g_hash_table_size(blocks));
	sqlite3_bind_int(s, 19, unknown_courses);
	sqlite3_bind_int(s, 20, unknown_blocks);
	sqlite3_bind_int(s, 21, past);
	sqlite3_bind_text(s, 22, first, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 23, d->status ? d->status : app_status_str(APP_RECEIVED), -1,
	    SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 24, app_status_is(d->status, APP_SCHEDULED));
	sqlite3_bind_text(s, 25, today, -1, SQLITE_TRANSIENT);
	if (ielts > 0)
		sqlite3_bind_double(s, 26, ielts);
	if (r->graduation[0] != '\0')
		sqlite3_bind_text(s, 27, r->graduation, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 28, r->last_block, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 29, last_end, -1, SQLITE_TRANSIENT);
	sqlite3_reset(r->clear);
	if (sqlite3_step(r->clear) != SQLITE_DONE || sqlite3_step(s) != SQLITE_DONE) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "rules: %s", sqlite3_errmsg(r->db));
		return FALSE;
	}
	return TRUE;
}

/* SQLite's progress handler, called every RULES_STEP_CHUNK steps of the
 * condition being evaluated: non-zero stops it (SQLITE_INTERRUPT). */
static int
over_budget(void *data)
{
	Rules *r = data;

	return ++r->chunks > RULES_MAX_STEPS / RULES_STEP_CHUNK;
}

/* What a condition is, in an error: "rule 'final-year'" (part NULL), "[mmr] met". */
static char *
cond_name(const char *id, const char *part)
{
	return part ? g_strdup_printf("[%s] %s", id, part) : g_strdup_printf("rule '%s'", id);
}

/* A condition's column as truth: 1 true, 0 false, -1 NULL (cannot tell). */
static int
column_truth(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? -1 : sqlite3_column_double(s, i) != 0.0;
}

/* 1 true, 0 false, -1 NULL (cannot tell), -2 error. where is "FILE:LINE",
 * id and part name what the condition is ("rule 'final-year'" for part NULL,
 * "[mmr] met" for part "met"; put in words only for an error). At most
 * RULES_MAX_STEPS steps: one that runs longer is an error, like one that
 * fails to evaluate. */
static int
truth(Rules *r, sqlite3_stmt *s, const char *where, const char *id, const char *part,
    GError **err)
{
	int rc, v = -1;

	sqlite3_reset(s);
	r->chunks = 0;
	sqlite3_progress_handler(r->db, RULES_STEP_CHUNK, over_budget, r);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		v = column_truth(s, 0);
		rc = sqlite3_step(s);
	}
	sqlite3_progress_handler(r->db, 0, NULL, NULL);
	if (rc != SQLITE_DONE) {
		g_autofree char *name = cond_name(id, part);
		if (r->chunks > RULES_MAX_STEPS / RULES_STEP_CHUNK)
			g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "%s: %s took too long (over %d "
			    "steps)", where, name, RULES_MAX_STEPS);
		else
			g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "%s: %s", where,
			    sqlite3_errmsg(r->db));
		sqlite3_reset(s);
		return -2;
	}
	sqlite3_reset(s);
	return v;
}

/* The expression of a condition prepared as "SELECT (EXPR) FROM application"
 * (rules.c), appended to sql as a column; FALSE if it is not of that shape. */
static gboolean
add_column(GString *sql, sqlite3_stmt *s)
{
	static const char head[] = "SELECT (", tail[] = ") FROM application";
	const char *text = sqlite3_sql(s);
	gsize n = text ? strlen(text) : 0;

	if (n < strlen(head) + strlen(tail) || !g_str_has_prefix(text, head) ||
	    !g_str_has_suffix(text, tail) || sqlite3_column_count(s) != 1)
		return FALSE;
	g_string_append_printf(sql, "%s(%.*s)", sql->len ? ", " : "SELECT ",
	    (int)(n - strlen(head) - strlen(tail)), text + strlen(head));
	return TRUE;
}

/* The statement of every rule's require and every kind's required and met,
 * a column each in that order: one step judges them all (each alone costs a
 * statement's start and end, 45 of them a message). */
static void
prepare_all(Rules *r)
{
	g_autoptr(GString) sql = g_string_new(NULL);
	int cols = 0;
	gboolean ok = TRUE;

	r->every_state = -1;
	for (guint i = 0; ok && i < r->rules->len; i++) {
		const struct rule *ru = g_ptr_array_index(r->rules, i);
		if (ru->require != NULL)
			ok = add_column(sql, ru->require), cols++;
	}
	for (guint i = 0; ok && i < r->kinds->len; i++) {
		const struct kind *k = g_ptr_array_index(r->kinds, i);
		if (k->required != NULL)
			ok = add_column(sql, k->required), cols++;
		if (ok && k->met != NULL)
			ok = add_column(sql, k->met), cols++;
	}
	if (!ok || cols == 0)
		return;
	g_string_append(sql, " FROM application");
	r->sandbox = TRUE;
	if (sqlite3_prepare_v3(r->db, sql->str, -1, SQLITE_PREPARE_PERSISTENT, &r->every, NULL) !=
	    SQLITE_OK || sqlite3_column_count(r->every) != cols) {
		sqlite3_finalize(r->every);
		r->every = NULL;
	} else
		r->every_state = 1;
	r->sandbox = FALSE;
}

/* Every condition of r->every at once into v (as truth() says each: 1, 0 or
 * -1); FALSE if that cannot be told so (an error, or over the budget of all
 * of them together): then each is evaluated alone, and says its own error. */
static gboolean
all_truths(Rules *r, int *v, int n)
{
	int rc;
	gboolean ok = FALSE;

	if (r->every_state == 0)
		prepare_all(r);
	if (r->every_state != 1 || sqlite3_column_count(r->every) != n)
		return FALSE;
	sqlite3_reset(r->every);
	r->chunks = 0;
	sqlite3_progress_handler(r->db, RULES_STEP_CHUNK, over_budget, r);
	if ((rc = sqlite3_step(r->every)) == SQLITE_ROW) {
		for (int i = 0; i < n; i++)
			v[i] = column_truth(r->every, i);
		ok = sqlite3_step(r->every) == SQLITE_DONE;
	}
	sqlite3_progress_handler(r->db, 0, NULL, NULL);
	sqlite3_reset(r->every);
	return ok;
}

/* The text of an explain-* expression: 1 with *text (NULL or "" said
 * nothing), 0 on error. */
static gboolean
text_of(Rules *r, sqlite3_stmt *s, const char *where, const char *id, const char *part,
    char **text, GError **err)
{
	int rc;

	*text = NULL;
	sqlite3_reset(s);
	r->chunks = 0;
	sqlite3_progress_handler(r->db, RULES_STEP_CHUNK, over_budget, r);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);
		if (t != NULL) {
			*text = g_strstrip(g_strdup(t));
			if (**text == '\0')
				g_clear_pointer(text, g_free);
		}
		rc = sqlite3_step(s);
	}
	sqlite3_progress_handler(r->db, 0, NULL, NULL);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		g_autofree char *name = cond_name(id, part);
		g_clear_pointer(text, g_free);
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "%s: %s: %s", where, name,
		    r->chunks > RULES_MAX_STEPS / RULES_STEP_CHUNK ? "took too long" :
		    sqlite3_errmsg(r->db));
		return FALSE;
	}
	return TRUE;
}

static gboolean
documents_unchecked(const struct dossier *d, const char *kind)
{
	for (guint i = 0; i < d->docs->len; i++) {
		const struct dossier_doc *doc = g_ptr_array_index(d->docs, i);
		if (g_strcmp0(doc->kind, kind) == 0 && !doc->dated && doc->state == DOC_FILED)
			return TRUE;
	}
	return FALSE;
}

/* A reason with the application's values in it: {{graduation_date}} in
 * words ("31 May 2027"), {{last_block}} with its dates ("2027-06 (7 June to
 * 2 July 2027)"), {{window_opens}} (a rule of outcome early: the day its
 * condition holds, in words). rules.c allows no other {{name}} in a reason. */
static char *
reason_text(const Rules *r, const char *text, const char *opens)
{
	g_autofree char *grad = r->graduation[0] ? words_date(r->graduation) : g_strdup("?");
	g_autofree char *block = r->last_block ? rules_block_words(r, r->last_block) : g_strdup("?");
	g_autofree char *when = opens ? words_date(opens) : g_strdup("no day in the next three years");
	static const char *const names[] = { "{{graduation_date}}", "{{last_block}}",
		"{{window_opens}}" };
	const char *values[] = { grad, block, when };
	GString *out = g_string_new(NULL);

	for (const char *p = text; *p;) {
		gsize i;
		for (i = 0; i < G_N_ELEMENTS(names) && !g_str_has_prefix(p, names[i]); i++)
			;
		if (i < G_N_ELEMENTS(names)) {
			g_string_append(out, values[i]);
			p += strlen(names[i]);
		} else
			g_string_append_c(out, *p++);
	}
	return g_string_free(out, FALSE);
}

/* The first day after today, at most RULES_EARLY_DAYS later, on which the
 * condition of the early rule ru holds for d, into opens (YYYY-MM-DD; ""
 * if none): the application's row filled as on each day tried, by halves
 * (a window, once open, stays open). r->today is today again after. */
static gboolean
window_opens(Rules *r, const struct dossier *d, const struct rule *ru, char opens[11],
    GError **err)
{
	GDate today = r->today;
	int lo = 0, hi = RULES_EARLY_DAYS, v;
	gboolean ok = TRUE;

	opens[0] = '\0';
	/* lo: a day it does not hold (today); hi: a day it holds, if any. */
	r->today = today;
	g_date_add_days(&r->today, hi);
	if (!fill_row(r, d, err) || (v = truth(r, ru->require, ru->where, ru->id, NULL, err)) == -2)
		ok = FALSE;
	else if (v == 1) {
		while (hi - lo > 1) {
			int mid = lo + (hi - lo) / 2;
			r->today = today;
			g_date_add_days(&r->today, mid);
			if (!fill_row(r, d, err) ||
			    (v = truth(r, ru->require, ru->where, ru->id, NULL, err)) == -2) {
				ok = FALSE;
				break;
			}
			if (v == 1)
				hi = mid;
			else
				lo = mid;
		}
		if (ok) {
			GDate day = today;
			g_date_add_days(&day, hi);
			iso_day(&day, opens);
		}
	}
	r->today = today;
	return fill_row(r, d, ok ? err : NULL) && ok;
}

/* Has a coordinator made an exception for this rule or kind (override)? */
static gboolean
overridden(const struct dossier *d, const char *id)
{
	for (guint i = 0; d->overrides != NULL && i < d->overrides->len; i++)
		if (strcmp(((const struct dossier_override *)g_ptr_array_index(d->overrides, i))->rule,
		    id) == 0)
			return TRUE;
	return FALSE;
}

gboolean
rules_eval(Rules *r, const struct dossier *d, const char *today, struct decision *out,
    GError **err)
{
	gboolean ineligible = FALSE, incomplete = FALSE;
	g_autoptr(GPtrArray) held = g_ptr_array_new();	/* struct rule *: early, failed */
	g_autofree int *all = NULL;	/* every condition's truth, if told at once */
	gboolean fast;
	int ncols, col;
	AppStatus was;

	if (!words_parse_date(today, &r->today)) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_FINAL, "rules: bad date '%s'", today);
		return FALSE;
	}
	r->cur = d;
	if (!fill_row(r, d, err))
		goto fail;
	ncols = 0;
	for (guint i = 0; i < r->rules->len; i++)
		ncols += ((struct rule *)g_ptr_array_index(r->rules, i))->require != NULL;
	for (guint i = 0; i < r->kinds->len; i++) {
		const struct kind *k = g_ptr_array_index(r->kinds, i);
		ncols += (k->required != NULL) + (k->met != NULL);
	}
	all = g_new(int, MAX(ncols, 1));
	fast = all_truths(r, all, ncols);
	col = 0;
	for (guint i = 0; i < r->rules->len; i++) {
		struct rule *ru = g_ptr_array_index(r->rules, i);
		int v, c = ru->require ? col++ : -1;
		if (overridden(d, ru->id))
			continue;	/* a coordinator's exception: it does not count */
		v = c < 0 ? 1 : fast ? all[c] : truth(r, ru->require, ru->where, ru->id, NULL, err);
		if (v == -2)
			goto fail;
		if (v == 1)
			continue;
		if (v == 0 && ru->early) {
			g_ptr_array_add(held, ru);	/* said below, unless ineligible */
			continue;
		}
		struct decision_reason *why = g_new0(struct decision_reason, 1);
		why->rule = g_strdup(ru->id);
		why->text = reason_text(r, ru->text, NULL);
		why->unknown = v == -1;
		g_ptr_array_add(out->reasons, why);
		if (v == 0 && ru->ineligible)
			ineligible = TRUE;
		else
			incomplete = TRUE;
	}
	for (guint i = 0; i < r->kinds->len; i++) {
		struct kind *k = g_ptr_array_index(r->kinds, i);
		int creq = k->required ? col++ : -1, cmet = k->met ? col++ : -1;
		if (overridden(d, k->id))
			continue;	/* a coordinator's exception: it counts as met */
		int req = creq < 0 ? 0 : fast ? all[creq] :
		    truth(r, k->required, k->where_required, k->id, "required", err);
		int met = req != 1 || cmet < 0 ? 1 : fast ? all[cmet] :
		    truth(r, k->met, k->where_met, k->id, "met", err);
		if (req == -2 || met == -2)
			goto fail;
		if (req != 1)
			continue;
		if (met != 1) {
			g_ptr_array_add(out->missing, g_strdup(k->id));
			/* What its documents lack, in words: the first explain-* with a text. */
			for (guint j = 0; k->explain != NULL && j < k->explain->len; j++) {
				g_autofree char *text = NULL;
				if (!text_of(r, g_ptr_array_index(k->explain, j),
				    g_ptr_array_index(k->where_explain, j), k->id, "explain", &text, err))
					goto fail;
				if (text != NULL) {
					g_ptr_array_add(out->explained, g_strdup_printf("%s\t%s", k->id, text));
					break;
				}
			}
			/* A result whose date stood in may be what keeps it missing (two
			 * skin tests without dates): staff check the dates. */
			if (documents_unchecked(d, k->id))
				g_ptr_array_add(out->unchecked, g_strdup(k->id));
			for (guint j = 0; j < d->docs->len; j++) {
				const struct dossier_doc *doc = g_ptr_array_index(d->docs, j);
				if (doc->pending && stands_for(r, doc->kind, k->id) &&
				    doc->state != DOC_REJECTED && doc->state != DOC_HELD) {
					g_ptr_array_add(out->pending, g_strdup(k->id));
					break;
				}
			}
		} else if (documents_unchecked(d, k->id))
			g_ptr_array_add(out->unchecked, g_strdup(k->id));
	}
	/* Held by an early rule: kept until the day its condition holds, and
	 * said with that day. An application ineligible for another reason is
	 * ineligible (the window would not change that); a window that does not
	 * open within RULES_EARLY_DAYS is no window: ineligible. */
	for (guint i = 0; !ineligible && i < held->len; i++) {
		struct rule *ru = g_ptr_array_index(held, i);
		char opens[11];
		if (!window_opens(r, d, ru, opens, err))
			goto fail;
		struct decision_reason *why = g_new0(struct decision_reason, 1);
		why->rule = g_strdup(ru->id);
		why->text = reason_text(r, ru->text, opens[0] ? opens : NULL);
		why->opens = opens[0] ? g_strdup(opens) : NULL;
		g_ptr_array_add(out->reasons, why);
		if (opens[0] == '\0')
			ineligible = TRUE;
	}
	if (ineligible)	/* only what made it ineligible is said */
		for (guint i = out->reasons->len; i-- > 0;) {
			struct decision_reason *why = g_ptr_array_index(out->reasons, i);
			if (why->opens != NULL) {
				g_free(why->rule);
				g_free(why->text);
				g_free(why->opens);
				g_free(why);
				g_ptr_array_remove_index(out->reasons, i);
			}
		}
	r->cur = NULL;
	g_free(out->status);
	/* Statuses the scheduler owns are kept. */
	if (app_status_parse(d->status, &was) && !app_status_judged(was))
		out->status = g_strdup(d->status);
	else
		out->status = g_strdup(app_status_str(ineligible ? APP_INELIGIBLE :
		    held->len > 0 ? APP_EARLY :
		    incomplete || out->missing->len ? APP_INCOMPLETE : APP_COMPLETE));
	return TRUE;
fail:
	r->cur = NULL;
	return FALSE;
}
