/* digest.c: the staff's daily digest (see digest.h). The text is for a
 * terminal mail client: aligned columns, no line over 72 characters; the
 * HTML has the same tables and the charts, no scripts, nothing fetched. */
#include "digest.h"
#include "charts.h"
#include "ctx.h"
#include "digestdb.h"
#include "guide.h"
#include "outboxdb.h"
#include "reply.h"
#include "rules.h"
#include "seats.h"
#include "util.h"
#include "words.h"

#include <string.h>

#define TEXT_BAR 30		/* the longest bar of a text chart */
#define MAX_LOTTERIES 8

/* A column of a list: the row's text col (0-3) or its figure (col 4). */
struct column {
	int col;
	const char *head;
	int width;
};

struct section {
	enum digestdb_what what;
	const char *title;	/* also the summary's line */
	const char *more;	/* where to see them all */
	struct column cols[4];
};

static const struct section sections[] = {
	{ DIGESTDB_NEW, "New applications", "clerkctl list",
	  { { 0, "Reference", 15 }, { 1, "Name", 24 }, { 2, "Country", 14 }, { 3, "Status", 13 } } },
	{ DIGESTDB_COMPLETE, "Newly complete", "clerkctl list --status complete",
	  { { 0, "Reference", 15 }, { 1, "Name", 24 }, { 3, "Complete on", 11 }, { 2, "Status now", 13 } } },
	{ DIGESTDB_HELD, "Held messages waiting (sent from another address)", "clerkctl doc list REF",
	  { { 0, "Reference", 15 }, { 1, "From", 33 }, { 2, "Since", 10 }, { 4, "Files", 5 } } },
	{ DIGESTDB_QUESTIONS, "Questions forwarded to staff, not yet answered", "clerkctl show REF",
	  { { 0, "Reference", 15 }, { 1, "Subject", 42 }, { 2, "Since", 10 }, { -1, NULL, 0 } } },
	{ DIGESTDB_TO_CHECK, "Documents waiting for a check", "clerkctl doc list REF",
	  { { 0, "Reference", 15 }, { 4, "Doc", 5 }, { 1, "File", 25 }, { 2, "Why", 20 } } },
	{ DIGESTDB_QUARANTINE, "Messages in quarantine", "clerkctl quarantine list",
	  { { 4, "Id", 6 }, { 0, "From", 22 }, { 1, "Subject", 22 }, { 2, "Error", 17 } } },
	{ DIGESTDB_BOUNCES, "Bounces", "clerkctl replies --status bounced",
	  { { 0, "Address", 28 }, { 1, "Status", 12 }, { 2, "Day", 10 }, { 3, "Reference", 15 } } },
};

/* The figures of one digest. */
struct figures {
	char *today, *last_day, *since;
	struct digestdb_list lists[DIGESTDB_N];
};

static void
figures_clear(struct figures *f)
{
	g_free(f->today);
	g_free(f->last_day);
	g_free(f->since);
	for (int i = 0; i < DIGESTDB_N; i++)
		digestdb_list_clear(&f->lists[i]);
}

/* ---- text ---- */

/* s cut to width characters (an ellipsis when cut) and padded (right-aligned
 * with right). Control characters become spaces. */
static void
cell(GString *out, const char *s, int width, gboolean right)
{
	g_autofree char *valid = g_utf8_make_valid(s ? s : "", -1);
	g_autoptr(GString) c = g_string_new(NULL);
	int n = 0;

	for (const char *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar u = g_utf8_get_char(p);
		if (n == width - 1 && g_utf8_strlen(p, -1) > 1) {
			g_string_append_unichar(c, 0x2026);
			n++;
			break;
		}
		g_string_append_unichar(c, u < 0x20 || u == 0x7f ? ' ' : u);
		n++;
	}
	if (right)
		for (int i = n; i < width; i++)
			g_string_append_c(out, ' ');
	g_string_append(out, c->str);
	if (!right)
		for (int i = n; i < width; i++)
			g_string_append_c(out, ' ');
}

