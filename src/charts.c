/* charts.c: bar charts as SVG (see charts.h). The geometry is fixed: a label
 * column on the left, the plot, room for the values on the right; the x axis
 * runs from 0 to a round number with four to six ticks. */
#include "charts.h"

#include <string.h>

#define W 680		/* the whole chart */
#define LABEL_W 230	/* the labels' column (right-aligned at LABEL_W - 8) */
#define PLOT_W 340	/* the plot; the values get W - LABEL_W - PLOT_W */
#define TOP 44		/* the title */
#define BAR_H 18
#define GAP 8
#define BOTTOM 48	/* ticks and the axis title */
#define LABEL_CHARS 34

char *
charts_escape(const char *text, glong max)
{
	g_autofree char *valid = g_utf8_make_valid(text ? text : "", -1);
	g_autoptr(GString) s = g_string_new(NULL);
	glong n = 0;

	for (const char *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (n == max - 1 && g_utf8_strlen(p, -1) > 1) {
			g_string_append_unichar(s, 0x2026);	/* … */
			break;
		}
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0xfffe || c == 0xffff)
			c = ' ';
		g_string_append_unichar(s, c);
		n++;
	}
	return g_markup_escape_text(s->str, -1);
}

/* A round step for ticks from 0 to max: 1, 2 or 5 times a power of ten. */
static gint64
tick_step(gint64 max)
{
	gint64 step = 1;

	for (;;) {
		if (max / step <= 5)
			return step;
		if (max / (step * 2) <= 5)
			return step * 2;
		if (max / (step * 5) <= 5)
			return step * 5;
		step *= 10;
	}
}

