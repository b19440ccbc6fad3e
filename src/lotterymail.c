/* lotterymail.c: staff and coordinators told of each lottery, before and
 * after (lotterymail.h). Words and tables only: the store is read through
 * the data modules, and mail is asked for as effects. */
#include "lotterymail.h"
#include "dossier.h"
#include "effects.h"
#include "guide.h"
#include "offers.h"
#include "reply.h"
#include "rules.h"
#include "seats.h"
#include "util.h"
#include "words.h"

#include <stdlib.h>
#include <string.h>

/* Most rows a table in a mail's text lists; the rest are counted (the
 * roster's CSV has them all, and clerkctl export the whole store). */
#define TABLE_ROWS_MAX 300
/* Most applications with unchecked documents listed in a notice. */
#define NOTICE_APPS_MAX 100

/* ---- people and tables ---- */

struct person {
	char *reference, *name, *school, *email;
};

static void
person_free(gpointer p)
{
	struct person *x = p;

	g_free(x->reference);
	g_free(x->name);
	g_free(x->school);
	g_free(x->email);
	g_free(x);
}

/* One line of text, at most max bytes: what a form gave, fit for a table. */
static char *
one_line(const char *s, gsize max)
{
	char *out = util_utf8_clean(s ? s : "", -1, max);

	for (char *p = out; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	return g_strstrip(out);
}

/* An application as the tables show it, loaded once (cache: id -> person). */
static const struct person *
person_of(struct process_ctx *pc, GHashTable *cache, gint64 id, GError **err)
{
	struct person *p = g_hash_table_lookup(cache, &id);
	g_autoptr(Dossier) d = NULL;
	gint64 *key;

	if (p != NULL)
		return p;
	if ((d = dossier_load(pc->st, id, err)) == NULL)
		return NULL;
	p = g_new0(struct person, 1);
	p->reference = g_strdup(d->reference);
	p->name = one_line(d->name, 200);
	p->school = one_line(d->school, 200);
	p->email = one_line(d->email, 254);
	key = g_new(gint64, 1);
	*key = id;
	g_hash_table_insert(cache, key, p);
	return p;
}

static GHashTable *
person_cache(void)
{
	return g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, person_free);
}

/* Columns as a terminal shows them: East Asian wide characters take two. */
static gsize
width_of(const char *s)
{
	gsize w = 0;

	for (const char *p = s; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		w += g_unichar_iszerowidth(c) ? 0 : g_unichar_iswide(c) ? 2 : 1;
	}
	return w;
}

/* A plain-text table: a heading line, then the rows (char ** each, ncol
 * strings), indented by two spaces, columns two spaces apart. */
static void
table(GString *out, const char *const *head, guint ncol, GPtrArray *rows)
{
	g_autofree gsize *w = g_new0(gsize, ncol);

	for (guint c = 0; c < ncol; c++)
		w[c] = width_of(head[c]);
	for (guint i = 0; i < rows->len && i < TABLE_ROWS_MAX; i++)
		for (guint c = 0; c < ncol; c++)
			w[c] = MAX(w[c], MIN(width_of(((char **)rows->pdata[i])[c]), 40));
	for (guint i = 0; i <= rows->len && i <= TABLE_ROWS_MAX; i++) {
		const char *const *cells = i == 0 ? head : (const char *const *)rows->pdata[i - 1];
		gsize at = out->len;
		if (i == TABLE_ROWS_MAX && rows->len > TABLE_ROWS_MAX)
			break;
		g_string_append(out, "  ");
		for (guint c = 0; c < ncol; c++) {
			g_string_append(out, cells[c]);
			/* Two spaces at least: a cell wider than its column (a long
			 * title) pushes the rest of its line along. */
			if (c + 1 < ncol)
				for (gsize k = MIN(width_of(cells[c]), w[c]); k < w[c] + 2; k++)
					g_string_append_c(out, ' ');
		}
		while (out->len > at && out->str[out->len - 1] == ' ')
			g_string_truncate(out, out->len - 1);
		g_string_append_c(out, '\n');
	}
	if (rows->len > TABLE_ROWS_MAX)
		g_string_append_printf(out, "  ... and %u more\n", rows->len - TABLE_ROWS_MAX);
}

/* A row of n cells (copied); rows own them (g_strfreev). */
static void
row(GPtrArray *rows, guint n, ...)
{
	char **cells = g_new0(char *, n + 1);
	va_list ap;

	va_start(ap, n);
	for (guint i = 0; i < n; i++)
		cells[i] = g_strdup(va_arg(ap, const char *));
	va_end(ap);
	g_ptr_array_add(rows, cells);
}

