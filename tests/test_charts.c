/* test_charts: SVG bar charts (charts.h): labels escaped, axes and their
 * labels there, bars as long as their values say, a cap on the bars, and
 * well-formed XML (GMarkup parses it). */
#include "charts.h"

#include <stdlib.h>
#include <string.h>

static guint
count(const char *hay, const char *needle)
{
	guint n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* The widths of the rects of a class, in order. */
static GArray *
widths(const char *svg, const char *cls)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(double));
	g_autofree char *needle = g_strdup_printf("<rect class=\"%s\"", cls);

	for (const char *p = svg; (p = strstr(p, needle)) != NULL; p++) {
		const char *w = strstr(p, "width=\"");
		double v;
		g_assert_nonnull(w);
		v = g_ascii_strtod(w + 7, NULL);
		g_array_append_val(out, v);
	}
	return out;
}

static void
well_formed(const char *svg)
{
	static const GMarkupParser none = { 0 };
	g_autoptr(GMarkupParseContext) ctx = g_markup_parse_context_new(&none, 0, NULL, NULL);
	g_autoptr(GError) err = NULL;

	if (!g_markup_parse_context_parse(ctx, svg, -1, &err) ||
	    !g_markup_parse_context_end_parse(ctx, &err))
		g_error("not well-formed: %s\n%s", err->message, svg);
}

static void
test_escaped(void)
{
	const struct chart_bar bars[] = {
		{ "<script>alert(1)</script> & \"Côte d'Ivoire\"", 3, -1 },
		{ "bell\x07 and\nnewline", 1, -1 },
		{ "bad \xff utf-8", 2, -1 },
	};
	g_autofree char *svg = charts_bars("Applications by <country>", "applications & more",
	    bars, G_N_ELEMENTS(bars), 0);

	well_formed(svg);
	g_assert_null(strstr(svg, "<script"));
	g_assert_nonnull(strstr(svg, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Côte d&apos;"));
	g_assert_nonnull(strstr(svg, "Applications by &lt;country&gt;"));
	g_assert_nonnull(strstr(svg, "applications &amp; more"));
	g_assert_null(strchr(svg, '\x07'));
	g_assert_nonnull(strstr(svg, "bell  and newline"));
	g_assert_true(g_utf8_validate(svg, -1, NULL));
}

static void
test_axes(void)
{
	const struct chart_bar bars[] = { { "complete", 12, -1 }, { "incomplete", 7, -1 } };
	g_autofree char *svg = charts_bars("Applications by status", "applications", bars, 2, 0);

	well_formed(svg);
	g_assert_cmpuint(count(svg, "class=\"axis\""), ==, 2);
	g_assert_nonnull(strstr(svg, ">Applications by status</text>"));
	g_assert_nonnull(strstr(svg, "class=\"axis-title\""));
	g_assert_nonnull(strstr(svg, ">applications</text>"));
	/* Ticks from 0 to a round number at or above the largest value. */
	g_assert_nonnull(strstr(svg, "class=\"tick\""));
	g_assert_nonnull(strstr(svg, ">0</text>"));
	g_assert_nonnull(strstr(svg, ">12</text>"));	/* the value at the bar's end */
	g_assert_cmpuint(count(svg, "class=\"tick\""), >=, 3);
	g_assert_cmpuint(count(svg, "class=\"tick\""), <=, 7);
	g_assert_nonnull(strstr(svg, ">complete</text>"));
	g_assert_nonnull(strstr(svg, ">incomplete</text>"));
	g_assert_null(strstr(svg, "<script"));
	g_assert_null(strstr(svg, "href"));	/* nothing fetched */
}

static void
test_proportional(void)
{
	const struct chart_bar bars[] = { { "a", 10, -1 }, { "b", 5, -1 }, { "c", 0, -1 },
		{ "d", 1, -1 } };
	g_autofree char *svg = charts_bars("t", "x", bars, 4, 0);
	g_autoptr(GArray) w = widths(svg, "bar");

	g_assert_cmpuint(w->len, ==, 4);
	g_assert_cmpfloat(g_array_index(w, double, 0), >, 0);
	g_assert_cmpfloat_with_epsilon(g_array_index(w, double, 1) * 2,
	    g_array_index(w, double, 0), 0.05);
	g_assert_cmpfloat_with_epsilon(g_array_index(w, double, 3) * 10,
	    g_array_index(w, double, 0), 0.5);
	g_assert_cmpfloat(g_array_index(w, double, 2), ==, 0);
}

static void
test_fill(void)
{
	const struct chart_bar bars[] = { { "2027-04 IM-401", 3, 8 }, { "2027-04 SU-402", 4, 4 },
		{ "2027-05 IM-401", 0, 6 } };
	g_autofree char *svg = charts_bars("Seats", "seats", bars, 3, 0);
	g_autoptr(GArray) w = widths(svg, "bar"), c = widths(svg, "capacity");

	well_formed(svg);
	g_assert_nonnull(strstr(svg, ">3 of 8</text>"));
	g_assert_nonnull(strstr(svg, ">4 of 4 (full)</text>"));
	g_assert_nonnull(strstr(svg, ">0 of 6</text>"));
	g_assert_cmpuint(c->len, ==, 3);
	/* taken against seats: 3/8 of the pale bar. */
	g_assert_cmpfloat_with_epsilon(g_array_index(w, double, 0) * 8,
	    g_array_index(c, double, 0) * 3, 0.1);
	g_assert_cmpfloat_with_epsilon(g_array_index(w, double, 1), g_array_index(c, double, 1), 0.01);
	g_assert_nonnull(strstr(svg, ">taken</text>"));	/* the legend */
}

static void
test_cap(void)
{
	struct chart_bar bars[25];
	char names[25][16];
	g_autofree char *svg = NULL;
	g_autoptr(GArray) w = NULL;

	for (int i = 0; i < 25; i++) {
		g_snprintf(names[i], sizeof names[i], "country %02d", i);
		bars[i] = (struct chart_bar){ names[i], 25 - i, -1 };
	}
	svg = charts_bars("t", "x", bars, 25, 0);
	w = widths(svg, "bar");
	well_formed(svg);
	g_assert_cmpuint(w->len, ==, CHARTS_MAX_BARS);
	g_assert_nonnull(strstr(svg, ">country 18</text>"));
	g_assert_null(strstr(svg, ">country 19</text>"));
	/* The last six (7 + 6 + 5 + 4 + 3 + 2 + 1 minus nothing: 6..1 = 21) together. */
	g_assert_nonnull(strstr(svg, ">others (6)</text>"));
	g_assert_nonnull(strstr(svg, ">21</text>"));
	/* A long label is cut, with an ellipsis. */
	{
		const struct chart_bar one = { "Internal Medicine Subinternship at the University "
		    "Hospital of Somewhere", 1, -1 };
		g_autofree char *s = charts_bars("t", "x", &one, 1, 0);
		g_assert_nonnull(strstr(s, "\u2026</text>"));
	}
}

static void
test_empty(void)
{
	g_autofree char *svg = charts_bars("Seats", "seats", NULL, 0, 0);

	well_formed(svg);
	g_assert_nonnull(strstr(svg, ">none</text>"));
	g_assert_cmpuint(count(svg, "class=\"axis\""), ==, 2);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/charts/escaped", test_escaped);
	g_test_add_func("/charts/axes", test_axes);
	g_test_add_func("/charts/proportional", test_proportional);
	g_test_add_func("/charts/fill", test_fill);
	g_test_add_func("/charts/cap", test_cap);
	g_test_add_func("/charts/empty", test_empty);
	return g_test_run();
}
