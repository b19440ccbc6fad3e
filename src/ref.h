/* ref.h: application references, ECP-YYYY-NNNNN. Pure. */
#ifndef CLERK_REF_H
#define CLERK_REF_H

#include <glib.h>

#define REF_MAX_SEQ 99999

/* "ECP-2027-00042"; NULL when seq is out of range. */
char *ref_format(int year, int seq);
/* Find the first reference in s (subject or body), any case; TRUE and its parts if found. */
gboolean ref_find(const char *s, int *year, int *seq);

#endif