static void
end_line(GString *out)
{
	while (out->len > 0 && out->str[out->len - 1] == ' ')
		g_string_truncate(out, out->len - 1);
	g_string_append_c(out, '\n');
}

static const char *
col_text(const struct digestdb_row *r, int col, char *buf, gsize len)
{
	if (col == 4) {
		g_snprintf(buf, len, "%" G_GINT64_FORMAT, r->n);
		return buf;
	}
	return r->col[col];
}

static void
text_section(GString *out, const struct section *sec, const struct digestdb_list *l)
{
	char buf[32];

	if (l->total == 0)
		return;
	g_string_append_printf(out, "\n%s: %" G_GINT64_FORMAT "\n", sec->title, l->total);
	g_string_append(out, "  ");
	for (int c = 0; c < 4 && sec->cols[c].head != NULL; c++) {
		cell(out, sec->cols[c].head, sec->cols[c].width, sec->cols[c].col == 4);
		g_string_append_c(out, ' ');
	}
	end_line(out);
	for (guint i = 0; i < l->rows->len; i++) {
		const struct digestdb_row *r = g_ptr_array_index(l->rows, i);
		g_string_append(out, "  ");
		for (int c = 0; c < 4 && sec->cols[c].head != NULL; c++) {
			cell(out, col_text(r, sec->cols[c].col, buf, sizeof buf), sec->cols[c].width,
			    sec->cols[c].col == 4);
			g_string_append_c(out, ' ');
		}
		end_line(out);
	}
	if (l->total > (gint64)l->rows->len)
		g_string_append_printf(out, "  ... and %" G_GINT64_FORMAT " more (%s)\n",
		    l->total - (gint64)l->rows->len, sec->more);
}

/* A text chart: label, figure (or "taken/seats"), a bar of #. */
static void
text_chart(GString *out, const char *title, const struct chart_bar *bars, guint n)
{
	gint64 top = 1;
	guint shown = MIN(n, CHARTS_MAX_BARS);
	gboolean fill = n > 0 && bars[0].capacity >= 0;

	g_string_append_printf(out, "\n%s\n", title);
	if (n == 0) {
		g_string_append(out, "  none\n");
		return;
	}
	for (guint i = 0; i < n; i++)
		top = MAX(top, MAX(bars[i].value, bars[i].capacity));
	for (guint i = 0; i < shown; i++) {
		const struct chart_bar *b = &bars[i];
		char fig[48];
		int len = (int)((b->value * TEXT_BAR + top / 2) / top);
		int cap = fill ? (int)((b->capacity * TEXT_BAR + top / 2) / top) : 0;
		if (i == CHARTS_MAX_BARS - 1 && n > CHARTS_MAX_BARS) {
			g_string_append_printf(out, "  ... and %u more\n", n - i);
			break;
		}
		if (fill)
			g_snprintf(fig, sizeof fig, "%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
			    b->value, b->capacity);
		else
			g_snprintf(fig, sizeof fig, "%" G_GINT64_FORMAT, b->value);
		g_string_append(out, "  ");
		cell(out, b->label, 28, FALSE);
		g_string_append_c(out, ' ');
		cell(out, fig, 7, TRUE);
		g_string_append(out, "  ");
		for (int k = 0; k < MAX(len, cap) && k < TEXT_BAR; k++)
			g_string_append_c(out, k < len ? '#' : '.');
		end_line(out);
	}
}

/* ---- HTML ---- */

static void
html_text(GString *out, const char *s)
{
	g_autofree char *e = charts_escape(s, 400);
	g_string_append(out, e);
}