static GPtrArray *
rows_new(void)
{
	return g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
}

/* ---- the roster as CSV ---- */

GBytes *
lotterymail_roster_csv(const char *course, const char *block, GPtrArray *rows)
{
	GString *out = g_string_new("name,school,reference,email,course,block\r\n");

	for (guint i = 0; i < rows->len; i++) {
		const struct roster_row *x = g_ptr_array_index(rows, i);
		util_csv_field(out, x->name ? x->name : "", FALSE);
		util_csv_field(out, x->school ? x->school : "", FALSE);
		util_csv_field(out, x->reference ? x->reference : "", FALSE);
		util_csv_field(out, x->email ? x->email : "", FALSE);
		util_csv_field(out, course, FALSE);
		util_csv_field(out, block, TRUE);
	}
	return g_string_free_to_bytes(out);
}

/* ---- mail ---- */

/* One mail to each staff address (kind: KIND:ADDR). */
static void
to_staff(struct process_ctx *pc, const char *kind, const char *template, const char *subject,
    const char *seed, GHashTable *vars, GString *report, const char *what)
{
	char *const *staff = pc->cfg->staff;

	for (int i = 0; staff != NULL && staff[i] != NULL; i++) {
		g_autofree char *k = g_strdup_printf("%s:%s", kind, staff[i]);
		struct mail_out m = { 0 };
		m.kind = k;
		m.template = template;
		m.to_addr = staff[i];
		m.fallback_subject = subject;
		m.seed_msgid = seed;
		m.seed_sha256 = "";
		effect_mail(pc, EFFECT_NOTIFY_STAFF, 0, 0, &m, vars);
		g_string_append_printf(report, "mail: %s to %s\n", what, staff[i]);
	}
}

static char *
block_span(const Rules *r, const char *block)
{
	const char *start = rules_block_start(r, block), *end = rules_block_end(r, block);

	return start && end ? words_date_range(start, end) : g_strdup(block);
}

/* ---- after the lottery ---- */

/* Why an application drawn got neither a seat nor a waitlist place. */
static const char *
why_not_placed(struct process_ctx *pc, gint64 id, GError **err)
{
	const char *maxb = rules_setting(pc->cfg->rules, "max_blocks");
	g_autoptr(GArray) seats = seats_of(pc->st, id, NULL, err);
	g_autoptr(GHashTable) blocks = g_hash_table_new(g_str_hash, g_str_equal);

	if (seats == NULL)
		return NULL;
	for (guint i = 0; i < seats->len; i++)
		g_hash_table_add(blocks, g_array_index(seats, struct seat, i).block);
	if ((int)g_hash_table_size(blocks) >= (maxb ? atoi(maxb) : 3))
		return "holds the most blocks allowed (max_blocks) already";
	return "no course chosen in this block is open to them (prerequisites, or closed)";
}

