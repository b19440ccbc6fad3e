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
	GBytes *logo;			/* a PNG for the letterhead (letter_logo), or NULL */
};

/* The logo's limits: a PNG file of at most this many bytes and pixels a side. */
#define LETTER_LOGO_MAX_BYTES (1024 * 1024)
#define LETTER_LOGO_MAX_SIDE 4096

/* Read and check a logo (policy letter_logo): a PNG that cairo can draw,
 * within the limits above. NULL with err saying what is wrong. */
GBytes *letter_logo_load(const char *path, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* One PDF page or more (a long text flows on); the logo, if any, at the
 * letterhead's left, 18 mm high (aspect kept; narrower if very wide); a
 * logo cairo cannot draw is left out. NULL with err for a date that
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