static void
html_section(GString *out, const struct section *sec, const struct digestdb_list *l)
{
	char buf[32];

	if (l->total == 0)
		return;
	g_string_append(out, "<h2>");
	html_text(out, sec->title);
	g_string_append_printf(out, ": %" G_GINT64_FORMAT "</h2>\n<table>\n<tr>", l->total);
	for (int c = 0; c < 4 && sec->cols[c].head != NULL; c++) {
		g_string_append(out, "<th>");
		html_text(out, sec->cols[c].head);
		g_string_append(out, "</th>");
	}
	g_string_append(out, "</tr>\n");
	for (guint i = 0; i < l->rows->len; i++) {
		const struct digestdb_row *r = g_ptr_array_index(l->rows, i);
		g_string_append(out, "<tr>");
		for (int c = 0; c < 4 && sec->cols[c].head != NULL; c++) {
			g_string_append(out, sec->cols[c].col == 4 ? "<td class=\"n\">" : "<td>");
			html_text(out, col_text(r, sec->cols[c].col, buf, sizeof buf));
			g_string_append(out, "</td>");
		}
		g_string_append(out, "</tr>\n");
	}
	g_string_append(out, "</table>\n");
	if (l->total > (gint64)l->rows->len) {
		g_string_append_printf(out, "<p>... and %" G_GINT64_FORMAT " more (<code>",
		    l->total - (gint64)l->rows->len);
		html_text(out, sec->more);
		g_string_append(out, "</code>)</p>\n");
	}
}

/* ---- the figures ---- */

struct lottery {
	char *words;		/* "2027-04 (5-30 April 2027)" */
	char *day;		/* "19 February 2027" */
	int in_days;
	gint64 complete;
};

static void
lottery_clear(gpointer p)
{
	struct lottery *l = p;

	g_free(l->words);
	g_free(l->day);
}

/* Blocks not drawn yet that have not started, in order, with the day of
 * their lottery (block start minus lead_days). Empty under rolling. */
static GArray *
lotteries(const struct config *cfg, Store *st, const struct figures *f, GError **err)
{
	GArray *out = g_array_new(FALSE, TRUE, sizeof(struct lottery));
	const Rules *r = cfg->rules;
	g_autoptr(GPtrArray) blocks = r ? rules_blocks(r) : g_ptr_array_new();
	GDate today;

	g_array_set_clear_func(out, lottery_clear);
	g_date_clear(&today, 1);
	g_date_set_parse(&today, f->today);
	for (guint i = 0; i < blocks->len && out->len < MAX_LOTTERIES; i++) {
		const char *b = g_ptr_array_index(blocks, i);
		const struct digestdb_list *cb = &f->lists[DIGESTDB_COMPLETE_BY_BLOCK];
		struct lottery l = { 0 };
		GDate draw, start;
		char iso[16];
		int drawn;
		if (!g_date_valid(&today) || !guide_block_dates(r, b, &draw, NULL))
			continue;
		g_date_clear(&start, 1);
		g_date_set_parse(&start, rules_block_start(r, b));
		if (!g_date_valid(&start) || g_date_compare(&start, &today) <= 0)
			continue;
		if ((drawn = lottery_drawn(st, b, NULL, NULL, err)) < 0) {
			g_array_unref(out);
			return NULL;
		}
		if (drawn > 0)
			continue;
		g_date_strftime(iso, sizeof iso, "%Y-%m-%d", &draw);
		l.words = rules_block_words(r, b);
		l.day = words_date(iso);
		l.in_days = MAX(g_date_days_between(&today, &draw), 0);
		for (guint k = 0; k < cb->rows->len; k++) {
			const struct digestdb_row *row = g_ptr_array_index(cb->rows, k);
			if (strcmp(row->col[0], b) == 0)
				l.complete = row->n;
		}
		g_array_append_val(out, l);
	}
	return out;
}

struct slot {
	char *block, *course;
	char *label;
	gint64 taken, wanted;
	int seats;
};

static void
slot_free(gpointer p)
{
	struct slot *s = p;

	g_free(s->block);
	g_free(s->course);
	g_free(s->label);
	g_free(s);
}

static int
slot_cmp(gconstpointer a, gconstpointer b)
{
	const struct slot *x = *(const struct slot *const *)a, *y = *(const struct slot *const *)b;
	int c = strcmp(x->block, y->block);

	return c != 0 ? c : strcmp(x->course, y->course);
}

