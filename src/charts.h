/* charts.h: horizontal bar charts as inline SVG, for mail read in a browser or
 * a mail client: axes with ticks, a label per bar, its value at its end. Pure
 * (GLib only). Labels come from data and mail (course titles, countries): each
 * is cleaned (valid UTF-8, no control characters), shortened and escaped. */
#ifndef CLERK_CHARTS_H
#define CLERK_CHARTS_H

#include <glib.h>

#define CHARTS_MAX_BARS 20	/* more: the first CHARTS_MAX_BARS - 1 and "others" */

struct chart_bar {
	const char *label;
	gint64 value;		/* the bar (>= 0) */
	gint64 capacity;	/* a fill chart: the whole (seats); -1 for a plain count */
};

/* An <svg> element (a new string): bars in the order given (the caller sorts),
 * the first max_bars - 1 of them and one "others (N)" for the rest when there
 * are more than max_bars (0: CHARTS_MAX_BARS). A fill chart (any capacity
 * >= 0) draws each capacity as a pale bar behind its value, labelled "3 of 8".
 * title names the chart, axis the unit of its x axis ("seats"). */
char *charts_bars(const char *title, const char *axis, const struct chart_bar *bars, guint n,
    guint max_bars);

/* Text made safe for XML, at most max characters (an ellipsis when cut). New string. */
char *charts_escape(const char *text, glong max);

#endif
