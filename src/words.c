/* words.c: words and dates as people write them, made comparable (pure). */
#include "words.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lower case, accents and punctuation gone, words split where letters meet
 * digits or a capital follows a small letter, one space between words:
 * "Dean's letter_PPD2.pdf" -> "deans letter ppd 2 pdf". */
char *
words_of(const char *s, gssize len)
{
	/* Without a length, at most WORDS_MAX bytes come out: read no more
	 * than a few times that (a 1 MB argument of matches() costs no more than
	 * 512 bytes do). */
	g_autofree char *valid = util_utf8_clean(s ? s : "", len < 0 ? (gssize)strnlen(s ? s : "",
	    4 * WORDS_MAX) : len, len < 0 ? WORDS_MAX : (gsize)len + 8);
	g_autofree char *nfd = g_utf8_normalize(valid, -1, G_NORMALIZE_NFKD);
	GString *out = g_string_new(NULL);
	gunichar prev = 0;

	for (const char *p = nfd ? nfd : ""; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (g_unichar_ismark(c) || c == '\'' || c == 0x2019)
			continue;
		if (!g_unichar_isalnum(c)) {
			if (out->len && out->str[out->len - 1] != ' ')
				g_string_append_c(out, ' ');
			prev = 0;
			continue;
		}
		if (prev && out->len && out->str[out->len - 1] != ' ' &&
		    ((g_unichar_isdigit(c) != g_unichar_isdigit(prev)) ||
		    (g_unichar_isupper(c) && g_unichar_islower(prev))))
			g_string_append_c(out, ' ');
		g_string_append_unichar(out, g_unichar_tolower(c));
		prev = c;
	}
	if (out->len && out->str[out->len - 1] == ' ')
		g_string_truncate(out, out->len - 1);
	return g_string_free(out, FALSE);
}

/* Does the phrase (already in words_of()) stand in text (in words_of()) as whole words?
 * Words are separated by one space, so that is " phrase " in " text ". The
 * first occurrence usually settles it; otherwise Knuth-Morris-Pratt over both,
 * the spaces added on the fly: linear in the text and the phrase, whatever
 * they hold (strstr() again after each near miss cost one phrase length per
 * word of the text: "ab ab ab ..." against "ab ab ... ab a"). */
gboolean
words_has_phrase(const char *text, const char *phrase)
{
	gsize n = strlen(phrase), m = n + 2, tn, k = 0;
	const char *first;
	gsize stack[64], *fail;
	gboolean found = FALSE;

#define PAT(i) ((i) == 0 || (i) == m - 1 ? ' ' : phrase[(i) - 1])
#define TXT(j) ((j) == 0 || (j) == tn + 1 ? ' ' : text[(j) - 1])
	if (n == 0 || (first = strstr(text, phrase)) == NULL)
		return FALSE;
	if ((first == text || first[-1] == ' ') && (first[n] == '\0' || first[n] == ' '))
		return TRUE;
	tn = strlen(text);
	fail = m <= G_N_ELEMENTS(stack) ? stack : g_new(gsize, m);
	fail[0] = 0;
	for (gsize i = 1; i < m; i++) {
		while (k > 0 && PAT(i) != PAT(k))
			k = fail[k - 1];
		if (PAT(i) == PAT(k))
			k++;
		fail[i] = k;
	}
	k = 0;
	for (gsize j = 0; j < tn + 2 && !found; j++) {
		while (k > 0 && TXT(j) != PAT(k))
			k = fail[k - 1];
		if (TXT(j) == PAT(k))
			k++;
		found = k == m;
	}
#undef PAT
#undef TXT
	if (fail != stack)
		g_free(fail);
	return found;
}

/* "2027-05", "2027-05-14", "05/2027", "May 2027", "2027 May": the date, the
 * first of the month when no day is given. */