/* Course and block pairs with a seat taken or wanted, of blocks not ended. */
static GPtrArray *
slots(const struct config *cfg, const struct figures *f)
{
	g_autoptr(GHashTable) by = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GPtrArray *out = g_ptr_array_new_with_free_func(slot_free);
	const enum digestdb_what src[2] = { DIGESTDB_TAKEN, DIGESTDB_WANTED };

	for (int k = 0; k < 2; k++) {
		const struct digestdb_list *l = &f->lists[src[k]];
		for (guint i = 0; i < l->rows->len; i++) {
			const struct digestdb_row *r = g_ptr_array_index(l->rows, i);
			const char *end = cfg->rules ? rules_block_end(cfg->rules, r->col[0]) : NULL;
			g_autofree char *key = g_strdup_printf("%s\n%s", r->col[0], r->col[1]);
			struct slot *s = g_hash_table_lookup(by, key);
			if (end != NULL && strcmp(end, f->today) < 0)
				continue;	/* over */
			if (s == NULL) {
				const struct course_info *ci = cfg->rules ?
				    rules_course(cfg->rules, r->col[1]) : NULL;
				s = g_new0(struct slot, 1);
				s->block = g_strdup(r->col[0]);
				s->course = g_strdup(r->col[1]);
				s->seats = cfg->rules ? rules_seats(cfg->rules, r->col[1], r->col[0]) : 0;
				s->label = g_strdup_printf("%s %s%s%s", s->block, s->course,
				    ci && ci->title ? " " : "", ci && ci->title ? ci->title : "");
				g_ptr_array_add(out, s);
				g_hash_table_insert(by, g_steal_pointer(&key), s);
			}
			if (k == 0)
				s->taken = r->n;
			else
				s->wanted = r->n;
		}
	}
	g_ptr_array_sort(out, slot_cmp);
	return out;
}

static gboolean
figures_read(const struct config *cfg, Store *st, const char *today, struct figures *f,
    GError **err)
{
	g_autoptr(GPtrArray) blocks = cfg->rules ? rules_blocks(cfg->rules) : g_ptr_array_new();
	g_autoptr(GString) json = g_string_new("[");
	char year_ago[16] = "";
	struct digestdb_scope scope = { NULL, year_ago };
	GDate d;

	f->today = g_strdup(today);
	if (!digestdb_last(st, today, &f->last_day, &f->since, err))
		return FALSE;
	/* This term: the blocks not over (ids as JSON strings), the last year. */
	for (guint i = 0; i < blocks->len; i++) {
		const char *b = g_ptr_array_index(blocks, i), *end = rules_block_end(cfg->rules, b);
		if (end != NULL && strcmp(end, today) < 0)
			continue;
		g_string_append(json, json->len > 1 ? ",\"" : "\"");
		for (const char *p = b; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				g_string_append_c(json, '\\');
			if ((guchar)*p >= 0x20)
				g_string_append_c(json, *p);
		}
		g_string_append_c(json, '"');
	}
	g_string_append_c(json, ']');
	scope.blocks = json->str;
	g_date_clear(&d, 1);
	g_date_set_parse(&d, today);
	if (g_date_valid(&d)) {
		g_date_subtract_days(&d, 365);
		g_date_strftime(year_ago, sizeof year_ago, "%Y-%m-%d", &d);
	}
	for (int i = 0; i < DIGESTDB_N; i++)
		if (!digestdb_read(st, i, f->since, &scope, &f->lists[i], err))
			return FALSE;
	return TRUE;
}

static gboolean
has_news(const struct figures *f)
{
	for (guint i = 0; i < G_N_ELEMENTS(sections); i++)
		if (f->lists[sections[i].what].total > 0)
			return TRUE;
	return FALSE;
}

