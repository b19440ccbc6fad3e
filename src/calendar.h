/* calendar.h: a calendar entry (.ics, RFC 5545) for a seat in one block,
 * written with libical. Pure: the same data gives the same bytes (DTSTAMP
 * and UID come from the data, never from the clock), so a resend is
 * byte-identical. */
#ifndef CLERK_CALENDAR_H
#define CLERK_CALENDAR_H

#include <glib.h>

struct calendar_seat {
	const char *reference;		/* ECP-2027-00042 */
	const char *program;		/* the program's name */
	const char *domain;		/* the program's mail domain, for the UID */
	const char *course, *title, *hospital, *department;	/* department may be NULL */
	const char *block;		/* 2027-03 */
	const char *start, *end;	/* YYYY-MM-DD, the block's first and last day */
	const char *stamp;		/* YYYY-MM-DD: DTSTAMP (a day of the data, not now) */
};

/* One VCALENDAR with one all-day VEVENT for the seat: METHOD:PUBLISH
 * (SEQUENCE 0), or with cancel METHOD:CANCEL, STATUS:CANCELLED (SEQUENCE 1)
 * under the same UID. NULL with err for dates that are not dates. */
GBytes *calendar_ics(const struct calendar_seat *s, gboolean cancel, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;

/* The seat's UID: "<hex>@domain", from reference, course, block and program. */
char *calendar_uid(const struct calendar_seat *s);

/* "clerkship-MED-401-2027-03.ics" (only [A-Za-z0-9-] kept). */
char *calendar_filename(const struct calendar_seat *s);

#endif
