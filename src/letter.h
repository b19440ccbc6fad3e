/* letter.h: the acceptance letter (PDF) for a seat in one block, rendered
 * with cairo and pango from a text staff edit (rules/templates/letter.txt,
 * already rendered with its {{...}} values). Pure: the same data gives the
 * same bytes (the PDF's dates come from the data, never from the clock), so
 * a resend is byte-identical. */
#ifndef CLERK_LETTER_H
#define CLERK_LETTER_H

#include <glib.h>

struct letter_data {
	const char *program;		/* the letterhead */
	const char *date;		/* YYYY-MM-DD: the letter's date, also the PDF's */
	const char *text;		/* UTF-8: address block, body and signatory */
	const char *paper;		/* "a4" or "letter" (policy letter_paper); NULL: a4 */
	const char *title;		/* PDF title, may be NULL */
};

/* One PDF page or more (a long text flows on). NULL with err for a date that
 * is not a date, an unknown paper, or text that is not UTF-8. */
GBytes *letter_pdf(const struct letter_data *l, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* letter_pdf keeps the letters it rendered (by a digest of their data) and
 * gives the same bytes again for the same data without rendering them:
 * how often it did so, and forgetting them all. */
guint letter_cache_hits(void);
void letter_cache_clear(void);

/* "acceptance-letter-MED-401-2027-03.pdf" (only [A-Za-z0-9-] kept). */
char *letter_filename(const char *course, const char *block);

#endif