char *
charts_bars(const char *title, const char *axis, const struct chart_bar *bars, guint n,
    guint max_bars)
{
	g_autoptr(GString) s = g_string_new(NULL);
	g_autofree char *t = charts_escape(title, 120), *a = charts_escape(axis, 60);
	g_autoptr(GArray) list = g_array_new(FALSE, TRUE, sizeof(struct chart_bar));
	g_autofree char *others = NULL;
	gboolean fill = FALSE;
	gint64 top = 0, step, axis_max;
	guint rows, h;
	int plot_h;

	if (max_bars < 2)
		max_bars = CHARTS_MAX_BARS;
	for (guint i = 0; i < n; i++)
		fill |= bars[i].capacity >= 0;
	for (guint i = 0; i < n && i < (n > max_bars ? max_bars - 1 : n); i++)
		g_array_append_val(list, bars[i]);
	if (n > max_bars) {
		struct chart_bar rest = { NULL, 0, fill ? 0 : -1 };
		for (guint i = max_bars - 1; i < n; i++) {
			rest.value += MAX(bars[i].value, 0);
			if (fill)
				rest.capacity += MAX(bars[i].capacity, 0);
		}
		others = g_strdup_printf("others (%u)", n - (max_bars - 1));
		rest.label = others;
		g_array_append_val(list, rest);
	}
	for (guint i = 0; i < list->len; i++) {
		const struct chart_bar *b = &g_array_index(list, struct chart_bar, i);
		top = MAX(top, MAX(b->value, b->capacity));
	}
	step = tick_step(MAX(top, 1));
	axis_max = ((MAX(top, 1) + step - 1) / step) * step;
	rows = MAX(list->len, 1);
	plot_h = rows * (BAR_H + GAP) + GAP;
	h = TOP + plot_h + BOTTOM + (fill ? 22 : 0);

	g_string_append_printf(s, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%u\" viewBox=\"0 0 %d %u\" role=\"img\" aria-label=\"%s\" "
	    "font-family=\"Arial, Helvetica, sans-serif\" font-size=\"13\">\n", W, h, W, h, t);
	g_string_append_printf(s, "<title>%s</title>\n", t);
	g_string_append(s, "<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
	g_string_append_printf(s, "<text class=\"title\" x=\"8\" y=\"24\" font-size=\"16\" "
	    "font-weight=\"bold\" fill=\"#1a202c\">%s</text>\n", t);
	/* Grid lines and ticks on the x axis. */
	for (gint64 v = 0; v <= axis_max; v += step) {
		double x = LABEL_W + (double)v * PLOT_W / axis_max;
		g_string_append_printf(s, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
		    "stroke=\"#e2e8f0\"/>\n", x, TOP, x, TOP + plot_h);
		g_string_append_printf(s, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" "
		    "text-anchor=\"middle\" fill=\"#4a5568\">%" G_GINT64_FORMAT "</text>\n",
		    x, TOP + plot_h + 18, v);
	}
	for (guint i = 0; i < list->len; i++) {
		const struct chart_bar *b = &g_array_index(list, struct chart_bar, i);
		g_autofree char *label = charts_escape(b->label, LABEL_CHARS);
		g_autofree char *full = charts_escape(b->label, 200);
		int y = TOP + GAP + i * (BAR_H + GAP);
		gint64 v = MAX(b->value, 0), c = MAX(b->capacity, 0);
		double w = (double)v * PLOT_W / axis_max, cw = (double)c * PLOT_W / axis_max;
		gboolean full_up = fill && c > 0 && v >= c;
		g_autofree char *value = fill ? g_strdup_printf("%" G_GINT64_FORMAT " of %"
		    G_GINT64_FORMAT, v, c) : g_strdup_printf("%" G_GINT64_FORMAT, v);

		g_string_append_printf(s, "<g><title>%s: %s</title>\n", full, value);
		g_string_append_printf(s, "<text class=\"label\" x=\"%d\" y=\"%d\" "
		    "text-anchor=\"end\" fill=\"#1a202c\">%s</text>\n", LABEL_W - 8, y + 13, label);
		if (fill)
			g_string_append_printf(s, "<rect class=\"capacity\" x=\"%d\" y=\"%d\" "
			    "width=\"%.2f\" height=\"%d\" fill=\"#edf2f7\" stroke=\"#a0aec0\"/>\n",
			    LABEL_W, y, cw, BAR_H);
		g_string_append_printf(s, "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%.2f\" "
		    "height=\"%d\" fill=\"%s\"/>\n", LABEL_W, y, w, BAR_H,
		    full_up ? "#c05621" : "#2b6cb0");
		g_string_append_printf(s, "<text class=\"value\" x=\"%.1f\" y=\"%d\" "
		    "fill=\"#1a202c\">%s%s</text>\n</g>\n", LABEL_W + MAX(w, cw) + 6, y + 13, value,
		    full_up ? " (full)" : "");
	}
	if (list->len == 0)
		g_string_append_printf(s, "<text x=\"%d\" y=\"%d\" fill=\"#4a5568\">none</text>\n",
		    LABEL_W + 8, TOP + GAP + 13);
	/* The axes: y at the labels' edge, x under the bars, and the x axis's title. */
	g_string_append_printf(s, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#1a202c\"/>\n", LABEL_W, TOP, LABEL_W, TOP + plot_h);
	g_string_append_printf(s, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#1a202c\"/>\n", LABEL_W, TOP + plot_h, LABEL_W + PLOT_W, TOP + plot_h);
	g_string_append_printf(s, "<text class=\"axis-title\" x=\"%d\" y=\"%d\" "
	    "text-anchor=\"middle\" fill=\"#1a202c\">%s</text>\n", LABEL_W + PLOT_W / 2,
	    TOP + plot_h + 38, a);
	if (fill) {
		int y = TOP + plot_h + 50;
		g_string_append_printf(s, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"12\" "
		    "fill=\"#2b6cb0\"/><text x=\"%d\" y=\"%d\" fill=\"#1a202c\">taken</text>\n"
		    "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"12\" fill=\"#edf2f7\" "
		    "stroke=\"#a0aec0\"/><text x=\"%d\" y=\"%d\" fill=\"#1a202c\">seats</text>\n"
		    "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"12\" fill=\"#c05621\"/>"
		    "<text x=\"%d\" y=\"%d\" fill=\"#1a202c\">full</text>\n",
		    LABEL_W, y, LABEL_W + 20, y + 11, LABEL_W + 80, y, LABEL_W + 100, y + 11,
		    LABEL_W + 160, y, LABEL_W + 180, y + 11);
	}
	g_string_append(s, "</svg>\n");
	return g_string_free(g_steal_pointer(&s), FALSE);
}