/* The roster of one course: the table for the text, the rows for the CSV. */
static void
roster_mail(struct process_ctx *pc, const char *course, const char *block, const char *span,
    const char *to, GPtrArray *people, GString *report)
{
	const struct course_info *c = rules_course(pc->cfg->rules, course);
	static const char *const head[] = { "NAME", "SCHOOL", "REFERENCE", "EMAIL" };
	g_autoptr(GPtrArray) rows = rows_new(), csvrows = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GString) text = g_string_new(NULL);
	g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GPtrArray) atts = g_ptr_array_new();
	g_autofree char *filename = g_strdup_printf("roster-%s-%s.csv", course, block);
	g_autofree char *subject = g_strdup_printf("Roster: %s, block %s (%s)", course, block, span);
	g_autofree char *kind = g_strdup_printf("roster:%s:%s:%s", course, block, to);
	g_autofree char *seed = g_strdup_printf("lottery.%s", block);
	g_autofree char *count = g_strdup_printf("%u", people->len);
	g_autofree char *who = g_strdup_printf("%u %s", people->len, people->len == 1 ?
	    "student has" : "students have");
	g_autoptr(GBytes) csv = NULL;
	struct reply_attachment att = { 0 };
	struct mail_out m = { 0 };

	for (guint i = 0; i < people->len; i++) {
		const struct person *p = g_ptr_array_index(people, i);
		struct roster_row *x = g_new0(struct roster_row, 1);
		row(rows, 4, p->name, p->school, p->reference, p->email);
		x->name = p->name;
		x->school = p->school;
		x->reference = p->reference;
		x->email = p->email;
		g_ptr_array_add(csvrows, x);
	}
	table(text, head, 4, rows);
	csv = lotterymail_roster_csv(course, block, csvrows);
	att.filename = filename;
	att.content_type = "text/csv; charset=utf-8";
	att.data = csv;
	g_ptr_array_add(atts, &att);
	g_hash_table_insert(vars, "course", (gpointer)course);
	g_hash_table_insert(vars, "title", (gpointer)(c ? c->title : ""));
	g_hash_table_insert(vars, "hospital", (gpointer)(c ? c->hospital : ""));
	g_hash_table_insert(vars, "block", (gpointer)block);
	g_hash_table_insert(vars, "span", (gpointer)span);
	g_hash_table_insert(vars, "count", count);
	g_hash_table_insert(vars, "who", who);
	g_hash_table_insert(vars, "table", text->str);
	g_hash_table_insert(vars, "filename", filename);
	m.kind = kind;
	m.template = "roster";
	m.to_addr = to;
	m.fallback_subject = subject;
	m.seed_msgid = seed;
	m.seed_sha256 = "";
	m.attachments = atts;
	effect_mail(pc, EFFECT_ROUTE, 0, 0, &m, vars);
	g_string_append_printf(report, "mail: roster of %s (%u) to %s\n", course, people->len, to);
}