gboolean
digest_render(const struct config *cfg, Store *st, const char *today, char **text, char **html,
    gboolean *news, GError **err)
{
	struct figures f = { 0 };
	struct process_ctx pc;
	g_autoptr(GString) t = g_string_new(NULL), h = g_string_new(NULL);
	g_autoptr(GArray) lots = NULL, status_bars = NULL, country_bars = NULL, seat_bars = NULL;
	g_autoptr(GPtrArray) sl = NULL;
	g_autofree char *day = words_date(today), *last = NULL;
	gboolean ok = FALSE;

	process_ctx_init(&pc, cfg, st);
	g_debug("digest for %s: reading its figures", today);	/* tests/e2e_digest.sh counts these */
	if (!figures_read(cfg, st, today, &f, err) || (lots = lotteries(cfg, st, &f, err)) == NULL)
		goto out;
	last = f.last_day ? words_date(f.last_day) : NULL;
	sl = slots(cfg, &f);
	seat_bars = g_array_new(FALSE, TRUE, sizeof(struct chart_bar));
	for (guint i = 0; i < sl->len; i++) {
		const struct slot *s = g_ptr_array_index(sl, i);
		struct chart_bar b = { s->label, s->taken, s->seats };
		g_array_append_val(seat_bars, b);
	}
	status_bars = g_array_new(FALSE, TRUE, sizeof(struct chart_bar));
	for (guint i = 0; i < f.lists[DIGESTDB_BY_STATUS].rows->len; i++) {
		const struct digestdb_row *r = g_ptr_array_index(f.lists[DIGESTDB_BY_STATUS].rows, i);
		struct chart_bar b = { r->col[0], r->n, -1 };
		g_array_append_val(status_bars, b);
	}
	country_bars = g_array_new(FALSE, TRUE, sizeof(struct chart_bar));
	for (guint i = 0; i < f.lists[DIGESTDB_BY_COUNTRY].rows->len; i++) {
		const struct digestdb_row *r = g_ptr_array_index(f.lists[DIGESTDB_BY_COUNTRY].rows, i);
		struct chart_bar b = { *r->col[0] ? r->col[0] : "(not given)", r->n, -1 };
		g_array_append_val(country_bars, b);
	}

	/* The text. */
	g_string_append_printf(t, "%s: daily digest for %s\n", pc.program, day);
	if (last != NULL)
		g_string_append_printf(t, "New since the digest of %s.\n", last);
	else
		g_string_append(t, "The first digest: \"new\" means everything so far.\n");
	g_string_append(t, "\nSummary\n");
	for (guint i = 0; i < G_N_ELEMENTS(sections); i++) {
		char fig[24];
		g_snprintf(fig, sizeof fig, "%" G_GINT64_FORMAT, f.lists[sections[i].what].total);
		g_string_append(t, "  ");
		cell(t, sections[i].title, 58, FALSE);
		cell(t, fig, 6, TRUE);
		end_line(t);
	}
	for (guint i = 0; i < G_N_ELEMENTS(sections); i++)
		text_section(t, &sections[i], &f.lists[sections[i].what]);
	g_string_append(t, "\nLotteries to come\n");
	if (lots->len == 0)
		g_string_append(t, "  none\n");
	else {
		g_string_append(t, "  ");
		cell(t, "Block", 30, FALSE);
		g_string_append(t, " ");
		cell(t, "Lottery on", 17, FALSE);
		g_string_append(t, " ");
		cell(t, "In days", 7, TRUE);
		g_string_append(t, " ");
		cell(t, "Complete", 8, TRUE);
		end_line(t);
	}
	for (guint i = 0; i < lots->len; i++) {
		const struct lottery *l = &g_array_index(lots, struct lottery, i);
		char a[16], b[24];
		g_snprintf(a, sizeof a, "%d", l->in_days);
		g_snprintf(b, sizeof b, "%" G_GINT64_FORMAT, l->complete);
		g_string_append(t, "  ");
		cell(t, l->words, 30, FALSE);
		g_string_append(t, " ");
		cell(t, l->day, 17, FALSE);
		g_string_append(t, " ");
		cell(t, a, 7, TRUE);
		g_string_append(t, " ");
		cell(t, b, 8, TRUE);
		end_line(t);
	}
	text_chart(t, "Seats taken of seats, by block and course (# taken, . free)",
	    (struct chart_bar *)(void *)seat_bars->data, seat_bars->len);
	if (sl->len > 0) {
		g_string_append(t, "\n  Wanted: applications (not cancelled) that chose each one\n");
		for (guint i = 0; i < sl->len && i < CHARTS_MAX_BARS; i++) {
			const struct slot *s = g_ptr_array_index(sl, i);
			char fig[24];
			g_snprintf(fig, sizeof fig, "%" G_GINT64_FORMAT, s->wanted);
			g_string_append(t, "  ");
			cell(t, s->label, 28, FALSE);
			g_string_append_c(t, ' ');
			cell(t, fig, 7, TRUE);
			end_line(t);
		}
	}
	text_chart(t, "Applications by status", (struct chart_bar *)(void *)status_bars->data,
	    status_bars->len);
	text_chart(t, "Applications by country (cancelled ones aside)",
	    (struct chart_bar *)(void *)country_bars->data, country_bars->len);
	g_string_append(t, "\nEach list shows its first 25 lines; the command in brackets\n"
	    "shows them all.\n");

	/* The HTML: the same figures, and the charts. */
	g_string_append(h, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n"
	    "<head>\n<meta charset=\"utf-8\"/>\n<title>");
	html_text(h, pc.program);
	g_string_append_printf(h, ": daily digest for %s</title>\n<style>\n"
	    "body { font-family: Arial, Helvetica, sans-serif; color: #1a202c; max-width: 720px;"
	    " margin: 16px; }\n"
	    "table { border-collapse: collapse; margin: 4px 0 12px 0; }\n"
	    "th, td { border: 1px solid #cbd5e0; padding: 3px 8px; text-align: left; font-size: 14px; }\n"
	    "th { background: #edf2f7; }\ntd.n { text-align: right; }\n"
	    "h1 { font-size: 22px; }\nh2 { font-size: 17px; margin-top: 20px; }\n"
	    "</style>\n</head>\n<body>\n<h1>", day);
	html_text(h, pc.program);
	g_string_append_printf(h, ": daily digest for %s</h1>\n<p>", day);
	if (last != NULL)
		g_string_append_printf(h, "New since the digest of %s.", last);
	else
		g_string_append(h, "The first digest: \"new\" means everything so far.");
	g_string_append(h, "</p>\n<h2>Summary</h2>\n<table>\n");
	for (guint i = 0; i < G_N_ELEMENTS(sections); i++) {
		g_string_append(h, "<tr><td>");
		html_text(h, sections[i].title);
		g_string_append_printf(h, "</td><td class=\"n\">%" G_GINT64_FORMAT "</td></tr>\n",
		    f.lists[sections[i].what].total);
	}
	g_string_append(h, "</table>\n");
	for (guint i = 0; i < G_N_ELEMENTS(sections); i++)
		html_section(h, &sections[i], &f.lists[sections[i].what]);
	g_string_append(h, "<h2>Lotteries to come</h2>\n");
	if (lots->len == 0)
		g_string_append(h, "<p>none</p>\n");
	else
		g_string_append(h, "<table>\n<tr><th>Block</th><th>Lottery on</th><th>In days</th>"
		    "<th>Complete applications</th></tr>\n");
	for (guint i = 0; i < lots->len; i++) {
		const struct lottery *l = &g_array_index(lots, struct lottery, i);
		g_string_append(h, "<tr><td>");
		html_text(h, l->words);
		g_string_append(h, "</td><td>");
		html_text(h, l->day);
		g_string_append_printf(h, "</td><td class=\"n\">%d</td><td class=\"n\">%"
		    G_GINT64_FORMAT "</td></tr>\n", l->in_days, l->complete);
	}
	if (lots->len > 0)
		g_string_append(h, "</table>\n");
	{
		g_autofree char *seats = charts_bars("Seats taken of seats, by block and course",
		    "seats", (struct chart_bar *)(void *)seat_bars->data, seat_bars->len, 0);
		g_autofree char *status = charts_bars("Applications by status", "applications",
		    (struct chart_bar *)(void *)status_bars->data, status_bars->len, 0);
		g_autofree char *country = charts_bars("Applications by country (cancelled ones "
		    "aside)", "applications", (struct chart_bar *)(void *)country_bars->data,
		    country_bars->len, 0);
		g_string_append_printf(h, "<h2>Seats</h2>\n<div>%s</div>\n", seats);
		if (sl->len > 0) {
			g_string_append(h, "<table>\n<tr><th>Block and course</th><th>Taken</th>"
			    "<th>Seats</th><th>Wanted</th></tr>\n");
			for (guint i = 0; i < sl->len; i++) {
				const struct slot *s = g_ptr_array_index(sl, i);
				g_string_append(h, "<tr><td>");
				html_text(h, s->label);
				g_string_append_printf(h, "</td><td class=\"n\">%" G_GINT64_FORMAT
				    "</td><td class=\"n\">%d</td><td class=\"n\">%" G_GINT64_FORMAT
				    "</td></tr>\n", s->taken, s->seats, s->wanted);
			}
			g_string_append(h, "</table>\n");
		}
		g_string_append_printf(h, "<h2>Applications</h2>\n<div>%s</div>\n<div>%s</div>\n",
		    status, country);
	}
	g_string_append(h, "<p>Each list shows its first 25 lines; the command in brackets shows "
	    "them all.</p>\n</body>\n</html>\n");

	*news = has_news(&f);
	*text = g_string_free(g_steal_pointer(&t), FALSE);
	if (html != NULL)
		*html = g_string_free(g_steal_pointer(&h), FALSE);
	ok = TRUE;
out:
	figures_clear(&f);
	process_ctx_clear(&pc);
	return ok;
}

