/* ref.c: references. */
#include "ref.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *
ref_format(int year, int seq)
{
	if (year < 2000 || year > 9999 || seq < 1 || seq > REF_MAX_SEQ)
		return NULL;
	return g_strdup_printf("ECP-%04d-%05d", year, seq);
}

gboolean
ref_find(const char *s, int *year, int *seq)
{
	for (const char *p = s; p != NULL && *p != '\0'; p++) {
		if (g_ascii_strncasecmp(p, "ECP-", 4) != 0 ||
		    (p > s && g_ascii_isalnum(p[-1])))
			continue;
		const char *d = p + 4;
		int i;
		for (i = 0; i < 4 && g_ascii_isdigit(d[i]); i++)
			;
		if (i != 4 || d[4] != '-')
			continue;
		for (i = 0; i < 5 && g_ascii_isdigit(d[5 + i]); i++)
			;
		if (i != 5 || g_ascii_isalnum(d[10]))
			continue;
		*year = atoi(d);
		*seq = atoi(d + 5);
		if (*seq >= 1)
			return TRUE;
	}
	return FALSE;
}