gboolean
lotterymail_drawn(struct process_ctx *pc, const char *block, guint64 seed,
    const struct sched_result *res, GString *report, GError **err)
{
	const Rules *r = pc->cfg->rules;
	g_autoptr(GHashTable) cache = person_cache();
	g_autoptr(GHashTable) placed = g_hash_table_new(g_int64_hash, g_int64_equal);
	g_autoptr(GPtrArray) prow = rows_new(), wrow = rows_new(), nrow = rows_new();
	g_autoptr(GString) rosters = g_string_new(NULL);
	g_autoptr(GArray) seats = NULL;
	g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
	g_autofree char *span = block_span(r, block);
	g_autofree char *seedstr = g_strdup_printf("%" G_GUINT64_FORMAT, seed);
	g_autofree char *msgseed = g_strdup_printf("lottery.%s", block);
	g_autofree char *subject = NULL, *count = NULL, *nplaced = NULL, *nwait = NULL, *nnot = NULL;
	static const char *const phead[] = { "REFERENCE", "NAME", "COURSE" };
	static const char *const whead[] = { "COURSE", "POSITION", "REFERENCE", "NAME" };
	static const char *const nhead[] = { "REFERENCE", "NAME", "WHY" };
	static const char *const rhead[] = { "NAME", "SCHOOL", "REFERENCE", "EMAIL" };
	g_autoptr(GString) ptext = g_string_new(NULL), wtext = g_string_new(NULL);
	g_autoptr(GString) ntext = g_string_new(NULL);

	if (res->order->len == 0)
		return TRUE;	/* nobody drawn: nothing to say */
	for (guint i = 0; i < res->seated->len; i++) {
		const struct sched_seat *s = &g_array_index(res->seated, struct sched_seat, i);
		const struct person *p = person_of(pc, cache, s->app, err);
		if (p == NULL)
			return FALSE;
		g_hash_table_add(placed, (gpointer)&s->app);
		row(prow, 3, p->reference, p->name, s->course);
	}
	for (guint i = 0; i < res->waitlist->len; i++) {
		const struct sched_seat *s = &g_array_index(res->waitlist, struct sched_seat, i);
		const struct person *p = person_of(pc, cache, s->app, err);
		g_autofree char *pos = g_strdup_printf("%d", s->position);
		if (p == NULL)
			return FALSE;
		g_hash_table_add(placed, (gpointer)&s->app);
		row(wrow, 4, s->course, pos, p->reference, p->name);
	}
	for (guint i = 0; i < res->order->len; i++) {
		gint64 *id = &g_array_index(res->order, gint64, i);
		const struct person *p;
		const char *why;
		if (g_hash_table_contains(placed, id))
			continue;
		if ((p = person_of(pc, cache, *id, err)) == NULL ||
		    (why = why_not_placed(pc, *id, err)) == NULL)
			return FALSE;
		row(nrow, 3, p->reference, p->name, why);
	}
	if (prow->len)
		table(ptext, phead, 3, prow);
	else
		g_string_append(ptext, "  (nobody)\n");
	if (wrow->len)
		table(wtext, whead, 4, wrow);
	else
		g_string_append(wtext, "  (nobody)\n");
	if (nrow->len)
		table(ntext, nhead, 3, nrow);
	else
		g_string_append(ntext, "  (nobody)\n");

	/* Every seat of the block, by course (the lottery's, and any a
	 * coordinator assigned before it). */
	if ((seats = seats_in_block(pc->st, block, err)) == NULL)
		return FALSE;
	for (guint i = 0; i < seats->len;) {
		const char *course = g_array_index(seats, struct seat_holder, i).course;
		const char *to = rules_coordinator(r, course);
		g_autoptr(GPtrArray) people = g_ptr_array_new();
		for (; i < seats->len && strcmp(g_array_index(seats, struct seat_holder, i).course,
		    course) == 0; i++) {
			const struct person *p = person_of(pc, cache,
			    g_array_index(seats, struct seat_holder, i).app, err);
			if (p == NULL)
				return FALSE;
			g_ptr_array_add(people, (gpointer)p);
		}
		if (to != NULL) {
			roster_mail(pc, course, block, span, to, people, report);
			g_string_append_printf(rosters, "%s: %u %s; the roster was sent to %s.\n", course,
			    people->len, people->len == 1 ? "student" : "students", to);
		} else {
			g_autoptr(GPtrArray) rows = rows_new();
			for (guint j = 0; j < people->len; j++) {
				const struct person *p = g_ptr_array_index(people, j);
				row(rows, 4, p->name, p->school, p->reference, p->email);
			}
			g_string_append_printf(rosters, "%s: %u %s. This course has no coordinator in "
			    "rules/coordinators.csv, so its roster is here:\n", course, people->len,
			    people->len == 1 ? "student" : "students");
			table(rosters, rhead, 4, rows);
		}
	}
	if (seats->len == 0)
		g_string_append(rosters, "No course has a seat taken in this block.\n");

	count = g_strdup_printf("%u", res->order->len);
	nplaced = g_strdup_printf("%u", prow->len);
	nwait = g_strdup_printf("%u", g_hash_table_size(placed) - prow->len);
	nnot = g_strdup_printf("%u", nrow->len);
	subject = g_strdup_printf("[clerkd] Lottery drawn for block %s: %u placed, %s waitlisted, "
	    "%u not placed", block, prow->len, nwait, nrow->len);
	g_hash_table_insert(vars, "block", (gpointer)block);
	g_hash_table_insert(vars, "span", span);
	g_hash_table_insert(vars, "seed", seedstr);
	g_hash_table_insert(vars, "count", count);
	g_hash_table_insert(vars, "placed_count", nplaced);
	g_hash_table_insert(vars, "waitlisted_count", nwait);
	g_hash_table_insert(vars, "not_placed_count", nnot);
	g_hash_table_insert(vars, "placed", ptext->str);
	g_hash_table_insert(vars, "waitlisted", wtext->str);
	g_hash_table_insert(vars, "not_placed", ntext->str);
	g_hash_table_insert(vars, "rosters", rosters->str);
	to_staff(pc, "lottery-summary", "lottery-summary", subject, msgseed, vars, report,
	    "lottery summary");
	return TRUE;
}

/* ---- before the lottery ---- */

/* A document staff have not checked that a complete application relies on
 * or carries: why, and the command line that checks it; NULL if none. */