gboolean
words_parse_date(const char *s, GDate *out)
{
	static const char *const months[] = { "jan", "feb", "mar", "apr", "may", "jun", "jul",
		"aug", "sep", "oct", "nov", "dec" };
	int y = 0, m = 0, d = 1;
	g_autofree char *w = NULL;
	g_auto(GStrv) parts = NULL;

	if (s == NULL)
		return FALSE;
	if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) >= 2 || sscanf(s, "%4d/%2d/%2d", &y, &m, &d) >= 2)
		;
	else {
		d = 1;
		y = m = 0;
		w = words_of(s, -1);
		parts = g_strsplit(w, " ", 8);
		for (int i = 0; parts[i] != NULL; i++) {
			int n = atoi(parts[i]);
			if (strlen(parts[i]) == 4 && n > 1900)
				y = n;
			else if (n >= 1 && n <= 12 && m == 0 && g_ascii_isdigit(parts[i][0]))
				m = n;
			else
				for (int k = 0; k < 12; k++)
					if (g_str_has_prefix(parts[i], months[k]))
						m = k + 1;
		}
	}
	if (m == 0 && y > 0 && parts != NULL)
		m = 6;	/* "2027" alone: graduations fall mid-year */
	if (!g_date_valid_dmy(d, m, y))
		return FALSE;
	g_date_clear(out, 1);
	g_date_set_dmy(out, d, m, y);
	return TRUE;
}

static const char *const month_names[] = { "January", "February", "March", "April", "May",
	"June", "July", "August", "September", "October", "November", "December" };

/* "2026-10-12" -> "12 October 2026", in English whatever the locale; any
 * other text comes back as it was. */
char *
words_date(const char *iso)
{
	int y, m, d;
	char tail;

	if (iso == NULL)
		return g_strdup("");
	if (sscanf(iso, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || !g_date_valid_dmy(d, m, y))
		return g_strdup(iso);
	return g_strdup_printf("%d %s %d", d, month_names[m - 1], y);
}

char *
words_date_range(const char *start, const char *end)
{
	int y1, m1, d1, y2, m2, d2;
	char tail;

	if (start == NULL || end == NULL ||
	    sscanf(start, "%4d-%2d-%2d%c", &y1, &m1, &d1, &tail) != 3 || !g_date_valid_dmy(d1, m1, y1) ||
	    sscanf(end, "%4d-%2d-%2d%c", &y2, &m2, &d2, &tail) != 3 || !g_date_valid_dmy(d2, m2, y2))
		return g_strdup_printf("%s to %s", start ? start : "?", end ? end : "?");
	if (y1 == y2 && m1 == m2)
		return g_strdup_printf("%d-%d %s %d", d1, d2, month_names[m1 - 1], y1);
	if (y1 == y2)
		return g_strdup_printf("%d %s to %d %s %d", d1, month_names[m1 - 1], d2,
		    month_names[m2 - 1], y2);
	return g_strdup_printf("%d %s %d to %d %s %d", d1, month_names[m1 - 1], y1, d2,
	    month_names[m2 - 1], y2);
}

char *
words_gdate(const GDate *d)
{
	if (d == NULL || !g_date_valid(d))
		return g_strdup("?");
	return g_strdup_printf("%d %s %d", g_date_get_day(d), month_names[g_date_get_month(d) - 1],
	    g_date_get_year(d));
}

const char *
words_subject_core(const char *s, gsize prefix_max, char **first)
{
	if (first != NULL)
		*first = NULL;
	for (;;) {
		const char *p = s, *q;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '[' && (q = strchr(p, ']')) != NULL) {
			s = q + 1;
			continue;
		}
		for (q = p; g_ascii_isalpha(*q); q++)
			;
		if (q > p && (gsize)(q - p) <= prefix_max && *q == ':') {
			if (first != NULL && *first == NULL)
				*first = g_ascii_strdown(p, q - p);
			s = q + 1;
			continue;
		}
		if (first != NULL && *first == NULL)
			*first = g_strdup("");
		return p;
	}
}

char *
words_month(const char *iso)
{
	int y, m;

	if (iso == NULL || sscanf(iso, "%4d-%2d", &y, &m) != 2 || m < 1 || m > 12)
		return g_strdup(iso ? iso : "");
	return g_strdup_printf("%s %d", month_names[m - 1], y);
}
