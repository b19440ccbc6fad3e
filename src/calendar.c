/* calendar.c: a seat as an iCalendar object, with libical. See calendar.h. */
#include "calendar.h"
#include "util.h"

#include <libical/ical.h>
#include <stdlib.h>
#include <string.h>

char *
calendar_uid(const struct calendar_seat *s)
{
	g_autoptr(GChecksum) c = g_checksum_new(G_CHECKSUM_SHA256);
	g_autofree char *hex = NULL;
	const char *parts[] = { s->reference, s->course, s->block, s->program };

	for (guint i = 0; i < G_N_ELEMENTS(parts); i++) {
		const char *p = parts[i] != NULL ? parts[i] : "";
		g_checksum_update(c, (const guchar *)p, (gssize)strlen(p) + 1);	/* with its NUL */
	}
	hex = g_strndup(g_checksum_get_string(c), 32);
	return g_strdup_printf("clerkship-%s@%s", hex,
	    s->domain != NULL && *s->domain != '\0' ? s->domain : "clerkd.invalid");
}

char *
calendar_filename(const struct calendar_seat *s)
{
	g_autofree char *raw = g_strdup_printf("clerkship-%s-%s", s->course ? s->course : "",
	    s->block ? s->block : "");
	GString *name = g_string_new(NULL);

	for (const char *p = raw; *p != '\0' && name->len < 80; p++)
		if (g_ascii_isalnum(*p) || *p == '-')
			g_string_append_c(name, *p);
	g_string_append(name, ".ics");
	return g_string_free(name, FALSE);
}

/* A YYYY-MM-DD day as an all-day icaltimetype; FALSE if it is not a date. */
static gboolean
day_of(const char *text, struct icaltimetype *t)
{
	GDate d;

	if (text == NULL || strlen(text) != 10)
		return FALSE;
	g_date_clear(&d, 1);
	g_date_set_parse(&d, text);
	if (!g_date_valid(&d))
		return FALSE;
	*t = icaltime_null_date();
	t->year = g_date_get_year(&d);
	t->month = g_date_get_month(&d);
	t->day = g_date_get_day(&d);
	t->is_date = 1;
	return TRUE;
}

GBytes *
calendar_ics(const struct calendar_seat *s, gboolean cancel, GError **err)
{
	struct icaltimetype start, end, stamp;
	icalcomponent *cal, *ev;
	g_autofree char *uid = calendar_uid(s);
	g_autofree char *summary = NULL, *location = NULL, *description = NULL, *prodid = NULL;
	char *text;
	GBytes *out;

	if (!day_of(s->start, &start) || !day_of(s->end, &end) || !day_of(s->stamp, &stamp) ||
	    icaltime_compare_date_only(end, start) < 0) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_FINAL, "block %s: no calendar entry for "
		    "dates %s to %s", s->block ? s->block : "?", s->start ? s->start : "?",
		    s->end ? s->end : "?");
		return NULL;
	}
	icaltime_adjust(&end, 1, 0, 0, 0);	/* DTEND of an all-day event is exclusive */
	stamp.is_date = 0;			/* DTSTAMP is a UTC date-time: midnight of that day */
	stamp = icaltime_convert_to_zone(stamp, icaltimezone_get_utc_timezone());
	summary = g_strdup_printf("%s: %s", s->course ? s->course : "", s->title ? s->title : "");
	location = s->department != NULL && *s->department != '\0' ?
	    g_strdup_printf("%s, %s", s->hospital ? s->hospital : "", s->department) :
	    g_strdup(s->hospital ? s->hospital : "");
	description = g_strdup_printf("%s clerkship, block %s. Reference: %s.",
	    s->program ? s->program : "", s->block ? s->block : "",
	    s->reference ? s->reference : "");
	prodid = g_strdup_printf("-//clerkd//%s//EN", s->program ? s->program : "clerkd");

	cal = icalcomponent_new_vcalendar();
	icalcomponent_add_property(cal, icalproperty_new_prodid(prodid));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	icalcomponent_add_property(cal, icalproperty_new_method(cancel ? ICAL_METHOD_CANCEL :
	    ICAL_METHOD_PUBLISH));
	ev = icalcomponent_new_vevent();
	icalcomponent_add_property(ev, icalproperty_new_uid(uid));
	icalcomponent_add_property(ev, icalproperty_new_dtstamp(stamp));
	icalcomponent_add_property(ev, icalproperty_new_sequence(cancel ? 1 : 0));
	icalcomponent_add_property(ev, icalproperty_new_dtstart(start));
	icalcomponent_add_property(ev, icalproperty_new_dtend(end));
	icalcomponent_add_property(ev, icalproperty_new_summary(summary));
	icalcomponent_add_property(ev, icalproperty_new_location(location));
	icalcomponent_add_property(ev, icalproperty_new_description(description));
	icalcomponent_add_property(ev, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
	icalcomponent_add_property(ev, icalproperty_new_status(cancel ? ICAL_STATUS_CANCELLED :
	    ICAL_STATUS_CONFIRMED));
	icalcomponent_add_component(cal, ev);
	text = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	if (text == NULL) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_FINAL, "block %s: libical wrote no "
		    "calendar entry", s->block ? s->block : "?");
		return NULL;
	}
	out = g_bytes_new(text, strlen(text));
	icalmemory_free_buffer(text);
	return out;
}