static char *
unchecked_line(const Rules *r, const char *ref, const struct doc_info *doc,
    GPtrArray *undated_kinds, char **command)
{
	g_autofree char *name = one_line(doc->filename ? doc->filename : "(no file name)", 120);
	const char *kind = doc->kind ? rules_kind_title(r, doc->kind) : NULL;
	g_autofree char *received = words_date(doc->received ? doc->received : doc->date);

	*command = NULL;
	if (strcmp(doc->state, "held") == 0) {
		*command = g_strdup_printf("accept %s %" G_GINT64_FORMAT, ref, doc->id);
		return g_strdup_printf("document %" G_GINT64_FORMAT ", %s: it came from another address"
		    " and counts only once you accept it.", doc->id, name);
	}
	if (strcmp(doc->state, "filed") != 0)
		return NULL;
	if (doc->kind == NULL) {
		*command = g_strdup_printf("kind %s %" G_GINT64_FORMAT " KIND", ref, doc->id);
		return g_strdup_printf("document %" G_GINT64_FORMAT ", %s: clerkd could not tell what it"
		    " is.", doc->id, name);
	}
	/* No date, for a kind the rules judge by it (the application is
	 * flagged dates-to-check): the day received stands in. */
	if (!doc->dated && g_ptr_array_find_with_equal_func(undated_kinds, doc->kind, g_str_equal,
	    NULL)) {
		*command = g_strdup_printf("accept %s %" G_GINT64_FORMAT " YYYY-MM-DD", ref, doc->id);
		return g_strdup_printf("document %" G_GINT64_FORMAT ", %s (%s): no date given; the day"
		    " received, %s, stands in.", doc->id, name, kind, received);
	}
	if (rules_setting_bool(r, "require_staff_check")) {
		*command = g_strdup_printf("accept %s %" G_GINT64_FORMAT, ref, doc->id);
		return g_strdup_printf("document %" G_GINT64_FORMAT ", %s (%s): waiting for your check.",
		    doc->id, name, kind);
	}
	return NULL;
}

/* The notice for one block, whose draw has these applications (ids, in
 * order) choosing these courses (code -> applicants). */
static gboolean
notice(struct process_ctx *pc, const char *block, const GDate *lottery, GArray *apps,
    GHashTable *courses, GString *log, GError **err)
{
	const Rules *r = pc->cfg->rules;
	g_autoptr(GHashTable) cache = person_cache();
	g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GPtrArray) crow = rows_new();
	g_autoptr(GString) ctext = g_string_new(NULL), utext = g_string_new(NULL);
	g_autoptr(GList) codes = g_list_sort(g_hash_table_get_keys(courses), (GCompareFunc)strcmp);
	g_autofree char *span = block_span(r, block), *when = words_gdate(lottery);
	g_autofree char *count = g_strdup_printf("%u", apps->len), *subject = NULL;
	g_autofree char *seed = g_strdup_printf("lottery-notice.%s", block);
	static const char *const chead[] = { "COURSE", "TITLE", "FREE SEATS", "APPLICANTS" };
	guint listed = 0, ndocs = 0;

	for (GList *l = codes; l != NULL; l = l->next) {
		const struct course_info *c = rules_course(r, l->data);
		int free_now = offers_free_seats(pc, l->data, block, err);
		g_autofree char *fs = NULL, *na = NULL;
		if (free_now < 0)
			return FALSE;
		fs = g_strdup_printf("%d", free_now);
		na = g_strdup_printf("%d", GPOINTER_TO_INT(g_hash_table_lookup(courses, l->data)));
		row(crow, 4, (char *)l->data, c ? c->title : "", fs, na);
	}
	if (crow->len)
		table(ctext, chead, 4, crow);
	else
		g_string_append(ctext, "  (no course open to them)\n");
	for (guint i = 0; i < apps->len; i++) {
		gint64 id = g_array_index(apps, gint64, i);
		g_autoptr(GPtrArray) docs = dossier_docs(pc->st, id, err);
		g_autoptr(Dossier) d = docs ? dossier_load(pc->st, id, err) : NULL;
		const struct person *p = NULL;
		gboolean named = FALSE;
		struct decision dc;
		if (d == NULL)
			return FALSE;
		decision_init(&dc);
		/* Judged as today (the rules only: nothing recorded), for the kinds
		 * met by a document whose date stood in. */
		if (!rules_eval(pc->cfg->rules, d, pc->today, &dc, err)) {
			decision_clear(&dc);
			return FALSE;
		}
		for (guint j = 0; j < docs->len; j++) {
			g_autofree char *command = NULL, *line = NULL;
			if (p == NULL && (p = person_of(pc, cache, id, err)) == NULL) {
				decision_clear(&dc);
				return FALSE;
			}
			if ((line = unchecked_line(r, p->reference, g_ptr_array_index(docs, j),
			    dc.unchecked, &command)) == NULL)
				continue;
			ndocs++;
			if (listed >= NOTICE_APPS_MAX)
				continue;
			if (!named) {
				g_string_append_printf(utext, "\n  %s  %s (%s)\n", p->reference, p->name,
				    p->school);
				named = TRUE;
				listed++;
			}
			g_string_append_printf(utext, "    - %s\n      %s\n", line, command);
		}
		decision_clear(&dc);
	}
	if (ndocs == 0)
		g_string_append(utext, "Every document of these applications is checked or has its "
		    "date. Nothing waits for you before the lottery.\n");
	else {
		g_string_prepend(utext, "Please check these documents before the lottery. They count"
		    " now, but nobody on\nthe staff has checked them. To check one, reply to this mail"
		    " with the line\nunder it (write the date or the kind the document shows), or use"
		    " clerkctl.\n");
		if (listed >= NOTICE_APPS_MAX)
			g_string_append_printf(utext, "\n  ... and more: `clerkctl list` shows every "
			    "application.\n");
	}
	subject = g_strdup_printf("[clerkd] Lottery for block %s on %s: %u complete, %u "
	    "document%s to check", block, when, apps->len, ndocs, ndocs == 1 ? "" : "s");
	g_hash_table_insert(vars, "block", (gpointer)block);
	g_hash_table_insert(vars, "span", span);
	g_hash_table_insert(vars, "lottery_date", when);
	g_hash_table_insert(vars, "count", count);
	g_hash_table_insert(vars, "courses", ctext->str);
	g_hash_table_insert(vars, "unchecked", utext->str);
	to_staff(pc, "lottery-notice", "lottery-notice", subject, seed, vars, log,
	    "the notice before the lottery");
	g_string_append_printf(log, "block %s: lottery on %s; staff told (%u complete, %u document%s"
	    " to check)\n", block, when, apps->len, ndocs, ndocs == 1 ? "" : "s");
	return TRUE;
}

