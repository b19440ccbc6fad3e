/* words.h: words and dates as people write them, made comparable: file
 * names against document phrases, questions against the FAQ, form fields
 * against school lists, "May 2027" against a block. Pure. */
#ifndef CLERK_WORDS_H
#define CLERK_WORDS_H

#include <glib.h>

#define WORDS_MAX 512	/* bytes of words_of() output without a length */

/* Lower case, accents and punctuation gone, words split where letters meet
 * digits or a capital follows a small letter, one space between words:
 * "Dean's letter_PPD2.pdf" -> "deans letter ppd 2 pdf". len -1: NUL-terminated,
 * and then WORDS_MAX bytes at most come out. */
char *words_of(const char *s, gssize len);

/* Does the phrase (in words_of() form) stand in text (in words_of() form) as
 * whole words? Linear in both. */
gboolean words_has_phrase(const char *text, const char *phrase);

/* "2027-05", "2027-05-14", "05/2027", "May 2027", "2027 May": the date, the
 * first of the month when no day is given. */
gboolean words_parse_date(const char *s, GDate *out);

/* A date as students read it: "2026-10-12" -> "12 October 2026" (English
 * month names, whatever the locale); other text is returned as it was. */
char *words_date(const char *iso);
/* "2027-03" or "2027-03-01" -> "March 2027". */
char *words_month(const char *iso);

/* Two ISO dates as one span, the month and year said once where they are
 * the same: "1-26 March 2027", "30 March to 24 April 2027", "7 December 2026
 * to 1 January 2027". */
char *words_date_range(const char *start, const char *end);

/* A date as words_date() writes it ("1 March 2027"). */
char *words_gdate(const GDate *d);

/* A subject past what clients and gateways put in front of it: tags in
 * brackets ("[EXTERNAL]", "[ECP-2027-00042]") and prefixes of at most
 * prefix_max letters ending in ':' ("Re:", "AW:", "Fwd:"). *first (if not
 * NULL) gets the first prefix, lower-case and without its colon, or "" if
 * none: a new string. */
const char *words_subject_core(const char *s, gsize prefix_max, char **first);

#endif