/* Has the digest's hour come, in the program's time zone? */
static gboolean
hour_come(const struct config *cfg)
{
	g_autoptr(GTimeZone) zone = cfg->timezone ? g_time_zone_new_identifier(cfg->timezone) :
	    g_time_zone_new_local();
	g_autoptr(GDateTime) now = NULL;

	if (zone == NULL)
		zone = g_time_zone_new_utc();
	now = g_date_time_new_now(zone);
	return g_date_time_get_hour(now) >= cfg->digest_hour;
}

int
digest_due(const struct config *cfg, Store *st, GError **err)
{
	g_autofree char *today = util_today(cfg->timezone);
	g_autofree char *text = NULL, *html = NULL, *day = NULL, *subject = NULL;
	g_autofree char *kind = NULL;
	gboolean news = FALSE;
	int sent, queued = 0;

	if (cfg->digest_hour < 0 || cfg->staff == NULL || cfg->staff[0] == NULL ||
	    !hour_come(cfg))
		return 0;
	if (!store_begin(st, err))
		return -1;
	/* Sent today: nothing to render (a pass comes with every new message). */
	if ((sent = digestdb_sent(st, today, err)) < 0)
		goto fail;
	if (sent > 0) {
		store_rollback(st);
		return 0;
	}
	if (!digest_render(cfg, st, today, &text, &html, &news, err))
		goto fail;
	if (!news) {
		store_rollback(st);
		return 0;
	}
	day = words_date(today);
	subject = g_strdup_printf("[clerkd] Daily digest for %s", day);
	kind = g_strdup_printf("digest:%s", today);
	for (int i = 0; cfg->staff[i] != NULL; i++) {
		g_autofree char *msgid = reply_message_id(kind, "", cfg->staff[i], cfg->from_addr);
		g_autoptr(GBytes) raw = NULL;
		struct reply r = { 0 };
		r.from = cfg->from;
		r.to_addr = cfg->staff[i];
		r.subject = subject;
		r.message_id = msgid;
		r.body = text;
		r.html = html;
		raw = reply_build(&r);
		if (!outboxdb_add(st, 0, 0, kind, cfg->staff[i], msgid, raw, OUTBOX_QUEUED, err))
			goto fail;
		queued++;
	}
	if (!store_commit(st, err))
		goto fail;
	g_message("digest for %s queued for %d staff address%s", today, queued,
	    queued == 1 ? "" : "es");
	return queued;
fail:
	store_rollback(st);
	return -1;
}