gboolean
lotterymail_notices_due(struct process_ctx *pc, GString *log, GError **err)
{
	const Rules *r = pc->cfg->rules;
	const char *set = rules_setting(r, "lottery_notice_days");
	int ahead = set != NULL && *set ? atoi(set) : 7;
	g_autoptr(GPtrArray) blocks = rules_blocks(r);
	GDate today;

	if (g_strcmp0(rules_setting(r, "scheduling"), "rolling") == 0 || ahead <= 0)
		return TRUE;
	g_date_clear(&today, 1);
	g_date_set_parse(&today, pc->today);
	if (!g_date_valid(&today))
		return TRUE;
	for (guint i = 0; i < blocks->len; i++) {
		const char *b = g_ptr_array_index(blocks, i);
		g_autoptr(GArray) entries = NULL;
		g_autoptr(GArray) apps = NULL;
		g_autoptr(GHashTable) courses = NULL;
		GDate lottery;
		int days, drawn, fresh;
		if (!guide_block_dates(r, b, &lottery, NULL))
			continue;
		days = g_date_days_between(&today, &lottery);
		if (days <= 0 || days > ahead)
			continue;
		if ((drawn = lottery_drawn(pc->st, b, NULL, NULL, err)) < 0)
			return FALSE;
		if (drawn)
			continue;
		/* The draw as it stands: complete by the documents deadline, and
		 * the courses open to each (as placement.c's participants()). */
		if ((entries = lottery_entries(pc->st, b, err)) == NULL)
			return FALSE;
		apps = g_array_new(FALSE, FALSE, sizeof(gint64));
		courses = g_hash_table_new(g_str_hash, g_str_equal);
		g_autoptr(GHashTable) mine = g_hash_table_new(g_str_hash, g_str_equal);
		for (guint j = 0; j < entries->len; j++) {
			const struct lottery_entry *e = &g_array_index(entries, struct lottery_entry, j);
			const struct course_info *c = rules_course(r, e->course);
			if (guide_too_late(r, b, e->complete_on))
				continue;
			if (apps->len == 0 || g_array_index(apps, gint64, apps->len - 1) != e->app) {
				g_array_append_val(apps, e->app);
				g_hash_table_remove_all(mine);	/* each course once per applicant */
			}
			if (c == NULL || !rules_prerequisites_met(r, e->course, e->core) ||
			    rules_seats(r, e->course, b) == 0 || !g_hash_table_add(mine, (gpointer)c->code))
				continue;
			g_hash_table_insert(courses, (gpointer)c->code, GINT_TO_POINTER(
			    GPOINTER_TO_INT(g_hash_table_lookup(courses, c->code)) + 1));
		}
		if (apps->len == 0)
			continue;	/* nothing to draw yet: nothing to say */
		if ((fresh = lottery_notice_record(pc->st, b, err)) < 0)
			return FALSE;
		if (fresh && !notice(pc, b, &lottery, apps, courses, log, err))
			return FALSE;
	}
	return TRUE;
}
